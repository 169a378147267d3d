//! The lists of names a step gives: what it unlocks, veils, shows and lays out, and lane
//! B's knobs.

use toml::Spanned;

use super::keys::unlock_names;
use super::{Ctx, Entries, FIGURES_AT};
use crate::diag::unknown;
use crate::lesson::{LogVeil, Unlock, Veiled};
use crate::sim::{Figure, Knob, Setting};

/// `unlock`: a list of knobs (and `port`), or `"all"` (a challenge: every knob and the
/// port keys).
pub(super) fn unlocks(
    cx: &mut Ctx,
    n: usize,
    u: Option<&Spanned<toml::Value>>,
) -> (Vec<Unlock>, bool) {
    let Some(u) = u else {
        return (Vec::new(), false);
    };
    let at = u.span().start;
    match u.get_ref() {
        toml::Value::String(s) if s == "all" => {
            let mut all: Vec<Unlock> = Knob::ALL
                .iter()
                .filter(|k| **k != Knob::Seed)
                .map(|&k| Unlock::Knob(k))
                .collect();
            all.push(Unlock::Port);
            (all, true)
        }
        toml::Value::Array(items) => {
            // A value keeps no spans inside it: find each name in the list's own text.
            let list = &cx.text[u.span()];
            let mut from = 0;
            let mut v = Vec::new();
            for i in items {
                let Some(name) = i.as_str() else {
                    cx.at(at, format!("step {n}: unlock: knob names are strings"));
                    continue;
                };
                let item_at = list[from..].find(name).map_or(at, |k| {
                    from += k + name.len();
                    at + from - name.len() - 1
                });
                v.extend(unlock(cx, n, item_at, name));
            }
            (v, false)
        }
        _ => {
            cx.at(
                at,
                format!("step {n}: unlock is a list of knobs, like [\"throttle\"], or \"all\""),
            );
            (Vec::new(), false)
        }
    }
}

fn unlock(cx: &mut Ctx, n: usize, at: usize, name: &str) -> Option<Unlock> {
    if name == "port" {
        return Some(Unlock::Port);
    }
    match name.parse::<Knob>() {
        Ok(Knob::Seed) => {
            cx.at(
                at,
                format!("step {n}: unlock: the seed has no key in the lab; set it with scenario"),
            );
            None
        }
        Ok(k) => Some(Unlock::Knob(k)),
        Err(_) => {
            cx.at(
                at,
                format!(
                    "step {n}: unlock: {}",
                    unknown("knob", name, &unlock_names(), FIGURES_AT)
                ),
            );
            None
        }
    }
}

/// A list of names, each read by `parse`; a bad one is a problem where it stands.
pub(super) fn names<T>(
    cx: &mut Ctx,
    n: usize,
    key: &str,
    list: Option<&Spanned<Vec<Spanned<String>>>>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Vec<T> {
    let Some(list) = list else {
        return Vec::new();
    };
    list.get_ref()
        .iter()
        .filter_map(|name| match parse(name.get_ref()) {
            Ok(v) => Some(v),
            Err(e) => {
                cx.at(name.span().start, format!("step {n}: {key}: {e}"));
                None
            }
        })
        .collect()
}

/// A name in `veil`: a figure, or a kind of log line.
pub(super) fn veiled(name: &str) -> Result<Veiled, String> {
    if let Ok(f) = name.parse::<Figure>() {
        return Ok(Veiled::Figure(f));
    }
    name.parse::<LogVeil>().map(Veiled::Log).map_err(|_| {
        let names: Vec<&str> = Figure::NAMES
            .iter()
            .chain(LogVeil::NAMES)
            .copied()
            .collect();
        unknown("figure or kind of log line", name, &names, FIGURES_AT)
    })
}

/// `compare = { netback = "fixed" }`: lane B's knobs.
pub(super) fn compare(cx: &mut Ctx, n: usize, c: &Spanned<Entries>) -> Vec<Setting> {
    let mut out = Vec::new();
    for (key, value) in &c.get_ref().0 {
        let name = key.get_ref().as_str();
        let at = value.span().start;
        match name.parse::<Knob>() {
            Ok(k) => match k.parse(&value_text(value.get_ref())) {
                Ok(s) => out.push(s),
                Err(e) => cx.at(at, format!("step {n}: compare: {e}")),
            },
            Err(_) => cx.at(
                key.span().start,
                format!(
                    "step {n}: compare: {}",
                    unknown("knob", name, Knob::NAMES, FIGURES_AT)
                ),
            ),
        }
    }
    if out.is_empty() && cx.problems.is_empty() {
        cx.at(
            c.span().start,
            format!(
                "step {n}: compare names lane B's knobs, like compare = {{ netback = \"fixed\" }}"
            ),
        );
    }
    out
}

/// A TOML scalar as the text a knob parses.
pub(super) fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::String(s) => s.clone(),
        _ => String::new(),
    }
}
