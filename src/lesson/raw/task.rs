//! A step's question: a quiz of choices, or a number to type.

use super::goal::finite;
use super::{Ctx, MAX_TRIES, RawStep};
use crate::lesson::{Task, Tolerance};

/// A numeric question: `answer` a number, `tolerance` a number or `"N%"`, `tries`.
pub(super) fn number(cx: &mut Ctx, n: usize, s: &RawStep) -> Option<Task> {
    let (Some(q), Some(answer)) = (&s.question, &s.answer) else {
        return None;
    };
    let v = answer.get_ref();
    let Some(a) = v.as_float().or_else(|| v.as_integer().map(|i| i as f64)) else {
        cx.at(
            answer.span().start,
            format!("step {n}: answer: a number to type, or add choices"),
        );
        return None;
    };
    let Ok(a) = finite(a) else {
        cx.at(
            answer.span().start,
            format!("step {n}: answer must be a finite number"),
        );
        return None;
    };
    let tolerance = match &s.tolerance {
        None => Tolerance::Relative(0.1),
        Some(t) => match tolerance(t.get_ref()) {
            Ok(t) => t,
            Err(e) => {
                cx.at(t.span().start, format!("step {n}: tolerance: {e}"));
                return None;
            }
        },
    };
    let tries = match &s.tries {
        None => 3,
        Some(t) if (1..=MAX_TRIES).contains(t.get_ref()) => *t.get_ref() as u32,
        Some(t) => {
            cx.at(t.span().start, format!("step {n}: tries: 1 to {MAX_TRIES}"));
            return None;
        }
    };
    if q.get_ref().trim().is_empty() {
        cx.at(q.span().start, format!("step {n}: question is empty"));
        return None;
    }
    let unit = s
        .unit
        .as_ref()
        .map(|u| u.get_ref().clone())
        .unwrap_or_default();
    if let Some(u) = &s.unit {
        cx.safe(u.span().start, &format!("step {n}: unit"), u.get_ref());
    }
    Some(Task::Number {
        question: q.get_ref().clone(),
        answer: a,
        tolerance,
        tries,
        unit,
    })
}

/// `5` (either way), `0.5`, or `"10%"`.
fn tolerance(v: &toml::Value) -> Result<Tolerance, String> {
    let bad = || "a number (either way) or a percentage like \"10%\"".to_string();
    let t = match v {
        toml::Value::Integer(i) => Tolerance::Absolute(*i as f64),
        toml::Value::Float(f) => Tolerance::Absolute(*f),
        toml::Value::String(s) => {
            let p: f64 = s
                .trim()
                .strip_suffix('%')
                .and_then(|p| p.trim().parse().ok())
                .ok_or_else(bad)?;
            Tolerance::Relative(p / 100.0)
        }
        _ => return Err(bad()),
    };
    let x = match t {
        Tolerance::Absolute(x) | Tolerance::Relative(x) => x,
    };
    if !(x.is_finite() && x >= 0.0) || matches!(t, Tolerance::Relative(f) if f > 1.0) {
        return Err(format!(
            "{} is out of range: 0 or more, at most 100%",
            t.words()
        ));
    }
    Ok(t)
}

pub(super) fn quiz(cx: &mut Ctx, n: usize, s: &RawStep) -> Option<Task> {
    let (Some(q), Some(choices), Some(answer)) = (&s.question, &s.choices, &s.answer) else {
        return None;
    };
    let k = choices.get_ref().len();
    if !(2..=5).contains(&k) {
        cx.at(
            choices.span().start,
            format!("step {n}: choices: {k} given, a quiz has 2 to 5"),
        );
        return None;
    }
    let Some(a) = answer.get_ref().as_integer() else {
        cx.at(
            answer.span().start,
            format!("step {n}: answer is the number of the right choice: 1 to {k}"),
        );
        return None;
    };
    if a < 1 || a as usize > k {
        cx.at(
            answer.span().start,
            format!("step {n}: answer {a} is not a choice: give 1 to {k} (1 is the first)"),
        );
        return None;
    }
    if q.get_ref().trim().is_empty() {
        cx.at(q.span().start, format!("step {n}: question is empty"));
        return None;
    }
    Some(Task::Quiz {
        question: q.get_ref().clone(),
        choices: choices
            .get_ref()
            .iter()
            .map(|c| c.get_ref().clone())
            .collect(),
        answer: a as usize - 1,
    })
}
