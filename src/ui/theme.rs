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

/// The colours of one look, by role: each style of [`Theme::from_palette`] is written once
/// over them, for the dark look and the light one alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    /// Text, the screen's base and key labels.
    pub text: Color,
    /// Values, figures, code; the text of the status bar, knobs and overlays.
    pub strong: Color,
    /// Secondary text, borders, clear bits, axes, comments.
    pub dim: Color,
    /// Titles, names, stages; the background of keys and the current stage.
    pub accent: Color,
    /// Text on `accent`.
    pub on_accent: Color,
    /// Work found, unmasked, flowing.
    pub good: Color,
    /// Running, an open strip cell; the background of a sound knob or operator.
    pub go: Color,
    /// Text on `go`.
    pub on_go: Color,
    /// Spurious, throttled, a paused strip cell.
    pub bad: Color,
    /// The background of a knob or operator that hurts.
    pub alarm: Color,
    /// Text on `alarm`.
    pub on_alarm: Color,
    /// Masked, waiting, notices; the background of a bit that just changed.
    pub warn: Color,
    /// Text on `warn`.
    pub on_warn: Color,
    /// A set bit, knob marks on the chart.
    pub hot: Color,
    /// The background of "paused".
    pub pause: Color,
    /// Text on `pause`.
    pub on_pause: Color,
    /// The chart's lanes A and B.
    pub chart_a: Color,
    pub chart_b: Color,
    /// Backgrounds: the status bar, a knob, an overlay, the explain cursor's row.
    pub status_bg: Color,
    pub knob_bg: Color,
    pub overlay_bg: Color,
    pub cursor_bg: Color,
}

impl Palette {
    /// Light text on a dark terminal.
    pub const DARK: Palette = Palette {
        text: Color::Gray,
        strong: Color::White,
        dim: Color::DarkGray,
        accent: Color::Cyan,
        on_accent: Color::Black,
        good: Color::LightGreen,
        go: Color::Green,
        on_go: Color::Black,
        bad: Color::LightRed,
        alarm: Color::Red,
        on_alarm: Color::White,
        warn: Color::Yellow,
        on_warn: Color::Black,
        hot: Color::Yellow,
        pause: Color::Yellow,
        on_pause: Color::Black,
        chart_a: Color::LightCyan,
        chart_b: Color::LightMagenta,
        status_bg: Color::Indexed(236),
        knob_bg: Color::Indexed(238),
        overlay_bg: Color::Indexed(235),
        cursor_bg: Color::DarkGray,
    };

    /// Dark text on a light terminal.
    pub const LIGHT: Palette = Palette {
        text: Color::Black,
        strong: Color::Black,
        // ANSI 7 (Gray) is near-invisible on a light background: ANSI 8.
        dim: Color::DarkGray,
        accent: Color::Blue,
        on_accent: Color::White,
        good: Color::Green,
        go: Color::Green,
        on_go: Color::White,
        bad: Color::Red,
        alarm: Color::Red,
        on_alarm: Color::White,
        warn: Color::Magenta,
        on_warn: Color::White,
        hot: Color::Red,
        pause: Color::Yellow,
        on_pause: Color::Black,
        chart_a: Color::Blue,
        chart_b: Color::Magenta,
        status_bg: Color::Indexed(253),
        knob_bg: Color::Indexed(250),
        overlay_bg: Color::Indexed(255),
        cursor_bg: Color::Gray,
    };
}

impl Theme {
    pub fn dark() -> Self {
        Theme::from_palette(ThemeKind::Dark, &Palette::DARK)
    }

    pub fn light() -> Self {
        Theme::from_palette(ThemeKind::Light, &Palette::LIGHT)
    }

    /// Every style of a look, from its palette's roles.
    pub fn from_palette(kind: ThemeKind, p: &Palette) -> Self {
        let fg = |c: Color| Style::new().fg(c);
        let bold = |c: Color| fg(c).add_modifier(Modifier::BOLD);
        let on = |c: Color, bg: Color| bold(c).bg(bg);
        Theme {
            kind,
            base: fg(p.text),
            border: fg(p.dim),
            title: bold(p.accent),
            text: fg(p.text),
            dim: fg(p.dim),
            name: fg(p.accent),
            value: bold(p.strong),
            key: on(p.on_accent, p.accent),
            key_label: fg(p.text),
            status: fg(p.strong).bg(p.status_bg),
            knob: on(p.strong, p.knob_bg),
            knob_bad: on(p.on_alarm, p.alarm),
            knob_good: on(p.on_go, p.go),
            running: bold(p.go),
            paused: on(p.on_pause, p.pause),
            notice: fg(p.warn),
            bit_set: bold(p.hot),
            bit_clear: fg(p.dim),
            bit_changed: on(p.on_warn, p.warn),
            bad: bold(p.bad),
            good: fg(p.good),
            warn: fg(p.warn),
            stage_current: on(p.on_accent, p.accent),
            cursor: Style::new().bg(p.cursor_bg),
            stage: fg(p.accent),
            op_buggy: on(p.on_alarm, p.alarm),
            op_fixed: on(p.on_go, p.go),
            code: fg(p.strong),
            comment: fg(p.dim).add_modifier(Modifier::ITALIC),
            chart_a: fg(p.chart_a),
            chart_b: fg(p.chart_b),
            axis: fg(p.dim),
            mark: fg(p.hot),
            strip_open: fg(p.go),
            strip_paused: fg(p.bad),
            overlay: fg(p.strong).bg(p.overlay_bg),
            overlay_border: fg(p.accent).bg(p.overlay_bg),
            figure: bold(p.strong),
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
