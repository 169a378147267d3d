//! Every step of every lesson, the frame at the moment its goal is met (a quiz: the moment
//! it is answered), as an insta snapshot named `demo_<lesson id>_step<N>_met` in
//! `snapshots/`. The list comes from the catalogue, so a new lesson gets its snapshots
//! with no change here (the test fails until they are written and reviewed).
//!
//! The lessons are played as demos at the instant pace: what `lessons check` replays, each
//! solution from the moment its step begins, so a change to the demo's pacing changes no
//! snapshot, and a change to any pane shows up here as a diff.
//!
//! A changed snapshot is a change to what learners see: review it (`git diff snapshots/`
//! after `INSTA_UPDATE=always cargo test --release --test demo_snapshots`, or
//! `cargo insta review`) and never accept one blindly.

use evtchn_lab::demo::{Demo, Pacing};
use evtchn_lab::lesson::Catalog;

#[macro_use]
mod common;
use common::frame;

#[test]
fn every_step_of_every_lesson_when_its_goal_is_met() {
    let cat = Catalog::builtin().expect("the built-in lessons load");
    for lesson in &cat.lessons {
        let (mut demo, mut app) = Demo::with_pacing(
            cat.clone(),
            std::slice::from_ref(&lesson.id),
            Pacing::INSTANT,
        )
        .unwrap();
        let mut met = Vec::new();
        while let Some(mv) = demo
            .next(&mut app)
            .unwrap_or_else(|e| panic!("{}: {e}", lesson.id))
        {
            let Some((_, step)) = mv.met else { continue };
            met.push(step);
            snap!(
                format!("demo_{}_step{}_met", lesson.id, step + 1),
                frame(&app, 120, 40).backend()
            );
        }
        let all: Vec<usize> = (0..lesson.steps.len()).collect();
        assert_eq!(met, all, "{}: every step met once, in order", lesson.id);
    }
}
