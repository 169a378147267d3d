//! Explain mode (`x`): each row a live pane draws is tagged with a row id while the frame is
//! drawn ([`record_rows`]); the row under the cursor is highlighted and explained in a box:
//! what it is, which function changes it on what condition, the file, and its value's
//! cause right now (for a port: its mask reasons and the transition that set them).
//!
//! The words are data, `explain.toml` beside this file (built in, parsed once); a row is
//! matched to its entry by its pane and its text.
//!
//! ```text
//! ┌ Explain · ports.port (Ports) ───────────────────────────────────────────────┐
//! │ what  One event channel bound to the guest: pending / masked / selector …   │
//! │ by    pending: Xen evtchn_2l_set_pending …; masked: lateeoi_ack_dynirq …     │
//! │ when  a notify sets pending …                                               │
//! │ read  xen/common/event_2l.c, drivers/xen/events/events_base.c               │
//! │ now   port 5 is masked by EOI_PENDING (late EOI), set by lateeoi_ack_dynirq │
//! │       → do_mask at 1.999995s; …                                             │
//! └ ↑↓←→ row · click a row · x Esc leave ───────────────────────────────────────┘
//! ```

use std::sync::OnceLock;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Widget};
use serde::Deserialize;

use crate::app::{App, narrate};
use crate::lesson::Pane;
use crate::sim::TraceKind;
use crate::sim::events_base::mask_reason;

use super::theme::Theme;
use super::{arrange, pane, title};

/// The explanations, as written.
pub const SOURCE: &str = include_str!("explain.toml");

/// One row's explanation.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Stable: `pane.thing` (`ports.port`, `log.late_eoi`, …).
    pub id: String,
    /// The pane's title word(s), as [`arrange::title`] names it.
    pub pane: String,
    /// Patterns of the row's text: `*` any text, `#` one or more digits.
    #[serde(rename = "match")]
    pub patterns: Vec<String>,
    pub what: String,
    pub changed_by: String,
    pub condition: String,
    pub file: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    row: Vec<Entry>,
}

/// The entries of `text`, checked: ids unique, every pane one the lab draws.
pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let file: File = toml::from_str(text).map_err(|e| format!("explain.toml: {e}"))?;
    let panes: Vec<&str> = Pane::ALL.iter().map(|&p| arrange::title(p)).collect();
    for (i, e) in file.row.iter().enumerate() {
        if file.row[..i].iter().any(|o| o.id == e.id) {
            return Err(format!("explain.toml: row id {:?} given twice", e.id));
        }
        if !panes.contains(&e.pane.as_str()) {
            return Err(format!(
                "explain.toml: row {:?}: pane {:?} is none of {}",
                e.id,
                e.pane,
                panes.join(", ")
            ));
        }
    }
    Ok(file.row)
}

/// The built-in entries (parsed on first use), or why they cannot be read.
pub fn entries() -> Result<&'static [Entry], &'static str> {
    static ENTRIES: OnceLock<Result<Vec<Entry>, String>> = OnceLock::new();
    match ENTRIES.get_or_init(|| parse(SOURCE)) {
        Ok(v) => Ok(v),
        Err(e) => Err(e),
    }
}

/// The entry with this id.
pub fn entry(id: &str) -> Option<&'static Entry> {
    entries().ok()?.iter().find(|e| e.id == id)
}

/// Whether `text` matches `pattern` (`*` any text, `#` one or more ASCII digits); on the
/// strings as they are (no copies: every row of a frame is matched).
fn matches(pattern: &str, text: &str) -> bool {
    let mut p = pattern.chars();
    match p.next() {
        None => text.is_empty(),
        Some('*') => {
            let rest = p.as_str();
            text.char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .any(|i| matches(rest, &text[i..]))
        }
        Some('#') => {
            let rest = p.as_str();
            let digits = text.bytes().take_while(u8::is_ascii_digit).count();
            (1..=digits).any(|i| matches(rest, &text[i..]))
        }
        Some(c) => text.strip_prefix(c).is_some_and(|t| matches(p.as_str(), t)),
    }
}

/// The entry of a row of `pane` reading `text`: its leading spaces and `▶` mark left out,
/// the pane's first entry with a pattern that matches.
fn classify(pane: Pane, text: &str) -> Option<&'static Entry> {
    let name = arrange::title(pane);
    // The pipeline's rows: a two-column mark (`▶ ` on the latest stage), then the stage.
    let stage = pane == Pane::EoiFlow && (text.starts_with("  ") || text.starts_with("▶ "));
    let mut text = text.trim_start_matches([' ', '▶']).trim_end();
    if pane == Pane::EoiFlow && !stage {
        // A log line: its time stamp, then the port the words are about.
        text = strip(text, "#.#s ");
        text = strip(text, "port #: ");
    }
    entries().ok()?.iter().find(|e| {
        e.pane == name
            && (!stage || e.id.starts_with("flow."))
            && e.patterns.iter().any(|p| matches(p, text))
    })
}

/// `text` without a start that matches `prefix` (a pattern without `*`).
fn strip<'t>(text: &'t str, prefix: &str) -> &'t str {
    // `#` takes every digit there is (a prefix needs no backtracking).
    let mut rest = text;
    for pc in prefix.chars() {
        let next = if pc == '#' {
            Some(rest.trim_start_matches(|c: char| c.is_ascii_digit()))
                .filter(|r| r.len() < rest.len())
        } else {
            rest.strip_prefix(pc)
        };
        match next {
            Some(r) => rest = r,
            None => return text,
        }
    }
    rest
}

pub use super::rows::Drawn;

/// Run `draw` (on this thread) and return what it returned with every row the live panes
/// drew meanwhile, each tagged with its entry: found by its text, except that in the EOI
/// flow a line indented three spaces or more is the rest of the one above (a wrapped
/// transition or stage).
pub fn record_rows<R>(draw: impl FnOnce() -> R) -> (R, Vec<Drawn>) {
    let (r, mut rows) = super::rows::record(draw);
    for i in 0..rows.len() {
        if rows[i].id.is_some() {
            continue;
        }
        let d = &rows[i];
        let above = i
            .checked_sub(1)
            .map(|j| &rows[j])
            .filter(|a| a.pane == d.pane && a.row.x == d.row.x && a.row.y + 1 == d.row.y);
        let rest = d.pane == Pane::EoiFlow && d.text.starts_with("   ");
        rows[i].id = match above {
            Some(a) if rest => a.id,
            _ => classify(d.pane, &d.text).map(|e| e.id.as_str()),
        };
    }
    (r, rows)
}

/// The drawn row under the cursor (`x`, `y`), or the nearest one.
pub fn under(rows: &[Drawn], x: u16, y: u16) -> Option<&Drawn> {
    rows.iter().min_by_key(|d| {
        let r = d.row;
        let dx = if x < r.x {
            r.x - x
        } else {
            x.saturating_sub(r.right().saturating_sub(1))
        };
        (r.y.abs_diff(y), dx)
    })
}

/// What makes the row read as it does now, from the simulation's state: for a port's row,
/// whether it is masked, by which reasons, set by which function at which virtual time.
pub fn cause_now(app: &App, d: &Drawn) -> String {
    match d.id {
        Some("ports.port" | "ports.figures") => {
            let port = d
                .text
                .split(|c: char| !c.is_ascii_digit())
                .find(|s| !s.is_empty())
                .and_then(|s| s.parse::<u32>().ok());
            match port {
                Some(p) => port_cause(app, p),
                None => "no port on this row".to_string(),
            }
        }
        _ => format!("it reads \"{}\"", d.text.trim()),
    }
}

/// Why `port` is masked (or that it is not), from its mask reasons and the trace.
fn port_cause(app: &App, port: u32) -> String {
    let sim = app.lane.sim();
    let Some(p) = sim.ports().find(|v| v.port == port) else {
        return format!("port {port} is not bound to this guest");
    };
    if !p.masked && p.mask_reason == 0 {
        return format!("port {port} is not masked: dom0 holds no mask reason on it");
    }
    // The newest transition that set a reason, with its virtual time.
    let set_by = |want: fn(&TraceKind) -> bool| {
        sim.trace()
            .last(sim.trace().capacity())
            .rev()
            .find(|e| e.kind.port() == Some(port) && want(&e.kind))
            .map_or_else(
                || "before the oldest transition kept".to_string(),
                |e| format!("at {}", narrate::time_stamp(e.t_ns)),
            )
    };
    let mut why = Vec::with_capacity(3);
    if p.mask_reason & mask_reason::EOI_PENDING != 0 {
        let at = set_by(|k| matches!(k, TraceKind::Ack { masked: true, .. }));
        why.push(format!(
            "reason EOI_PENDING (late EOI), set by lateeoi_ack_dynirq → do_mask {at}; \
             cleared by xen_irq_lateeoi_locked → do_unmask"
        ));
    }
    if p.mask_reason & mask_reason::EXPLICIT != 0 {
        let at = set_by(|k| matches!(k, TraceKind::Mask { .. }));
        why.push(format!(
            "reason EXPLICIT (mask_irq), set by mask_irq → do_mask {at} (m by hand); u clears it"
        ));
    }
    if p.mask_reason & mask_reason::TEMPORARY != 0 {
        why.push("reason TEMPORARY, set by do_mask around a rebind".to_string());
    }
    if p.mask_reason == 0 {
        why.push("the mask bit is set with no reason held (set outside dom0's mask_irq)".into());
    }
    let mut s = format!("port {port} is masked: {}", why.join("; "));
    let core = sim.event_core();
    if p.on_eoi_list {
        s.push_str(&format!(
            "; paused on the delayed-EOI list until jiffy {} (now {})",
            core.irq(port).eoi_time,
            sim.jiffies()
        ));
    }
    s.push_str(" (mask reasons: names since 25da4618af24, March 2021)");
    s
}

/// The explain box: the row under the cursor highlighted and explained over the half of
/// `body` away from it.
pub struct ExplainView<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
    pub rows: &'a [Drawn],
}

/// The explanation's box: half the body's height, within these bounds.
const BOX_MIN_HEIGHT: u16 = 3;
const BOX_MAX_HEIGHT: u16 = 12;

impl Widget for ExplainView<'_> {
    fn render(self, body: Rect, buf: &mut Buffer) {
        let ExplainView {
            app,
            theme: t,
            rows,
        } = self;
        let here = under(rows, app.explain.x, app.explain.y);
        if let Some(d) = here {
            buf.set_style(d.row, t.cursor);
        }
        let h = (body.height / 2).clamp(BOX_MIN_HEIGHT, BOX_MAX_HEIGHT);
        let width = usize::from(body.width.saturating_sub(2));
        // Each field's words hang under themselves, after the field's name.
        let field = |name: &str, text: String, style| {
            super::fit::hang(
                vec![Span::styled(format!(" {name:<5} "), t.name)],
                &[(text, style)],
                width,
            )
        };
        let lines: Vec<Line> = match (entries(), here) {
            (Err(e), _) => vec![Line::styled(format!(" {e}"), t.bad)],
            (_, None) => vec![Line::styled(
                " no row here: ↑↓←→ move the cursor, or click a row",
                t.dim,
            )],
            (_, Some(d)) => match d.id.and_then(entry) {
                None => vec![Line::styled(
                    format!(" no explanation for this row of {}", arrange::title(d.pane)),
                    t.bad,
                )],
                Some(e) => [
                    // First: what a short box must not cut, the value's cause now.
                    ("now", cause_now(app, d), t.warn),
                    ("what", e.what.clone(), t.text),
                    ("by", e.changed_by.clone(), t.text),
                    ("when", e.condition.clone(), t.text),
                    ("read", e.file.clone(), t.value),
                ]
                .into_iter()
                .flat_map(|(n, text, style)| field(n, text, style))
                .collect(),
            },
        };
        let top = here.is_some_and(|d| d.row.y >= body.y + body.height / 2);
        let y = if top { body.y } else { body.bottom() - h };
        let area = Rect::new(body.x, y, body.width, h);
        let name = here.map_or_else(String::new, |d| {
            format!(" · {} ({})", d.id.unwrap_or("?"), arrange::title(d.pane))
        });
        let block = pane(title(vec![Span::raw("Explain"), Span::raw(name)]), t).title_bottom(
            Line::styled(" ↑↓←→ row · click a row · x Esc leave ", t.dim),
        );
        let inner = block.inner(area);
        Clear.render(area, buf);
        buf.set_style(area, t.base);
        block.render(area, buf);
        // Wrapped already (`fit::hang`): the lab's own fast line writer.
        super::put_lines(&lines, inner, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        matches(p, t)
    }

    #[test]
    fn patterns_match_digits_and_any_text() {
        assert!(m("# [*", "5 [1/0/1] common -"));
        assert!(m("# 1 s: *", "12 1 s: 5 ev"));
        assert!(!m("# [*", "port [p/m/s] role"));
        assert!(!m("# 1 s: *", "1 s: 5 ev"));
        assert!(m("*EOI*", "late EOI, SPURIOUS"));
        assert!(!m("*EOI*", "unmasked"));
        assert!(m("}", "}"));
        assert!(!m("}", "} x"));
    }

    #[test]
    fn a_log_lines_stamp_and_port_are_left_out() {
        assert_eq!(
            strip("1.000002s port 5: unmasked", "#.#s "),
            "port 5: unmasked"
        );
        assert_eq!(strip("port 12: unmasked", "port #: "), "unmasked");
        assert_eq!(
            strip("dom0 vCPU0: upcall loop", "port #: "),
            "dom0 vCPU0: upcall loop"
        );
        let id = |t: &str| classify(Pane::EoiFlow, t).map(|e| e.id.as_str());
        assert_eq!(
            id(" 1.000000s worker's EOI: spurious_cnt 0 → unmask"),
            Some("log.late_eoi")
        );
        assert_eq!(
            id(" 1.0s port 5: unmasked → held notify delivered now (unmask_evtchn)"),
            Some("log.unmask")
        );
        assert_eq!(
            id(" guest notifies (TX) → masked: held pending"),
            Some("log.notify")
        );
        assert_eq!(id("▶ handler  found TX work"), Some("flow.handler"));
        // The same words as a stage and as a log line.
        assert_eq!(
            id("  late EOI late EOI from NAPI poll"),
            Some("flow.late_eoi")
        );
        assert_eq!(
            id(" late EOI from NAPI poll: spurious_cnt 0"),
            Some("log.late_eoi")
        );
        assert_eq!(id(" upcall handles the event"), Some("log.deliver"));
        assert_eq!(id("  upcall   dom0 vCPU0 upcall loop"), Some("flow.upcall"));
        assert_eq!(id(" something new"), None);
    }

    #[test]
    fn the_built_in_explanations_parse() {
        let v = entries().expect("explain.toml parses");
        assert!(v.len() > 40, "{} entries", v.len());
        assert!(entry("ports.port").is_some());
    }

    #[test]
    fn a_bad_file_says_what_is_wrong() {
        let twice = "[[row]]\nid='a'\npane='Ports'\nmatch=[]\nwhat=''\nchanged_by=''\ncondition=''\nfile=''\n";
        let e = parse(&format!("{twice}{twice}")).unwrap_err();
        assert!(e.contains("\"a\" given twice"), "{e}");
        let e = parse(&twice.replace("Ports", "Nope")).unwrap_err();
        assert!(e.contains("pane \"Nope\" is none of Ports"), "{e}");
        assert!(parse("row = 3").unwrap_err().starts_with("explain.toml:"));
    }
}
