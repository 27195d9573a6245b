//! `--html FILE`: the run, replayable, in one self-contained page (no network, no
//! external script or font). Four columns kept in step: the source lines of our code
//! around the call, the syscall exactly as strace shows it with its sentence, the
//! packets it caused, and the state of every socket; the sequence diagram below, with
//! the current step highlighted. Step with the buttons or the arrow keys, or click any
//! syscall or packet (in the diagram or in the packet list).
//!
//! For tests and for links on a slide, the page also reads its address's fragment:
//! `page.html#keys=ArrowRight,ArrowRight` presses those keys and `#click=row-5` clicks
//! that row of the diagram, through the same handlers a person uses.

#![forbid(unsafe_code)]

use crate::lang::Lang;
use crate::text;
use crate::views::diagram::{xml, Layout, RowKind, Stamped};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where the workspace was when this was built: the source excerpts are read from
/// there (a student's clone), and left out when it is gone.
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Lines of source shown around the call.
const CONTEXT: usize = 4;

/// A few lines of our source around one call.
#[derive(Debug, Serialize)]
struct Excerpt {
    file: String,
    line: usize,
    lines: Vec<(usize, String)>,
}

fn excerpt(source: &str) -> Option<Excerpt> {
    let (file, line) = source.rsplit_once(':')?;
    let line: usize = line.parse().ok()?;
    let text = std::fs::read_to_string(format!("{WORKSPACE}/{file}"))
        .or_else(|_| std::fs::read_to_string(file))
        .ok()?;
    let all: Vec<&str> = text.lines().collect();
    let first = line.saturating_sub(CONTEXT + 1);
    let last = (line + CONTEXT).min(all.len());
    Some(Excerpt {
        file: file.to_string(),
        line,
        lines: (first..last).map(|i| (i + 1, all[i].to_string())).collect(),
    })
}

/// One step of the replay: a row of the diagram that shows something.
#[derive(Debug, Serialize)]
struct Step {
    row: usize,
    kind: &'static str,
    event: usize,
}

/// What the page's script reads.
#[derive(Serialize)]
struct PageData<'a> {
    title: &'a str,
    lang: &'a str,
    events: &'a [Stamped],
    layout: &'a Layout,
    steps: Vec<Step>,
    sources: BTreeMap<String, Excerpt>,
    /// The page's own words in both languages (`en`, `pt`), from the catalog.
    ui: BTreeMap<&'static str, BTreeMap<&'static str, String>>,
}

/// The page's controls and headings, rendered in both languages (`en`, `pt`).
fn ui_words() -> BTreeMap<&'static str, BTreeMap<&'static str, String>> {
    let ui = [
        ("back", text!("replay-back")),
        ("next", text!("replay-next")),
        ("english", text!("replay-english")),
        ("portuguese", text!("replay-portuguese")),
        ("code", text!("replay-code")),
        ("syscall", text!("replay-syscall")),
        ("packets", text!("replay-packets")),
        ("states", text!("replay-states")),
        ("keys", text!("replay-keys")),
        ("no-source", text!("replay-no-source")),
        ("none", text!("replay-none")),
        ("closed", text!("replay-closed")),
        ("no-socket", text!("replay-no-socket")),
    ];
    [("en", Lang::En), ("pt", Lang::PtBr)]
        .into_iter()
        .map(|(key, lang)| {
            let words = ui.iter().map(|(k, t)| (*k, t.render(lang))).collect();
            (key, words)
        })
        .collect()
}

/// The page. `svg` is the diagram drawn from the same `layout`.
pub fn page(events: &[Stamped], layout: &Layout, svg: &str, title: &str, lang: Lang) -> String {
    let steps: Vec<Step> = layout
        .rows
        .iter()
        .enumerate()
        .filter_map(|(r, row)| {
            let kind = match row.what {
                RowKind::Syscall { .. } => "syscall",
                RowKind::Packet { .. } => "packet",
                RowKind::TableState { .. } => "state",
                RowKind::Gap { .. } => return None,
            };
            Some(Step {
                row: r,
                kind,
                event: row.event?,
            })
        })
        .collect();
    let mut sources: BTreeMap<String, Excerpt> = BTreeMap::new();
    for step in &steps {
        if let Some(source) = events.get(step.event).and_then(|s| s.event.source.clone()) {
            if let std::collections::btree_map::Entry::Vacant(slot) = sources.entry(source) {
                if let Some(e) = excerpt(slot.key()) {
                    slot.insert(e);
                }
            }
        }
    }
    let data = PageData {
        title,
        lang: lang.code(),
        events,
        layout,
        steps,
        sources,
        ui: ui_words(),
    };
    // `</` cannot appear inside a <script> element: JSON allows escaping the slash.
    let data = serde_json::to_string(&data)
        .unwrap_or_else(|_| "{}".to_string())
        .replace("</", "<\\/");
    TEMPLATE
        .replace("{{TITLE}}", &xml(title))
        .replace("{{LANG}}", lang.code())
        .replace("{{SVG}}", svg)
        .replace("{{DATA}}", &data)
}

const TEMPLATE: &str = r##"<!DOCTYPE html>
<html lang="{{LANG}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}}</title>
<style>
  body { font-family: system-ui, "DejaVu Sans", sans-serif; margin: 0; background: #f6f6f4; color: #111; }
  header { display: flex; gap: 12px; align-items: center; padding: 10px 16px; background: #1f2d3d; color: #fff; }
  header h1 { font-size: 18px; margin: 0 16px 0 0; font-weight: 600; }
  header button { font-size: 15px; padding: 4px 12px; }
  #where { font-family: "DejaVu Sans Mono", monospace; }
  main { display: grid; grid-template-columns: 1.2fr 1.4fr 1fr 1fr; gap: 10px; padding: 10px 16px; }
  section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px; min-height: 180px; overflow: auto; }
  section h2 { font-size: 14px; text-transform: uppercase; letter-spacing: .05em; color: #555; margin: 0 0 6px; }
  pre, code, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
  pre { margin: 0; white-space: pre-wrap; }
  .src .here { background: #fde8c8; }
  .strace { background: #f0f3f8; padding: 6px; border-radius: 4px; word-break: break-all; }
  .sentence { margin-top: 8px; font-size: 15px; }
  #packets li, #states li { cursor: pointer; margin: 2px 0; }
  #packets li.current { color: #d35400; font-weight: bold; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  td { border-bottom: 1px solid #eee; padding: 2px 4px; }
  #diagram { padding: 0 16px 24px; overflow: auto; }
  #diagram svg { background: #fff; border: 1px solid #ddd; max-width: none; }
  #diagram g.row { cursor: pointer; }
  .muted { color: #777; }
</style>
</head>
<body data-step="0">
<header>
  <h1>{{TITLE}}</h1>
  <button id="prev" title="←">◀ <span data-t="back"></span></button>
  <button id="next" title="→"><span data-t="next"></span> ▶</button>
  <span id="where"></span>
  <span style="flex:1"></span>
  <button id="lang-en" data-t="english"></button>
  <button id="lang-pt" data-t="portuguese"></button>
</header>
<main>
  <section><h2 data-t="code"></h2><pre class="src" id="source"></pre></section>
  <section><h2 data-t="syscall"></h2>
    <div class="strace mono" id="call"></div><div class="sentence" id="sentence"></div></section>
  <section><h2 data-t="packets"></h2><ul id="packets"></ul></section>
  <section><h2 data-t="states"></h2><table id="states"></table></section>
</main>
<p class="muted" style="padding:0 16px" data-t="keys"></p>
<div id="diagram">{{SVG}}</div>
<script id="run-data" type="application/json">{{DATA}}</script>
<script>
"use strict";
const D = JSON.parse(document.getElementById("run-data").textContent);
const steps = D.steps, rows = D.layout.rows, lanes = D.layout.lanes, events = D.events;
let cur = 0, uiLang = D.lang === "pt-BR" ? "pt" : "en";
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;"}[c]));
// The page's own words, from the catalog, in the language chosen on the page.
const T = (key) => D.ui[uiLang][key];

// The syscall a step belongs to: itself, or, for a packet, the syscall that caused it
// (none when the kernel sent it on its own: a delayed ACK, a retransmission).
function causeOf(i) {
  const st = steps[i];
  if (st.kind === "syscall") return i;
  const c = events[st.event].cause;
  if (c === undefined || c === null) return -1;
  return steps.findIndex((s) => s.event === c);
}
// The packets a syscall caused.
function packetsOf(s) {
  const out = [];
  steps.forEach((st, j) => { if (st.kind === "packet" && events[st.event].cause === steps[s].event) out.push(j); });
  return out;
}
function show(i) {
  if (!steps.length) return;
  cur = Math.max(0, Math.min(steps.length - 1, i));
  document.body.dataset.step = cur;
  const step = steps[cur];
  document.querySelectorAll("#diagram g.row.current").forEach((g) => g.classList.remove("current"));
  const g = $("row-" + step.row);
  if (g) { g.classList.add("current"); g.scrollIntoView({block: "nearest", inline: "nearest"}); }
  document.body.dataset.current = step.kind + ":" + (events[step.event].event.syscall || (events[step.event].event.packet ? events[step.event].event.packet.flags || "UDP" : "state"));
  $("where").textContent = (cur + 1) + " / " + steps.length;
  const c = causeOf(cur);
  const ev = c >= 0 ? events[steps[c].event].event : events[step.event].event;
  // Source.
  const src = ev.source ? D.sources[ev.source] : null;
  $("source").innerHTML = src
    ? "<b>" + esc(src.file) + "</b>\n" + src.lines.map(([n, t]) => "<span class='" + (n === src.line ? "here" : "") + "'>" + String(n).padStart(4) + "  " + esc(t) + "</span>").join("\n")
    : "<span class='muted'>" + esc(T("no-source")) + "</span>";
  // The call.
  // The sentence in the language chosen on the page (both were recorded for steps).
  const runLang = D.lang === "pt-BR" ? "pt" : "en";
  const said = (e) => (uiLang !== runLang && e.text_other) ? e.text_other : (e.text || "");
  if (c >= 0) {
    $("call").textContent = (ev.role ? "[" + ev.role + "] " : "") + (ev.call || "");
    $("sentence").textContent = said(ev);
  } else {
    $("call").textContent = "";
    $("sentence").textContent = said(events[step.event].event);
  }
  // Packets.
  const ps = c >= 0 ? packetsOf(c) : (step.kind === "packet" ? [cur] : []);
  $("packets").innerHTML = ps.length
    ? ps.map((j) => { const p = events[steps[j].event].event.packet; return "<li data-step='" + j + "' class='" + (j === cur ? "current" : "") + "'>#" + p.no + " " + esc(p.src) + " → " + esc(p.dst) + " <b>" + esc(p.flags || p.proto) + "</b> len=" + p.len + "</li>"; }).join("")
    : "<li class='muted'>" + esc(T("none")) + "</li>";
  document.querySelectorAll("#packets li[data-step]").forEach((li) => li.addEventListener("click", () => show(+li.dataset.step)));
  // States: every mark up to this step's row; a socket whose fd a successful close
  // released is shown closed from then on (never its last state before the close),
  // until a later mark (the kernel's table, or a new socket on the same fd) says more.
  const table = new Map();
  for (let r = 0; r <= step.row; r++) {
    const what = rows[r].what, ev = rows[r].event != null ? events[rows[r].event].event : null;
    if (what.kind === "syscall" && !what.failed && ev && ev.syscall === "close" && ev.fd != null) {
      const key = what.lane + "/" + ev.fd;
      if (table.has(key)) table.set(key, {lane: what.lane, fd: ev.fd, state: T("closed"), closed: true});
    }
    for (const m of rows[r].states) {
      // The kernel's CLOSED after our close: the fd is already released, as said.
      const old = table.get(m.lane + "/" + m.fd);
      if (old && old.closed && m.state === "CLOSED") continue;
      table.set(m.lane + "/" + m.fd, m);
    }
  }
  $("states").innerHTML = table.size
    ? [...table.values()].map((m) => "<tr><td>" + esc(lanes[m.lane].title) + "</td><td class='mono'>fd " + m.fd + "</td><td class='mono'><b>" + esc(m.state) + "</b></td></tr>").join("")
    : "<tr><td class='muted'>" + esc(T("no-socket")) + "</td></tr>";
}
function setLang(l) {
  uiLang = l;
  document.querySelectorAll("[data-t]").forEach((e) => { e.textContent = T(e.dataset.t); });
  document.documentElement.lang = l === "pt" ? "pt-BR" : "en";
  show(cur);
}
$("prev").addEventListener("click", () => show(cur - 1));
$("next").addEventListener("click", () => show(cur + 1));
$("lang-en").addEventListener("click", () => setLang("en"));
$("lang-pt").addEventListener("click", () => setLang("pt"));
document.addEventListener("keydown", (e) => {
  if (e.key === "ArrowRight" || e.key === "ArrowDown") { show(cur + 1); e.preventDefault(); }
  if (e.key === "ArrowLeft" || e.key === "ArrowUp") { show(cur - 1); e.preventDefault(); }
  if (e.key === "Home") { show(0); e.preventDefault(); }
  if (e.key === "End") { show(steps.length - 1); e.preventDefault(); }
});
document.querySelectorAll("#diagram g.row[data-event]").forEach((g) => g.addEventListener("click", () => {
  const r = +g.id.slice(4), i = steps.findIndex((s) => s.row === r);
  if (i >= 0) show(i);
}));
setLang(uiLang);
// #keys=ArrowRight,ArrowRight and #click=row-5: the same handlers, pressed for you.
for (const part of location.hash.slice(1).split("&")) {
  const [k, v] = part.split("=");
  if (k === "keys" && v) for (const key of v.split(",")) document.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true}));
  if (k === "click" && v) { const el = document.getElementById(v); if (el) el.dispatchEvent(new MouseEvent("click", {bubbles: true})); }
  if (k === "lang" && v) setLang(v === "pt" ? "pt" : "en");
}
</script>
</body>
</html>
"##;
