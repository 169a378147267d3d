//! Every style of the lab, in one struct: a dark theme (default), a light theme
//! (`--theme light`) and a no-colour theme (`NO_COLOR`).
//!
//! Colour is never the only cue: every state also reads as text or a symbol (bits are
//! `0`/`1`, verdicts are words, the current stage has `▶`), so the no-colour theme keeps
//! only modifiers (bold, reversed, underlined).

use ratatui::style::{Color, Modifier, Style};

/// Colour theme of the lab. `NO_COLOR` (set and not empty) overrides it: no colours at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ThemeName {
    /// Light text on a dark terminal.
    #[default]
    Dark,
    /// Dark text on a light terminal.
    Light,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeKind {
    Dark,
    Light,
    NoColor,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub kind: ThemeKind,
    /// The whole screen's base.
    pub base: Style,
    pub border: Style,
    pub title: Style,
    pub text: Style,
    /// Secondary text: units, notes, legends.
    pub dim: Style,
    /// Names of counters and fields (kernel names).
    pub name: Style,
    /// Their values.
    pub value: Style,
    /// A key in the footer or the help.
    pub key: Style,
    pub key_label: Style,
    pub status: Style,
    /// A clickable knob in the status bar.
    pub knob: Style,
    /// A knob in a state that hurts (buggy netback, …).
    pub knob_bad: Style,
    pub knob_good: Style,
    pub running: Style,
    pub paused: Style,
    pub notice: Style,
    /// A bit that is 1 / 0, and one that just changed.
    pub bit_set: Style,
    pub bit_clear: Style,
    pub bit_changed: Style,
    /// Something bad happened: spurious, throttled, paused.
    pub bad: Style,
    /// Work found, unmasked, flowing.
    pub good: Style,
    /// Masked, waiting: in between.
    pub warn: Style,
    /// The pipeline's current stage.
    pub stage_current: Style,
    /// The row under the explain cursor (`x`).
    pub cursor: Style,
    pub stage: Style,
    /// netback's operator, buggy / fixed.
    pub op_buggy: Style,
    pub op_fixed: Style,
    pub code: Style,
    pub comment: Style,
    pub chart_a: Style,
    pub chart_b: Style,
    pub axis: Style,
    /// Knob marks on the chart.
    pub mark: Style,
    pub strip_open: Style,
    pub strip_paused: Style,
    pub overlay: Style,
    pub overlay_border: Style,
    pub figure: Style,
    /// A glossary term in lesson text, where a step first uses it (patched over the text's
    /// own style: underlined, so it reads without colour too).
    pub term: Style,
}

impl Theme {
    pub fn dark() -> Self {
        let fg = Color::Gray;
        Theme {
            kind: ThemeKind::Dark,
            base: Style::new().fg(fg),
            border: Style::new().fg(Color::DarkGray),
            title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            text: Style::new().fg(fg),
            dim: Style::new().fg(Color::DarkGray),
            name: Style::new().fg(Color::Cyan),
            value: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
            key: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            key_label: Style::new().fg(fg),
            status: Style::new().fg(Color::White).bg(Color::Indexed(236)),
            knob: Style::new()
                .fg(Color::White)
                .bg(Color::Indexed(238))
                .add_modifier(Modifier::BOLD),
            knob_bad: Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            knob_good: Style::new()
                .fg(Color::Black)
                .bg(Color::Green)
                .add_modifier(Modifier::BOLD),
            running: Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
            paused: Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            notice: Style::new().fg(Color::Yellow),
            bit_set: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            bit_clear: Style::new().fg(Color::DarkGray),
            bit_changed: Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            bad: Style::new()
                .fg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
            good: Style::new().fg(Color::LightGreen),
            warn: Style::new().fg(Color::Yellow),
            stage_current: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            cursor: Style::new().bg(Color::DarkGray),
            stage: Style::new().fg(Color::Cyan),
            op_buggy: Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            op_fixed: Style::new()
                .fg(Color::Black)
                .bg(Color::Green)
                .add_modifier(Modifier::BOLD),
            code: Style::new().fg(Color::White),
            comment: Style::new()
                .fg(Color::DarkGray)
                .add_modifier(Modifier::ITALIC),
            chart_a: Style::new().fg(Color::LightCyan),
            chart_b: Style::new().fg(Color::LightMagenta),
            axis: Style::new().fg(Color::DarkGray),
            mark: Style::new().fg(Color::Yellow),
            strip_open: Style::new().fg(Color::Green),
            strip_paused: Style::new().fg(Color::LightRed),
            overlay: Style::new().fg(Color::White).bg(Color::Indexed(235)),
            overlay_border: Style::new().fg(Color::Cyan).bg(Color::Indexed(235)),
            figure: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
            term: Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }

    pub fn light() -> Self {
        let fg = Color::Black;
        Theme {
            kind: ThemeKind::Light,
            base: Style::new().fg(fg),
            // ANSI 7 (Gray) is near-invisible on a light background: use ANSI 8.
            border: Style::new().fg(Color::DarkGray),
            title: Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
            text: Style::new().fg(fg),
            dim: Style::new().fg(Color::DarkGray),
            name: Style::new().fg(Color::Blue),
            value: Style::new().fg(Color::Black).add_modifier(Modifier::BOLD),
            key: Style::new()
                .fg(Color::White)
                .bg(Color::Blue)
                .add_modifier(Modifier::BOLD),
            key_label: Style::new().fg(fg),
            status: Style::new().fg(Color::Black).bg(Color::Indexed(253)),
            knob: Style::new()
                .fg(Color::Black)
                .bg(Color::Indexed(250))
                .add_modifier(Modifier::BOLD),
            knob_bad: Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            knob_good: Style::new()
                .fg(Color::White)
                .bg(Color::Green)
                .add_modifier(Modifier::BOLD),
            running: Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
            paused: Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            notice: Style::new().fg(Color::Magenta),
            bit_set: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            bit_clear: Style::new().fg(Color::DarkGray),
            bit_changed: Style::new()
                .fg(Color::White)
                .bg(Color::Magenta)
                .add_modifier(Modifier::BOLD),
            bad: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            good: Style::new().fg(Color::Green),
            warn: Style::new().fg(Color::Magenta),
            stage_current: Style::new()
                .fg(Color::White)
                .bg(Color::Blue)
                .add_modifier(Modifier::BOLD),
            cursor: Style::new().bg(Color::Gray),
            stage: Style::new().fg(Color::Blue),
            op_buggy: Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            op_fixed: Style::new()
                .fg(Color::White)
                .bg(Color::Green)
                .add_modifier(Modifier::BOLD),
            code: Style::new().fg(Color::Black),
            comment: Style::new()
                .fg(Color::DarkGray)
                .add_modifier(Modifier::ITALIC),
            chart_a: Style::new().fg(Color::Blue),
            chart_b: Style::new().fg(Color::Magenta),
            axis: Style::new().fg(Color::DarkGray),
            mark: Style::new().fg(Color::Red),
            strip_open: Style::new().fg(Color::Green),
            strip_paused: Style::new().fg(Color::Red),
            overlay: Style::new().fg(Color::Black).bg(Color::Indexed(255)),
            overlay_border: Style::new().fg(Color::Blue).bg(Color::Indexed(255)),
            figure: Style::new().fg(Color::Black).add_modifier(Modifier::BOLD),
            term: Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }

    /// No colour at all (`NO_COLOR`): modifiers only.
    pub fn no_color() -> Self {
        let plain = Style::new();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let rev = Style::new().add_modifier(Modifier::REVERSED);
        let rev_bold = rev.add_modifier(Modifier::BOLD);
        Theme {
            kind: ThemeKind::NoColor,
            base: plain,
            border: plain,
            title: bold,
            text: plain,
            dim: plain,
            name: plain,
            value: bold,
            key: rev_bold,
            key_label: plain,
            status: rev,
            knob: plain.add_modifier(Modifier::UNDERLINED),
            knob_bad: bold.add_modifier(Modifier::UNDERLINED),
            knob_good: plain.add_modifier(Modifier::UNDERLINED),
            running: bold,
            paused: bold,
            notice: bold,
            bit_set: bold,
            bit_clear: plain,
            bit_changed: rev_bold,
            bad: bold,
            good: plain,
            warn: plain,
            stage_current: rev_bold,
            cursor: rev,
            stage: plain,
            op_buggy: rev_bold,
            op_fixed: rev_bold,
            code: plain,
            comment: plain,
            chart_a: plain,
            chart_b: plain,
            axis: plain,
            mark: bold,
            strip_open: plain,
            strip_paused: plain,
            overlay: plain,
            overlay_border: bold,
            figure: bold,
            term: plain.add_modifier(Modifier::UNDERLINED),
        }
    }

    /// The theme asked for, unless `no_color` (the `NO_COLOR` convention: set and not empty).
    pub fn pick(light: bool, no_color: bool) -> Self {
        match (no_color, light) {
            (true, _) => Theme::no_color(),
            (false, true) => Theme::light(),
            (false, false) => Theme::dark(),
        }
    }

    /// The theme named on the command line, unless `NO_COLOR` asks for none (read here,
    /// once at start-up, never in render).
    pub fn named(name: ThemeName) -> Self {
        Theme::pick(name == ThemeName::Light, Theme::no_color_requested())
    }

    /// Whether `NO_COLOR` asks for no colour (read once at start-up, never in render).
    pub fn no_color_requested() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::dark()
    }
}
