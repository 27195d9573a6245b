//! A layout drawn as SVG, in the style of Stevens' figures: lifelines, arrows with
//! their flags and sequence numbers, the syscalls in the margins, the states on the
//! lifelines.

#![forbid(unsafe_code)]

use crate::lang::Lang;
use crate::text;
use std::fmt::Write as _;

use super::layout::{Layout, RowKind};

/// Escapes text for XML.
pub fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Sizes of the drawing, in SVG user units (pixels at 100%): chosen so the labels read
/// from the back of a classroom when the picture fills a projected slide.
pub(super) const FONT: f64 = 15.0;

pub(super) const ROW: f64 = 34.0;

pub(super) const LANE_GAP: f64 = 380.0;

pub(super) const MARGIN: f64 = 300.0;

pub(super) const TOP: f64 = 96.0;

/// The colour of a state's band: one family per phase of a connection.
fn band_colour(state: &str) -> Option<&'static str> {
    Some(match state {
        "LISTEN" => "#9ecae1",
        "SYN-SENT" | "SYN-RECEIVED" => "#fdd49e",
        "ESTABLISHED" => "#a1d99b",
        "FIN-WAIT-1" | "FIN-WAIT-2" | "CLOSING" => "#fc9272",
        "CLOSE-WAIT" | "LAST-ACK" => "#bcbddc",
        _ if state.starts_with("TIME-WAIT") => "#d9d9d9",
        _ => return None, // CLOSED: no band
    })
}

/// Each socket's state as a band along its lifeline, from the row where the kernel
/// entered it to the row of its next change (or the end of the picture); the sockets
/// of one lane side by side, next to it.
fn bands(out: &mut String, layout: &Layout, x: &dyn Fn(usize) -> f64, bottom: f64) {
    let row_y = |r: usize| TOP + ROW * (r as f64 + 0.5);
    let mut open: Vec<((usize, i32), usize, String)> = Vec::new(); // (lane, fd), from, state
    let mut slots: Vec<(usize, i32)> = Vec::new();
    let mut draw = |out: &mut String, key: (usize, i32), from: usize, to_y: f64, state: &str| {
        let Some(colour) = band_colour(state) else {
            return;
        };
        if !slots.contains(&key) {
            slots.push(key);
        }
        let k = slots
            .iter()
            .filter(|s| s.0 == key.0)
            .position(|s| *s == key)
            .unwrap_or(0) as f64;
        // Outside the lifeline, on the side away from the margin's text.
        let bx = match key.0 {
            0 => x(key.0) + 3.0 + 7.0 * k,
            _ => x(key.0) - 9.0 - 7.0 * k,
        };
        let y0 = row_y(from);
        let _ = write!(
            out,
            r#"<rect class="band" data-state="{}" x="{bx:.0}" y="{y0:.0}" width="6" height="{:.0}" fill="{colour}"/>"#,
            xml(state),
            (to_y - y0).max(2.0)
        );
    };
    for (r, row) in layout.rows.iter().enumerate() {
        for mark in &row.states {
            let key = (mark.lane, mark.fd);
            if let Some(i) = open.iter().position(|o| o.0 == key) {
                let (_, from, state) = open.remove(i);
                draw(out, key, from, row_y(r), &state);
            }
            open.push((key, r, mark.state.clone()));
        }
    }
    for (key, from, state) in open {
        draw(out, key, from, bottom, &state);
    }
    out.push('\n');
}

/// Draws the layout as an SVG document. `title` heads it (e.g. `raw-tcp demo`).
pub fn svg(layout: &Layout, title: &str, lang: Lang) -> String {
    let lanes = layout.lanes.len().max(1);
    let width = MARGIN * 2.0 + LANE_GAP * (lanes - 1) as f64;
    let x = |lane: usize| MARGIN + LANE_GAP * lane as f64;
    let height = TOP + ROW * (layout.rows.len() as f64 + 1.5) + 40.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="{FONT}">"#
    );
    let _ = writeln!(
        out,
        r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f4e9c"/></marker></defs>"##
    );
    let _ = writeln!(
        out,
        r##"<style>.lane{{stroke:#444;stroke-width:2}} .pkt{{stroke:#1f4e9c;stroke-width:2}} .call{{fill:#111}} .failed{{fill:#b00020}} .state{{fill:#0b6b2e;font-weight:bold}} .gap{{fill:#777;font-style:italic}} .plabel{{fill:#1f4e9c;font-size:14px;paint-order:stroke;stroke:#fff;stroke-width:4px}} .current .call, .current .plabel, .current .state{{fill:#d35400}} .current .pkt{{stroke:#d35400;stroke-width:3}}</style>"##
    );
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        out,
        r#"<text x="{:.0}" y="30" font-size="19" font-weight="bold" text-anchor="middle">{}</text>"#,
        width / 2.0,
        xml(title)
    );
    if !layout.captured {
        let _ = writeln!(
            out,
            r##"<text x="{:.0}" y="54" font-size="14" fill="#b00020" text-anchor="middle">{}</text>"##,
            width / 2.0,
            xml(&lang.say(text!("diagram-no-capture-syscalls-states-only")))
        );
    }
    let bottom = TOP + ROW * (layout.rows.len() as f64 + 0.5);
    for (i, lane) in layout.lanes.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<text x="{:.0}" y="{:.0}" text-anchor="middle" font-weight="bold" class="lane-title">{}</text>"#,
            x(i),
            TOP - 20.0,
            xml(&lane.title)
        );
        let _ = writeln!(
            out,
            r#"<line class="lane" x1="{:.0}" y1="{:.0}" x2="{:.0}" y2="{:.0}"/>"#,
            x(i),
            TOP - 8.0,
            x(i),
            bottom
        );
    }
    if layout.kernel_states {
        bands(&mut out, layout, &x, bottom);
    }
    for (r, row) in layout.rows.iter().enumerate() {
        let y = TOP + ROW * (r as f64 + 0.5);
        let step = row
            .event
            .map(|e| format!(r#" data-event="{e}""#))
            .unwrap_or_default();
        let _ = write!(out, r#"<g id="row-{r}" class="row"{step}>"#);
        match &row.what {
            RowKind::Syscall {
                lane,
                label,
                failed,
            } => {
                // The margin of its side: left of the first lane, right of the others.
                let (tx, anchor) = if *lane == 0 {
                    (x(*lane) - 12.0, "end")
                } else {
                    (x(*lane) + 12.0, "start")
                };
                let class = if *failed { "call failed" } else { "call" };
                let _ = write!(
                    out,
                    r##"<circle cx="{:.0}" cy="{y:.0}" r="4" fill="#111"/><text class="{class}" x="{tx:.0}" y="{:.0}" text-anchor="{anchor}">{}</text>"##,
                    x(*lane),
                    y + 5.0,
                    xml(label)
                );
            }
            RowKind::Packet {
                from,
                to,
                label,
                no,
                flags,
                bits,
                len,
            } => {
                let (x1, x2) = (x(*from), x(*to));
                let mid = (x1 + x2) / 2.0;
                let _ = write!(
                    out,
                    r#"<line class="pkt" data-no="{no}" data-flags="{}" data-bits="{bits}" data-len="{len}" x1="{x1:.0}" y1="{:.0}" x2="{x2:.0}" y2="{:.0}" marker-end="url(#arrow)"/><text class="plabel" x="{mid:.0}" y="{:.0}" text-anchor="middle">{}</text>"#,
                    xml(flags),
                    y - 6.0,
                    y + 8.0,
                    y - 10.0,
                    xml(label)
                );
            }
            RowKind::TableState { .. } => {}
            RowKind::Gap { seconds } => {
                let ms = seconds * 1000.0;
                let _ = write!(
                    out,
                    r#"<text class="gap" x="{:.0}" y="{:.0}" text-anchor="middle">Δt = {} ms</text>"#,
                    width / 2.0,
                    y + 5.0,
                    lang.num(ms, 1)
                );
                for i in 0..layout.lanes.len() {
                    let _ = write!(
                        out,
                        r##"<line x1="{:.0}" y1="{:.0}" x2="{:.0}" y2="{:.0}" stroke="#fff" stroke-width="4" stroke-dasharray="4 4"/>"##,
                        x(i),
                        y - 10.0,
                        x(i),
                        y + 10.0
                    );
                }
            }
        }
        // States sit under the syscall label, in the margin of their lane's side; two
        // states on one lane in one row share a line.
        let mut lanes_with_states: Vec<usize> = row.states.iter().map(|m| m.lane).collect();
        lanes_with_states.dedup();
        for lane in lanes_with_states {
            let text: Vec<&str> = row
                .states
                .iter()
                .filter(|m| m.lane == lane)
                .map(|m| m.label.as_str())
                .collect();
            let (tx, anchor) = if lane == 0 {
                (x(lane) - 12.0, "end")
            } else {
                (x(lane) + 12.0, "start")
            };
            let _ = write!(
                out,
                r#"<text class="state" x="{tx:.0}" y="{:.0}" text-anchor="{anchor}" font-size="14">{}</text>"#,
                y + 22.0,
                xml(&text.join(", "))
            );
        }
        let _ = writeln!(out, "</g>");
    }
    out.push_str("</svg>\n");
    out
}
