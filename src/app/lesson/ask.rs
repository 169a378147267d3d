//! What the learner asks for and answers in a step: hints, the solution, a quiz's choice
//! and a typed number.

use crate::app::RunState;
use crate::lesson::Task;

use super::run::{LessonRun, Play};

/// The longest numeric answer that can be typed.
const MAX_TYPED: usize = 16;

/// What `h` and `S` say on a question: it has neither, on purpose.
const QUIZ_HAS_NO_HELP: &str =
    "a question has no hint or solution: predict, then answer; any answer shows why";

impl LessonRun {
    /// `h`: one more hint.
    pub(super) fn hint(&mut self, cx: &mut Play) {
        let (i, step) = (self.step, &cx.lesson.steps[self.step]);
        if step.is_quiz() {
            cx.say(QUIZ_HAS_NO_HELP);
            return;
        }
        let n = step.hints.len();
        if self.state.hints_shown < n {
            self.state.hints_shown += 1;
            let shown = self.state.hints_shown;
            let used = cx.progress().hints.entry(i.to_string()).or_default();
            *used = (*used).max(shown);
        } else if n == 0 {
            cx.say("this step has no hints: S shows the solution");
        } else {
            cx.say("no more hints: S shows the solution");
        }
    }

    /// `S`: asks first; pressed again, shows the reference solution.
    pub(super) fn show_solution(&mut self, cx: &mut Play) {
        if cx.lesson.steps[self.step].is_quiz() {
            cx.say(QUIZ_HAS_NO_HELP);
            return;
        }
        if self.state.solution_shown {
            return;
        }
        if self.state.confirm_solution {
            self.state.solution_shown = true;
            self.state.confirm_solution = false;
            cx.progress().solutions_shown.insert(self.step);
        } else {
            self.state.confirm_solution = true;
            cx.say("show the solution? S again to show it, any other key to go on");
        }
    }

    /// A digit key on a quiz step: the answer is recorded and the explanation shows,
    /// right or wrong.
    pub(super) fn answer(&mut self, cx: &mut Play, choice: u8) {
        let Task::Quiz {
            choices, answer, ..
        } = &cx.lesson.steps[self.step].task
        else {
            return;
        };
        let c = usize::from(choice.saturating_sub(1));
        let n = choices.len();
        if c >= n {
            cx.say(format!(
                "no choice {choice}: this question has {n}, press 1–{n}"
            ));
            return;
        }
        let right = c == *answer;
        if self.state.met {
            cx.say("answered already: the first answer stands (Enter goes on)");
            return;
        }
        self.state.answer = Some(c);
        self.first_try(cx, right);
        self.step_done(cx);
        self.thaw(cx);
        cx.say(if right {
            "right: the explanation says why"
        } else {
            "not quite: the explanation says why"
        });
    }

    /// A character typed into a numeric answer: digits, one point, a leading minus.
    /// Thousands separators (`,`) are read past: `51,000` is 51000.
    pub(super) fn type_char(&mut self, c: char) {
        let t = &mut self.state.typed;
        let ok = match c {
            '0'..='9' => t.len() < MAX_TYPED,
            '.' => !t.contains('.') && t.len() < MAX_TYPED,
            '-' => t.is_empty(),
            _ => false,
        };
        if ok {
            t.push(c);
        }
    }

    /// `Backspace` in a numeric answer.
    pub(super) fn erase_char(&mut self) {
        self.state.typed.pop();
    }

    /// `Enter` on a numeric question: right (within the tolerance) ends the question; wrong
    /// says too high or too low, and after the last try shows the answer.
    pub(super) fn submit_number(&mut self, cx: &mut Play) {
        let Task::Number {
            answer,
            tolerance,
            tries,
            ..
        } = cx.lesson.steps[self.step].task
        else {
            return;
        };
        if self.state.met {
            return;
        }
        let Ok(given) = self.state.typed.parse::<f64>() else {
            cx.say("type a number first (digits, and a point for decimals)");
            return;
        };
        self.state.tries.push(given);
        self.state.typed.clear();
        let right = tolerance.accepts(answer, given);
        let used = self.state.tries.len() as u32;
        if used == 1 {
            self.first_try(cx, right);
        }
        if right || used >= tries {
            self.state.number_right = Some(right);
            self.step_done(cx);
            self.thaw(cx);
            cx.say(match (right, used == 1) {
                (true, true) => "right, first try: the explanation says why",
                (true, false) => "right: the explanation says why",
                (false, _) => "no tries left: the answer and the explanation are shown",
            });
        } else {
            let left = tries - used;
            let way = if given > answer {
                "too high"
            } else {
                "too low"
            };
            cx.say(format!(
                "{way}: {left} {} left",
                if left == 1 { "try" } else { "tries" }
            ));
        }
    }

    /// A question was answered: the lab runs again as it did before the question froze it
    /// (a question that began a new run starts it).
    fn thaw(&mut self, cx: &mut Play) {
        let fresh_run = cx.lesson.steps[self.step].scenario.is_some();
        if let Some(before) = self.state.frozen_from.take() {
            *cx.run = if fresh_run { RunState::Running } else { before };
            cx.meter.clear();
        }
    }

    /// A question's first answer, right or not, recorded once: a later try (after `R`, or
    /// coming back) does not change it.
    fn first_try(&self, cx: &mut Play, right: bool) {
        cx.progress()
            .first_try
            .entry(self.step.to_string())
            .or_insert(right);
    }
}
