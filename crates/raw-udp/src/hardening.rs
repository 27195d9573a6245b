//! Hardening of the UDP echo server: the three reasons it may refuse to answer.
//!
//! An echo server answers whoever a datagram's source address *claims* to be, and on
//! UDP that claim is never checked: anyone with a raw socket writes the IP and UDP
//! headers they like (`socket(AF_INET, SOCK_RAW, IPPROTO_RAW)`). Two classic abuses
//! follow (CERT advisory CA-1996-01, "UDP port denial-of-service attack"):
//!
//! - **The self-loop.** One datagram whose forged source is the server's own address
//!   and port: the server answers itself, receives its own answer, answers that... one
//!   datagram becomes hundreds of thousands per second and a CPU at 100%.
//! - **The bounce.** One datagram to server A claiming to come from server B (another
//!   echo, or chargen): A answers B, B answers A, forever.
//!
//! So before answering, [`Hardening::refuse`] asks three questions, cheapest first:
//!
//! 1. Is the source this machine at our own port? ([`OwnAddress`]) Never a client.
//! 2. Is the source port 0 or a classic small service? ([`REFUSED_SOURCE_PORTS`])
//! 3. Has this source used up its replies? ([`RateLimit`]: one [`TokenBucket`] per
//!    source address.) This one stops the bounce between two servers on different
//!    ports, which no address check can recognise.
//!
//! Watch it: `cargo test -p raw-udp --test storm` (as root) forges those datagrams in
//! a network namespace of its own and counts the packets on its loopback.

use raw_core::text;
use raw_core::Narrator;
use std::collections::HashMap;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// Source ports we never answer: 0 is not a valid source, and the classic small
/// services (echo 7, discard 9, daytime 13, qotd 17, chargen 19, time 37) would
/// answer us back.
pub const REFUSED_SOURCE_PORTS: [u16; 7] = [0, 7, 9, 13, 17, 19, 37];

/// Everything the server checks before it answers a datagram.
#[derive(Debug)]
pub struct Hardening {
    own: OwnAddress,
    /// `None` with `--rate-limit 0`.
    limit: Option<RateLimit>,
}

/// Why a datagram gets no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The source is this machine, at our own port: answering would be answering
    /// ourselves.
    OwnAddress(SocketAddr),
    /// The source port is 0 or one of [`REFUSED_SOURCE_PORTS`].
    SmallServicePort(SocketAddr),
    /// The source's token bucket is empty. `first`: the first refusal since its bucket
    /// was last full (the only one we narrate, so a flood is not a flood of lines).
    RateLimited {
        /// Who sent it.
        from: SocketAddr,
        /// Whether this is the first refusal of this burst.
        first: bool,
        /// Replies per second (and bucket size) of the limit.
        per_second: u32,
    },
    /// A new source while the table of buckets is full of recently active sources.
    /// `first`: the first such refusal since the table last had room.
    TooManySources {
        /// Who sent it.
        from: SocketAddr,
        /// Whether this is the first refusal since the table last had room.
        first: bool,
    },
}

impl Hardening {
    /// The checks for a server bound to `bound`, answering at most `per_second`
    /// datagrams per second to each source (0: no limit).
    pub fn new(bound: SocketAddr, per_second: u32) -> Hardening {
        Hardening {
            own: OwnAddress::new(bound),
            limit: (per_second > 0).then(|| RateLimit::new(per_second)),
        }
    }

    /// Says what protects this server: the limit in the narration, or, with
    /// `--rate-limit 0`, a warning on stderr in every output mode (`-qq` included),
    /// because whoever runs the server must know what it can now be used for.
    pub fn announce(&self, n: &Narrator) {
        match &self.limit {
            Some(limit) => n.note(n.say(text!(
                "udp-hardening-rate-limit-at-most-replies",
                per_second = limit.per_second,
                per_second2 = limit.per_second
            ))),
            None => {
                // Not eprintln!, which panics when stderr is closed.
                let _ = writeln!(
                    std::io::stderr(),
                    "{}",
                    n.say(text!("udp-hardening-warning-rate-limit-0-turns"))
                );
            }
        }
    }

    /// Whether to refuse a datagram from `from` that arrived `now`, and why. Counts a
    /// reply against the source's bucket when it is allowed.
    pub fn refuse(&mut self, from: SocketAddr, now: Instant) -> Option<Refusal> {
        if self.own.is_ours(from, now) {
            return Some(Refusal::OwnAddress(from));
        }
        if REFUSED_SOURCE_PORTS.contains(&from.port()) {
            return Some(Refusal::SmallServicePort(from));
        }
        self.limit.as_mut()?.refuse(from, now)
    }
}

impl Refusal {
    /// Says why, as a note; a source already told it is limited is not told again
    /// until its bucket has been full once more.
    pub fn narrate(&self, n: &Narrator) {
        match self {
            Refusal::OwnAddress(from) => {
                n.note(n.say(text!("udp-hardening-source-this-machine-at-our", from)))
            }
            Refusal::SmallServicePort(from) => {
                n.note(n.say(text!("udp-hardening-source-port-0-invalid-ports", from)))
            }
            Refusal::RateLimited {
                from,
                first: true,
                per_second,
            } => n.note(n.say(text!(
                "udp-hardening-rate-limit-reached-source-bucket",
                ip = from.ip(),
                per_second
            ))),
            Refusal::TooManySources { from, first: true } => n.note(n.say(text!(
                "udp-hardening-rate-limiter-already-keeps-bucket",
                from,
                sources = RateLimit::MAX_SOURCES
            ))),
            Refusal::RateLimited { first: false, .. }
            | Refusal::TooManySources { first: false, .. } => {}
        }
    }
}

/// Recognises this machine at our own port: the bound address itself, and, since a
/// reply to any of this machine's addresses comes back to this machine, loopback
/// (127.0.0.0/8, ::1), the unspecified address (0.0.0.0 and :: mean "this host" as a
/// destination), IPv6 link-local addresses and every interface address.
#[derive(Debug)]
pub struct OwnAddress {
    bound: SocketAddr,
    /// This machine's interface addresses, as `getifaddrs(3)` last listed them.
    interfaces: Vec<IpAddr>,
    /// When they were listed; `None`: not yet.
    listed_at: Option<Instant>,
}

impl OwnAddress {
    /// How long a list of interface addresses is trusted before it is read again.
    const RELIST_AFTER: Duration = Duration::from_secs(1);

    /// The check for a server bound to `bound`.
    pub fn new(bound: SocketAddr) -> OwnAddress {
        OwnAddress {
            bound,
            interfaces: Vec::new(),
            listed_at: None,
        }
    }

    /// Whether `from` is this machine at our own port. The interfaces are listed only
    /// when the port matches (no client sends from a server's port), so the usual
    /// datagram costs one comparison.
    pub fn is_ours(&mut self, from: SocketAddr, now: Instant) -> bool {
        if from.port() != self.bound.port() {
            return false;
        }
        // A dual-stack (::) socket sees IPv4 senders as ::ffff:a.b.c.d.
        let ip = from.ip().to_canonical();
        let always_here = match ip {
            IpAddr::V4(v4) => v4.is_loopback() || v4.is_unspecified(),
            IpAddr::V6(v6) => v6.is_loopback() || v6.is_unspecified() || v6.is_unicast_link_local(),
        };
        if always_here || ip == self.bound.ip().to_canonical() {
            return true;
        }
        if self
            .listed_at
            .is_none_or(|at| now.duration_since(at) >= Self::RELIST_AFTER)
        {
            self.interfaces = raw_core::interfaces::reachable_addresses()
                .into_iter()
                .map(|(_, ip)| ip)
                .collect();
            self.listed_at = Some(now);
        }
        self.interfaces.contains(&ip)
    }
}

/// A token bucket: the bucket holds at most `burst` tokens, each reply takes one, and
/// tokens drip back in at `per_second`. A source that writes slower than the drip
/// always finds a token; a burst of up to `burst` datagrams is answered at once; a
/// faster source is answered at `per_second` and no more.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenBucket {
    /// Tokens in the bucket now (fractions are tokens still dripping in).
    tokens: f64,
    /// When `tokens` was last brought up to date.
    at: Instant,
    /// Whether a datagram was refused since the bucket was last full.
    limited: bool,
}

/// What a bucket says about one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    /// There was a token: answer.
    Token,
    /// Empty, for the first time since the bucket was last full: refuse, and say so.
    FirstRefusal,
    /// Still empty: refuse, silently.
    Refusal,
}

impl TokenBucket {
    /// A full bucket: a new source may send a whole burst at once.
    pub fn full(burst: u32, now: Instant) -> TokenBucket {
        TokenBucket {
            tokens: f64::from(burst),
            at: now,
            limited: false,
        }
    }

    /// Adds the tokens that dripped in since the last update, never above `burst`.
    fn refill(&mut self, per_second: u32, burst: u32, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * f64::from(per_second)).min(f64::from(burst));
        self.at = now;
        if self.is_full(burst) {
            self.limited = false; // the source calmed down: a new burst may be told
        }
    }

    fn is_full(&self, burst: u32) -> bool {
        self.tokens >= f64::from(burst)
    }

    /// Takes a token for one reply, if there is one.
    pub fn take(&mut self, per_second: u32, burst: u32, now: Instant) -> Take {
        self.refill(per_second, burst, now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Take::Token
        } else if self.limited {
            Take::Refusal
        } else {
            self.limited = true;
            Take::FirstRefusal
        }
    }
}

/// One [`TokenBucket`] per source address, holding `per_second` tokens and refilled
/// at `per_second`: one second's worth of replies at once, then `per_second`.
#[derive(Debug)]
pub struct RateLimit {
    per_second: u32,
    buckets: HashMap<IpAddr, TokenBucket>,
    /// Sources the table may hold; beyond it, new sources are refused.
    max_sources: usize,
    /// When full buckets were last dropped from the table.
    pruned_at: Option<Instant>,
    /// Whether a new source was refused since the table last had room.
    full_told: bool,
}

impl RateLimit {
    /// The most sources remembered at once, so a flood of forged sources cannot grow
    /// the table without bound (a few MiB at most).
    pub const MAX_SOURCES: usize = 65_536;

    /// `per_second` replies per second to each source, in bursts of up to `per_second`.
    pub fn new(per_second: u32) -> RateLimit {
        RateLimit {
            per_second,
            buckets: HashMap::new(),
            max_sources: Self::MAX_SOURCES,
            pruned_at: None,
            full_told: false,
        }
    }

    /// Whether to refuse a datagram from `from` at `now`; takes a token if not.
    /// Keyed by address, not port: a forger picks any port it likes.
    pub fn refuse(&mut self, from: SocketAddr, now: Instant) -> Option<Refusal> {
        let (per_second, burst) = (self.per_second, self.per_second);
        let ip = from.ip().to_canonical();
        if !self.buckets.contains_key(&ip) && !self.make_room(now) {
            let first = !self.full_told;
            self.full_told = true;
            return Some(Refusal::TooManySources { from, first });
        }
        let bucket = self
            .buckets
            .entry(ip)
            .or_insert_with(|| TokenBucket::full(burst, now));
        match bucket.take(per_second, burst, now) {
            Take::Token => None,
            take => Some(Refusal::RateLimited {
                from,
                first: take == Take::FirstRefusal,
                per_second,
            }),
        }
    }

    /// Whether the table has room for one more source. When it is full, drops the
    /// buckets that have filled up again (a full bucket is the same as no bucket), at
    /// most once a second so that a flood does not make every datagram scan the table.
    fn make_room(&mut self, now: Instant) -> bool {
        if self.buckets.len() < self.max_sources {
            return true;
        }
        if self
            .pruned_at
            .is_some_and(|at| now.saturating_duration_since(at) < Duration::from_secs(1))
        {
            return false;
        }
        self.pruned_at = Some(now);
        let (per_second, burst) = (self.per_second, self.per_second);
        self.buckets.retain(|_, bucket| {
            bucket.refill(per_second, burst, now);
            !bucket.is_full(burst)
        });
        let room = self.buckets.len() < self.max_sources;
        if room {
            self.full_told = false;
        }
        room
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ip: &str, port: u16) -> SocketAddr {
        SocketAddr::new(ip.parse().expect("ip"), port)
    }

    /// A bucket of 3 answers a burst of 3 at once, refuses the 4th (saying so once),
    /// and after a third of a second has dripped one token back in.
    #[test]
    fn token_bucket_answers_a_burst_then_the_refill_rate() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::full(3, t0);
        for _ in 0..3 {
            assert_eq!(bucket.take(3, 3, t0), Take::Token);
        }
        assert_eq!(bucket.take(3, 3, t0), Take::FirstRefusal);
        assert_eq!(bucket.take(3, 3, t0), Take::Refusal, "said once, not again");
        let later = t0 + Duration::from_millis(340);
        assert_eq!(
            bucket.take(3, 3, later),
            Take::Token,
            "one token dripped in"
        );
        assert_eq!(
            bucket.take(3, 3, later),
            Take::Refusal,
            "still the same burst"
        );
    }

    /// A bucket never holds more than its burst, however long the source was quiet;
    /// once full again, the next limit is told again.
    #[test]
    fn token_bucket_is_capped_and_a_new_burst_is_told_again() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::full(2, t0);
        assert_eq!(bucket.take(2, 2, t0), Take::Token);
        assert_eq!(bucket.take(2, 2, t0), Take::Token);
        assert_eq!(bucket.take(2, 2, t0), Take::FirstRefusal);
        let hour = t0 + Duration::from_secs(3600);
        assert_eq!(bucket.take(2, 2, hour), Take::Token);
        assert_eq!(bucket.take(2, 2, hour), Take::Token);
        assert_eq!(bucket.take(2, 2, hour), Take::FirstRefusal, "capped at 2");
    }

    /// A student typing (one line a second) never meets the default limit.
    #[test]
    fn typing_never_meets_the_default_limit() {
        let t0 = Instant::now();
        let mut limit = RateLimit::new(10);
        let student = at("192.0.2.7", 40_000);
        for second in 0..120 {
            let now = t0 + Duration::from_secs(second);
            assert_eq!(limit.refuse(student, now), None, "second {second}");
        }
    }

    /// A flood from one source: a burst of 10 is answered, the rest refused, and only
    /// the first refusal is narrated. Another source keeps its own bucket.
    #[test]
    fn a_flood_is_limited_per_source_and_told_once() {
        let t0 = Instant::now();
        let mut limit = RateLimit::new(10);
        let flood = at("192.0.2.1", 5000);
        let answered = (0..1000)
            .filter(|_| limit.refuse(flood, t0).is_none())
            .count();
        assert_eq!(answered, 10);
        let told = (0..1000)
            .filter_map(|_| limit.refuse(flood, t0))
            .filter(|r| matches!(r, Refusal::RateLimited { first: true, .. }))
            .count();
        assert_eq!(told, 0, "told once already, in the first thousand");
        assert_eq!(limit.refuse(at("192.0.2.2", 5000), t0), None);
        // Same address, another port: the same bucket (a forger picks any port).
        assert!(limit.refuse(at("192.0.2.1", 5001), t0).is_some());
    }

    /// The table stays bounded: when it is full of active sources, a new one is
    /// refused (told once); once old buckets are full again, there is room.
    #[test]
    fn the_table_of_sources_is_bounded() {
        let t0 = Instant::now();
        let mut limit = RateLimit::new(10);
        limit.max_sources = 3;
        for i in 1..=3 {
            assert_eq!(limit.refuse(at(&format!("192.0.2.{i}"), 5000), t0), None);
        }
        let new = at("192.0.2.9", 5000);
        assert!(matches!(
            limit.refuse(new, t0),
            Some(Refusal::TooManySources { first: true, .. })
        ));
        assert!(matches!(
            limit.refuse(new, t0),
            Some(Refusal::TooManySources { first: false, .. })
        ));
        assert_eq!(limit.buckets.len(), 3);
        let later = t0 + Duration::from_secs(2);
        assert_eq!(
            limit.refuse(new, later),
            None,
            "refilled buckets were dropped"
        );
        assert!(limit.buckets.len() <= 3);
    }

    /// The self-loop: our own address, or this machine at our port, is refused even
    /// with no rate limit; another port of this machine is a client.
    #[test]
    fn own_address_is_refused() {
        let t0 = Instant::now();
        let mut h = Hardening::new(at("127.0.0.1", 65431), 0);
        assert_eq!(
            h.refuse(at("127.0.0.1", 65431), t0),
            Some(Refusal::OwnAddress(at("127.0.0.1", 65431)))
        );
        assert!(h.refuse(at("127.0.0.2", 65431), t0).is_some());
        assert!(h.refuse(at("0.0.0.0", 65431), t0).is_some());
        assert_eq!(h.refuse(at("127.0.0.1", 40000), t0), None);
        let mut wild = Hardening::new(at("::", 65431), 0);
        assert!(wild.refuse(at("::ffff:127.0.0.1", 65431), t0).is_some());
        assert!(wild.refuse(at("::1", 65431), t0).is_some());
        assert!(wild.refuse(at("fe80::1", 65431), t0).is_some());
        assert_eq!(wild.refuse(at("::1", 40000), t0), None);
    }

    /// An interface address with our port is ours too (the list is given here, as
    /// getifaddrs would have returned it); a classmate at our port number is not.
    #[test]
    fn interface_addresses_are_ours() {
        let t0 = Instant::now();
        let mut own = OwnAddress::new(at("0.0.0.0", 65431));
        own.interfaces = vec!["192.0.2.10".parse().expect("ip")];
        own.listed_at = Some(t0);
        assert!(own.is_ours(at("192.0.2.10", 65431), t0));
        assert!(!own.is_ours(at("192.0.2.11", 65431), t0));
        assert!(!own.is_ours(at("192.0.2.10", 40000), t0));
    }

    /// The small services' ports are still refused, and rate limiting comes last.
    #[test]
    fn small_service_ports_are_refused() {
        let t0 = Instant::now();
        let mut h = Hardening::new(at("127.0.0.1", 65431), 10);
        for port in REFUSED_SOURCE_PORTS {
            let from = at("192.0.2.1", port);
            assert_eq!(h.refuse(from, t0), Some(Refusal::SmallServicePort(from)));
        }
        assert_eq!(h.refuse(at("192.0.2.1", 40000), t0), None);
    }
}
