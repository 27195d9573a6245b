//! The slots of `--max-clients`: an event loop counts its own clients, or, when several
//! loops share the limit (the reuseport model's workers), one counter they all take
//! from and give back to, in one atomic step each.

use super::event_loop::Conn;
use super::Stats;
use std::collections::BTreeMap;
use std::os::fd::RawFd;
use std::sync::atomic::Ordering;

/// Clients served now: this loop's, or, when several loops share `--max-clients`
/// (reuseport), everyone's.
pub(super) fn serving(stats: &Stats, conns: &BTreeMap<RawFd, Conn>) -> usize {
    stats
        .serving
        .map_or(conns.len(), |all| all.load(Ordering::SeqCst))
}

/// Takes one of the `max` slots for the next `accept`, if one is free: this loop's own
/// count, or the count the loops share (one atomic step, so two loops never take the
/// last slot both).
pub(super) fn take_slot(stats: &Stats, conns: &BTreeMap<RawFd, Conn>, max: usize) -> bool {
    match stats.serving {
        None => conns.len() < max,
        Some(all) => all
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                (now < max).then_some(now + 1)
            })
            .is_ok(),
    }
}

/// Gives back a slot taken by [`take_slot`] (the accept found nothing, or the client
/// left).
pub(super) fn give_back_slot(stats: &Stats) {
    if let Some(all) = stats.serving {
        all.fetch_sub(1, Ordering::SeqCst);
    }
}
