//! `--svg` and `--html` on a real run: the diagram's arrows are exactly the packets
//! tshark reads from the capture of the same run, and the replay page works in a real
//! browser (Debian's chromium, headless): the arrow keys move the highlight from
//! `socket` to `bind`, a click on the SYN and one more step reach the SYN-ACK, and a
//! screenshot of it is not blank.

use raw_testkit::{can_capture, run, tool, tshark_packets, DEADLINE};
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-tcp");

/// A fresh folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("raw-pictures-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

/// Runs `raw-tcp ARGS demo --capture run.pcapng --svg run.svg --html run.html`.
fn demo_with_pictures(dir: &Path, lang: &str) {
    let out = run(
        Command::new(BIN)
            .args(["--lang", lang, "demo", "--capture"])
            .arg(dir.join("run.pcapng"))
            .arg("--svg")
            .arg(dir.join("run.svg"))
            .arg("--html")
            .arg(dir.join("run.html")),
        b"",
        DEADLINE,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("run.svg") && said.contains("run.html"),
        "{said}"
    );
}

/// Every packet tshark reads from the run's capture is one arrow of the diagram, in
/// order, with the same flags and length; nothing more, nothing less.
#[test]
fn the_diagrams_arrows_are_the_captured_packets() {
    if !can_capture("the_diagrams_arrows_are_the_captured_packets") {
        return;
    }
    let Some(tshark) = tool("tshark", "the_diagrams_arrows_are_the_captured_packets") else {
        return;
    };
    for lang in ["en", "pt-BR"] {
        let dir = scratch(&format!("arrows-{lang}"));
        demo_with_pictures(&dir, lang);
        let svg = std::fs::read_to_string(dir.join("run.svg")).expect("svg");
        let arrows = raw_testkit::svg_packets(&svg);
        let wire = tshark_packets(&tshark, &dir.join("run.pcapng"));
        assert!(wire.len() >= 10, "a demo has at least 10 packets: {wire:?}");
        assert_eq!(arrows.len(), wire.len(), "arrows {arrows:?}\nwire {wire:?}");
        for (i, ((no, name, bits, len), (_, _, _, flags, tlen))) in
            arrows.iter().zip(&wire).enumerate()
        {
            assert_eq!(*no, i as u64 + 1, "frame numbers as Wireshark counts them");
            assert_eq!(bits, flags, "packet {no} ({name}): flags");
            assert_eq!(len, tlen, "packet {no} ({name}): length");
        }
        let overlaps = raw_testkit::svg_overlaps(&svg);
        assert!(
            overlaps.is_empty(),
            "{lang}: overlapping labels: {overlaps:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Headless chromium, as the project's CI installs it, with a fresh profile and the
/// flags a closed network needs.
fn chromium(profile: &Path) -> Command {
    let mut cmd = Command::new("chromium");
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--virtual-time-budget=3000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// The page after chromium ran its script, with `fragment` pressing keys or clicking.
fn dom_after(page: &Path, fragment: &str, dir: &Path, n: usize) -> String {
    let out = run(
        chromium(&dir.join(format!("profile-{n}")))
            .arg("--dump-dom")
            .arg(format!("file://{}#{fragment}", page.display())),
        b"",
        Duration::from_secs(90),
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

use std::time::Duration;

/// The body's attributes: which step is current.
fn current(dom: &str) -> String {
    let body = dom.find("<body").map(|i| &dom[i..]).unwrap_or("");
    let end = body.find('>').unwrap_or(0);
    body[..end].to_string()
}

/// A student opens the replay: the arrow keys step from `socket` to `bind` (through
/// `setsockopt`), clicking the SYN's arrow and pressing → shows the SYN-ACK, the page
/// is one self-contained file under 1 MB, and its screenshot is not blank.
#[test]
fn the_replay_page_steps_in_a_real_browser() {
    if !can_capture("the_replay_page_steps_in_a_real_browser") {
        return;
    }
    if tool("chromium", "the_replay_page_steps_in_a_real_browser").is_none() {
        return;
    }
    let Some(identify) = tool("identify", "the_replay_page_steps_in_a_real_browser") else {
        return;
    };
    let dir = scratch("browser");
    demo_with_pictures(&dir, "en");
    let page = dir.join("run.html");
    let html = std::fs::read_to_string(&page).expect("html");
    assert!(html.len() < 1_000_000, "under 1 MB: {} bytes", html.len());
    for external in ["src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(
            !html.contains(external),
            "the page loads nothing from outside: {external}"
        );
    }

    let first = dom_after(&page, "", &dir, 0);
    assert!(
        current(&first).contains("data-current=\"syscall:socket\""),
        "{}",
        current(&first)
    );
    let two = dom_after(&page, "keys=ArrowRight,ArrowRight", &dir, 1);
    assert!(
        current(&two).contains("data-current=\"syscall:bind\""),
        "{}",
        current(&two)
    );
    assert!(
        two.contains("class=\"row current\""),
        "the diagram's row is highlighted"
    );

    // The SYN's row in the diagram, clicked, then one step on.
    let svg = std::fs::read_to_string(dir.join("run.svg")).expect("svg");
    let syn_row = svg
        .split("<g id=\"")
        .find(|g| g.contains("data-flags=\"SYN\""))
        .and_then(|g| g.split('"').next())
        .expect("a SYN row")
        .to_string();
    let on_syn = dom_after(&page, &format!("click={syn_row}"), &dir, 2);
    assert!(
        current(&on_syn).contains("data-current=\"packet:SYN\""),
        "{}",
        current(&on_syn)
    );
    let next = dom_after(&page, &format!("click={syn_row}&keys=ArrowRight"), &dir, 3);
    assert!(
        current(&next).contains("data-current=\"packet:SYN-ACK\""),
        "{}",
        current(&next)
    );
    // The last step (End): every socket the run closed is shown closed, none in the
    // state it had before its close (the listener's LISTEN, the server's CLOSE-WAIT).
    let last = dom_after(&page, "keys=End", &dir, 5);
    let states = last
        .split("id=\"states\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap_or_default();
    for stale in ["<b>LISTEN</b>", "<b>CLOSE-WAIT</b>", "<b>ESTABLISHED</b>"] {
        assert!(!states.contains(stale), "last step shows {stale}: {states}");
    }
    assert!(
        states.contains("closed (close released the fd)"),
        "{states}"
    );
    // Portuguese labels on the toggle.
    let pt = dom_after(&page, "lang=pt", &dir, 4);
    assert!(
        pt.contains("Nosso código") && pt.contains("Pacotes que ela causou"),
        "pt toggle"
    );

    let shot = dir.join("shot.png");
    let out = run(
        chromium(&dir.join("profile-shot"))
            .arg(format!("--screenshot={}", shot.display()))
            .arg("--window-size=1400,1000")
            .arg(format!(
                "file://{}#keys=ArrowRight,ArrowRight,ArrowRight",
                page.display()
            )),
        b"",
        Duration::from_secs(90),
    );
    assert!(
        shot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let colours = run(
        Command::new(identify).args(["-format", "%k"]).arg(&shot),
        b"",
        DEADLINE,
    );
    let colours: u64 = String::from_utf8_lossy(&colours.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    assert!(
        colours > 50,
        "a blank page has a handful of colours, this one {colours}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A `--html` or `--svg` path that cannot be written is refused before the first
/// syscall (exit 2, no syscall narrated), and the hint suggests a path with the same
/// extension. The demo and a lab (every program runs through raw-core's `cli::run`,
/// which makes the check).
#[test]
fn an_unwritable_picture_path_fails_before_any_syscall() {
    for args in [vec!["demo"], vec!["lab", "partial"]] {
        let bin = BIN;
        for (flag, ext) in [("--html", "html"), ("--svg", "svg")] {
            let path = format!("/nonexistent-raw-sockets/run.{ext}");
            let out = raw_testkit::run(
                Command::new(bin)
                    .arg("--json")
                    .args(&args)
                    .args([flag, &path]),
                b"",
                raw_testkit::DEADLINE,
            );
            assert_eq!(out.status.code(), Some(2), "{flag}: {out:?}");
            let events = raw_testkit::json_lines(&out.stdout);
            assert!(
                !events.iter().any(|e| e["kind"] == "syscall"),
                "{flag}: a syscall ran before the path was checked: {events:?}"
            );
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains(&format!("/tmp/run.{ext}")),
                "{flag}: {stderr}"
            );
        }
    }
}
