//! `evtchn-lab lessons check`, frame by frame: every question's first frame, as the
//! learner sees it when the question opens, drawn at 80×24 and 120×40 and read as text.
//!
//! The check fails, at the question's line, when the frame outside the lesson pane shows
//! - a figure the step veils, at its current value, in any way the panes write it
//!   ([`Figure::format`], with thousands separators, rounded, as a percentage);
//! - the right choice's own words (the whole choice, case and spaces aside), or one of
//!   its numbers of two or more significant digits (a numeric question: its answer), in
//!   the same ways.
//!
//! Numbers of one significant digit (a bit, `spurious_cnt 2`) are everywhere on a
//! screen (`port 5`, `step 2/6`) and are left to the veil's table, which the tests walk.
//! The lesson pane itself is the author's words, not the lab's: it is not read.
//!
//! A number can be on screen for another reason (`HZ 250` where 250 pauses were counted,
//! a chart's `500` axis where 500 events were). So the frame is drawn again with every
//! figure veiled: a right choice's number counts where that frame hides it (a figure's
//! value says it); a veiled figure's value where that frame still shows it (no other
//! figure's value, which the table maps) and it is a live reading, one that moves when
//! the lab runs on (gone from its row on a copy of the lab half a virtual second later;
//! `HZ 250` stays).

use std::sync::Arc;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use super::plain_text;
use crate::app::check::{self, Outcome};
use crate::app::{App, Lane, Msg, RunState, update};
use crate::lesson::{Catalog, Lesson, LogVeil, Problem, Task, Veiled};
use crate::sim::{Figure, FigureKind, Reading, Window};
use crate::ui::LabView;
use crate::ui::theme::Theme;

/// The terminal sizes every question's frame is read at.
pub const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// What `lessons check` found, the frames included.
#[derive(Clone, Debug, Default)]
pub struct FramesOutcome {
    pub check: Outcome,
    /// Question frames read at each of [`SIZES`].
    pub frames: [usize; SIZES.len()],
}

/// Check every lesson of `cat`: the replay (`app::check`), and every question's frame.
pub fn check_catalog(cat: &Arc<Catalog>) -> FramesOutcome {
    let mut out = FramesOutcome::default();
    for l in &cat.lessons {
        check_lesson(cat, l, &mut out);
    }
    out
}

/// Check one lesson of `cat` into `out`: its replay, and each of its questions' frames.
pub fn check_lesson(cat: &Arc<Catalog>, lesson: &Lesson, out: &mut FramesOutcome) {
    let frames = &mut out.frames;
    check::check_lesson_with(cat, lesson, &mut out.check, &mut |app, lesson, i| {
        let mut problems = Vec::new();
        for (k, &(w, h)) in SIZES.iter().enumerate() {
            frames[k] += 1;
            problems.extend(scan(app, lesson, i, w, h));
        }
        problems
    });
}

/// How far a copy of the lab runs on to tell live readings from text that stays.
pub const RUN_ON_NS: u64 = 500_000_000;

/// The frame of `app` at `w`×`h` (no colours: only the text is read).
pub fn frame(app: &App, w: u16, h: u16) -> Buffer {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    LabView {
        app,
        theme: &Theme::no_color(),
    }
    .render(area, &mut buf);
    buf
}

/// The frame of `app` at `w`×`h` as text, the lesson pane left blank.
pub fn frame_outside_lesson(app: &App, w: u16, h: u16) -> String {
    let area = Rect::new(0, 0, w, h);
    let mut buf = frame(app, w, h);
    if app.lesson_run().is_some() {
        let body = crate::ui::Screen::of(app, area).body;
        let lesson = crate::ui::lesson::pane_area(app, body).intersection(area);
        for y in lesson.top()..lesson.bottom() {
            for x in lesson.left()..lesson.right() {
                buf[(x, y)].set_symbol(" ");
            }
        }
    }
    plain_text(&buf)
}

/// A copy of `app` whose open question veils `veil` instead of its own.
fn veiling(app: &App, veil: Vec<Veiled>) -> App {
    let mut a = app.clone();
    if let Some(run) = app.lesson_run() {
        let mut cat = (*app.lessons).clone();
        if let Some(step) = cat
            .lessons
            .get_mut(run.lesson)
            .and_then(|l| l.steps.get_mut(run.step))
        {
            step.veil = veil;
        }
        a.lessons = Arc::new(cat);
    }
    a
}

/// A copy of `app`, run on by [`RUN_ON_NS`] (the question still open).
fn run_on(app: &App) -> App {
    let mut a = app.clone();
    let was = a.run;
    a.run = RunState::Running;
    update(&mut a, Msg::Elapse { ns: RUN_ON_NS });
    // As it was drawn (the status bar's run state takes room).
    a.run = was;
    a
}

/// A frame as rows of text.
struct Rows(Vec<String>);

impl Rows {
    fn of(app: &App, w: u16, h: u16) -> Rows {
        Rows(
            frame_outside_lesson(app, w, h)
                .lines()
                .map(str::to_string)
                .collect(),
        )
    }

    /// The rows that show one of `forms` as a number, with the form.
    fn showing<'a>(&'a self, forms: &'a [String]) -> impl Iterator<Item = (usize, &'a str)> {
        self.0.iter().enumerate().filter_map(move |(y, row)| {
            forms
                .iter()
                .find(|f| shows_number(row, f))
                .map(|f| (y, f.as_str()))
        })
    }

    fn row_shows(&self, y: usize, form: &str) -> bool {
        self.0.get(y).is_some_and(|r| shows_number(r, form))
    }
}

/// What step `i`'s question frame at `w`×`h` gives away.
pub fn scan(app: &App, lesson: &Lesson, i: usize, w: u16, h: u16) -> Vec<Problem> {
    let step = &lesson.steps[i];
    let text = frame_outside_lesson(app, w, h);
    let all: Vec<Veiled> = Figure::ALL
        .iter()
        .map(|&f| Veiled::Figure(f))
        .chain([Veiled::Log(LogVeil::Verdict)])
        .collect();
    let frames = Frames {
        seen: Rows(text.lines().map(str::to_string).collect()),
        unveilable: Rows::of(&veiling(app, all), w, h),
    };
    let mut found = veiled_leaks(app, &frames, w, h);
    found.extend(answer_leaks(&step.task, &text, &frames));
    found
        .into_iter()
        .map(|m| Problem {
            path: lesson.path.clone(),
            line: step.question_line,
            col: 1,
            message: format!(
                "step {}: the question gives its answer away: its frame at {w}x{h} {m}",
                i + 1
            ),
        })
        .collect()
}

/// A question's frame as seen, and the same frame with every figure veiled.
struct Frames {
    seen: Rows,
    unveilable: Rows,
}

impl Frames {
    /// A figure's value: on this row now, hidden there when every figure is veiled.
    fn a_value(&self, forms: &[String]) -> Option<String> {
        self.seen
            .showing(forms)
            .find(|&(y, f)| !self.unveilable.row_shows(y, f))
            .map(|(_, f)| format!("\"{f}\""))
    }
}

/// The figures the step veils that a pane shows all the same (a row the full veil hides
/// that changes once the lab runs on).
fn veiled_leaks(app: &App, frames: &Frames, w: u16, h: u16) -> Vec<String> {
    let mut found = Vec::new();
    let veil = app.veil();
    if veil.figures().next().is_none() {
        return found;
    }
    let later = Rows::of(&run_on(app), w, h);
    for f in veil.figures() {
        let leak = figure_values(app, f).into_iter().find_map(|v| {
            let forms = figure_forms(f, v);
            frames
                .seen
                .showing(&forms)
                .find(|&(y, s)| frames.unveilable.row_shows(y, s) && !later.row_shows(y, s))
                .map(|(_, s)| s.to_string())
        });
        if let Some(s) = leak {
            found.push(format!(
                "shows {f} (veiled) as \"{s}\": a pane shows it outside the veil's table"
            ));
        }
    }
    found
}

/// The question's answer on the screen `text`: a quiz's right choice (its words, its
/// numbers), a number question's answer.
fn answer_leaks(task: &Task, text: &str, frames: &Frames) -> Vec<String> {
    let mut found = Vec::new();
    match task {
        Task::Quiz {
            choices, answer, ..
        } => {
            let right = &choices[*answer];
            let words = normalized(right);
            if words.split(' ').count() >= 2 && normalized(text).contains(&words) {
                found.push(format!("shows the right choice's words \"{words}\""));
            }
            for n in numbers(right) {
                if let Some(s) = frames.a_value(&number_forms(&n)) {
                    found.push(format!(
                        "shows the right choice's number {} as {s}: add the figure that shows it to the step's veil",
                        n.written
                    ));
                }
            }
        }
        Task::Number { answer, .. } => {
            let n = Number {
                written: crate::lesson::format_number(*answer),
                value: *answer,
            };
            if significant(&n.written) >= 2
                && let Some(s) = frames.a_value(&number_forms(&n))
            {
                found.push(format!(
                    "shows the answer {} as {s}: add the figure that shows it to the step's veil",
                    n.written
                ));
            }
        }
        Task::Goal(_) | Task::Observe { .. } => {}
    }
    found
}

/// The values of `f` the lab can show now: over the last second, since the step began,
/// since the Counters pane's mark, over the whole run, or the state of the moment.
fn figure_values(app: &App, f: Figure) -> Vec<f64> {
    let lane: &Lane = &app.lane;
    let sim = lane.sim();
    let mark = app
        .lesson_run()
        .map_or(Reading::default(), |r| r.state.mark);
    let now = sim.reading();
    match f.kind() {
        FigureKind::State | FigureKind::SinceMark => {
            vec![sim.figure(f, &lane.last_second(), &mark)]
        }
        FigureKind::Window => {
            let n = sim.ports().count();
            let over = |from: Reading| Window { from, to: now }.figure(f, n);
            let mut v: Vec<f64> = [
                crate::ui::recent(lane, f),
                over(mark),
                over(lane.since().reading),
                over(Reading::default()),
            ]
            .into_iter()
            .flatten()
            .collect();
            if f == Figure::SpuriousRatio
                && let Some(p) = crate::ui::recent_spurious_pct(lane)
            {
                v.push(p / 100.0);
            }
            v
        }
    }
}

/// The ways a pane writes a figure's value, those of two or more significant digits.
fn figure_forms(f: Figure, v: f64) -> Vec<String> {
    let mut forms = vec![f.format(v), format!("{v:.0}"), thousands(v)];
    let pct = match f {
        Figure::SpuriousRatio => Some(v * 100.0),
        Figure::MaskedPct | Figure::PausedPct | Figure::Dom0CpuPct | Figure::GuestCpuPct => Some(v),
        _ => None,
    };
    if let Some(p) = pct {
        forms.extend([format!("{p:.0}%"), format!("{p:.1}%"), format!("{p:.1}")]);
    }
    keep_distinct(forms)
}

/// A number in a choice, as written and as a value.
struct Number {
    written: String,
    value: f64,
}

/// The numbers a choice writes: `2,160`, `0.25`, `98%`.
fn numbers(text: &str) -> Vec<Number> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit() && (i == 0 || !is_number_char(chars[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len()
            && (chars[j].is_ascii_digit()
                || (matches!(chars[j], '.' | ',')
                    && chars.get(j + 1).is_some_and(char::is_ascii_digit)))
        {
            j += 1;
        }
        let mut written: String = chars[i..j].iter().collect();
        if let Ok(value) = written.replace(',', "").parse::<f64>() {
            if chars.get(j) == Some(&'%') {
                written.push('%');
            }
            if significant(&written) >= 2 {
                out.push(Number { written, value });
            }
        }
        i = j.max(i + 1);
    }
    out
}

fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || c == '.' || c == ','
}

/// The ways a number can be written on screen: as written, plain, with thousands
/// separators, rounded, as a percentage.
fn number_forms(n: &Number) -> Vec<String> {
    let v = n.value;
    let mut forms = vec![
        n.written.clone(),
        n.written.replace(',', ""),
        crate::lesson::format_number(v),
        thousands(v),
        format!("{v:.0}"),
        format!("{v:.1}"),
        format!("{v:.2}"),
    ];
    if n.written.ends_with('%') {
        forms.push(crate::lesson::format_number(v / 100.0));
    } else {
        forms.push(format!("{:.0}%", v * 100.0));
    }
    keep_distinct(forms)
}

/// The forms of two or more significant digits, each once.
fn keep_distinct(forms: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(forms.len());
    for f in forms {
        if significant(&f) >= 2 && !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// `457,716` (an integer; `None` written as nothing for fractions).
fn thousands(v: f64) -> String {
    let r = v.round();
    if r.abs() >= 1e15 {
        return String::new();
    }
    crate::lesson::thousands(&format!("{r:.0}"))
}

/// Significant digits written: `0.25` has 2, `3.90` 3, `2` 1, `0` none.
fn significant(s: &str) -> usize {
    s.chars()
        .filter(char::is_ascii_digit)
        .skip_while(|&c| c == '0')
        .count()
}

/// Whether `text` shows `needle` as a number of its own (not inside a longer one: `549`
/// is not read in `1549` or `5.549`).
pub fn shows_number(text: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(k) = text[from..].find(needle) {
        let at = from + k;
        let end = at + needle.len();
        let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
        let before_ok = at == 0 || !matches!(bytes[at - 1], b'0'..=b'9' | b'.' | b',');
        // Not followed by a digit, or by a point or comma and a digit (`549.5`, `549,000`).
        let separator = matches!(bytes.get(end), Some(b'.' | b','));
        let longer = digit(end) || (separator && digit(end + 1));
        if before_ok && !longer {
            return true;
        }
        from = at + 1;
        while !text.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

/// Lower case, markup (`` ` ``, `*`) left out, every run of spaces one space.
fn normalized(text: &str) -> String {
    let lower: String = text
        .chars()
        .filter(|c| !matches!(c, '`' | '*'))
        .flat_map(char::to_lowercase)
        .collect();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_whole() {
        assert!(shows_number("goodput 549 Mbit/s", "549"));
        assert!(!shows_number("goodput 1549 Mbit/s", "549"));
        assert!(!shows_number("t 5.549s", "549"));
        assert!(!shows_number("2,549", "549"));
        assert!(!shows_number("549.5", "549"));
        assert!(shows_number("ratio 549. Next", "549"));
        assert!(shows_number("(1 s: 98%)", "98%"));
        let n: Vec<String> = numbers("About 2,160 Mbit/s, 0.25 of it, 98% or 2 or 7.")
            .into_iter()
            .map(|n| n.written)
            .collect();
        assert_eq!(n, ["2,160", "0.25", "98%"]);
        assert_eq!(significant("0.25"), 2);
        assert_eq!(significant("3.90"), 3);
        assert_eq!(significant("2"), 1);
        assert_eq!(thousands(457_716.0), "457,716");
        assert_eq!(
            normalized("Almost *all*:  `x`\nfollows"),
            "almost all: x follows"
        );
        let forms = figure_forms(Figure::Dom0CpuPct, 16.54);
        assert!(forms.contains(&"16.5".to_string()) && forms.contains(&"17%".to_string()));
    }
}
