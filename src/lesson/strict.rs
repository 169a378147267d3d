//! `lessons check --strict`: the curriculum's rules, on top of what every lesson file must
//! follow and the lints every check runs (`lint`: choices, two hints or more in tiers). A draft may break them (the default check is lenient); the shipped catalogue
//! keeps them (CI runs `--strict` on it).
//!
//! - 3 to 8 steps: one idea a step, and a lesson a learner finishes in one sitting;
//! - at least one question (predict first) and one goal on the live simulation (then see);
//! - the last step's explanation names a source file of Linux, Xen or FreeBSD
//!   (`drivers/…`, `xen/…`, `sys/…`, `include/…`): where the learner reads the real thing.

use super::{Lesson, Problem, Task};

/// Steps a curriculum lesson has, at least and at most.
pub const STEPS: std::ops::RangeInclusive<usize> = 3..=8;

/// The curriculum rules `lesson` breaks, each at the line it concerns.
pub fn problems(lesson: &Lesson) -> Vec<Problem> {
    let mut out = Vec::new();
    let at = |line: usize, message: String| Problem {
        path: lesson.path.clone(),
        line,
        col: 1,
        message: format!("--strict: {message}"),
    };
    let first = lesson.steps.first().map_or(1, |s| s.line);
    let n = lesson.steps.len();
    if !STEPS.contains(&n) {
        out.push(at(
            first,
            format!(
                "{n} steps: a curriculum lesson has {} to {} (one idea a step)",
                STEPS.start(),
                STEPS.end()
            ),
        ));
    }
    if !lesson.steps.iter().any(|s| s.is_quiz()) {
        out.push(at(
            first,
            "no question: ask the learner to predict before the step that shows the answer".into(),
        ));
    }
    if !lesson.steps.iter().any(|s| matches!(s.task, Task::Goal(_))) {
        out.push(at(
            first,
            "no goal: let the learner do something on the live simulation".into(),
        ));
    }
    if let Some(last) = lesson.steps.last()
        && !names_a_source_file(&last.explain)
    {
        out.push(at(
            last.line,
            format!(
                "step {n}: the last explanation names no source file: end with where to read \
                 the real thing (e.g. `drivers/xen/events/events_base.c`)"
            ),
        ));
    }
    out
}

/// Whether `text` names a file of Linux, Xen or FreeBSD: a path under one of their trees
/// ending in a C source or header.
pub fn names_a_source_file(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || c == '`' || c == '(' || c == ')' || c == ',')
        .any(|w| {
            let w = w.trim_end_matches(['.', ';', ':']);
            ["drivers/", "xen/", "sys/", "include/", "arch/"]
                .iter()
                .any(|root| w.starts_with(root))
                && (w.ends_with(".c") || w.ends_with(".h"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_file_is_a_path_in_a_known_tree() {
        assert!(names_a_source_file(
            "See `xen_irq_lateeoi` in `drivers/xen/events/events_base.c`."
        ));
        assert!(names_a_source_file("(xen/common/event_2l.c)"));
        assert!(names_a_source_file(
            "sys/dev/xen/netfront/netfront.c: xn_intr"
        ));
        assert!(!names_a_source_file("Read the kernel's events code."));
        assert!(!names_a_source_file("drivers/xen/events/"));
    }
}
