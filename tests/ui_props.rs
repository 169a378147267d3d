//! No panics on any input: random key presses (any character, not only bound ones),
//! clicks, resizes (down to 0×0), ticks and measurements, each followed by a render.

use std::time::Duration;

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use evtchn_lab::app::{App, Msg, Options, update};
use evtchn_lab::sim::{Config, GuestKind};
use evtchn_lab::tui::msg_for_event;
use evtchn_lab::ui::{LabView, theme::Theme};
use proptest::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

#[derive(Clone, Debug)]
enum Action {
    Key(char),
    Esc,
    Advance(u64),
    Measured(u64),
    Resize(u16, u16),
    Click(u16, u16),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => prop::sample::select(b"btlgd[]. +-ckr?qnmu".to_vec()).prop_map(|c| Action::Key(c as char)),
        1 => any::<char>().prop_map(Action::Key),
        1 => Just(Action::Esc),
        3 => (0u64..=4).prop_map(Action::Advance),
        1 => (0u64..=400).prop_map(Action::Measured),
        2 => (0u16..=200, 0u16..=70).prop_map(|(w, h)| Action::Resize(w, h)),
        1 => (0u16..=200, 0u16..=3).prop_map(|(c, r)| Action::Click(c, r)),
    ]
}

fn render(app: &App, theme: &Theme, area: Rect) {
    let mut buf = Buffer::empty(area);
    LabView { app, theme }.render(area, &mut buf);
}

fn key(c: KeyCode) -> Event {
    Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_input_renders_without_panic(
        guest in prop::sample::select(GuestKind::ALL.to_vec()),
        light in any::<bool>(),
        no_color in any::<bool>(),
        actions in prop::collection::vec(action(), 1..28),
    ) {
        let mut app = App::new(Options::free(Config { guest, ..Config::default() }));
        let theme = Theme::pick(light, no_color);
        let mut area = Rect::new(0, 0, 120, 40);
        for a in actions {
            let msg = match a {
                Action::Key(c) => msg_for_event(&app, &key(KeyCode::Char(c)), area),
                Action::Esc => msg_for_event(&app, &key(KeyCode::Esc), area),
                Action::Advance(ms) => Some(Msg::Advance { wall: Duration::from_millis(ms) }),
                Action::Measured(ms) => Some(Msg::Measured { took: Duration::from_millis(ms) }),
                Action::Resize(w, h) => {
                    area = Rect::new(0, 0, w, h);
                    None
                }
                Action::Click(column, row) => msg_for_event(
                    &app,
                    &Event::Mouse(MouseEvent {
                        kind: MouseEventKind::Down(MouseButton::Left),
                        column,
                        row,
                        modifiers: KeyModifiers::NONE,
                    }),
                    area,
                ),
            };
            if let Some(m) = msg {
                update(&mut app, m);
            }
            render(&app, &theme, area);
        }
    }
}

/// Every size from nothing to large, in every view.
#[test]
fn every_size_renders() {
    let mut app = App::new(Options::free(Config::default()));
    let theme = Theme::dark();
    update(
        &mut app,
        Msg::Advance {
            wall: Duration::from_millis(200),
        },
    );
    for view in ["", "c", "?", "?c"] {
        for c in view.chars() {
            let area = Rect::new(0, 0, 120, 40);
            if let Some(m) = msg_for_event(&app, &key(KeyCode::Char(c)), area) {
                update(&mut app, m);
            }
        }
        for w in (0..=170).step_by(7) {
            for h in (0..=56).step_by(3) {
                render(&app, &theme, Rect::new(0, 0, w, h));
            }
        }
    }
}

/// Lessons and the start screen under random input: any key (the lesson keys included),
/// any size, any lesson, never a panic, and the app's state stays coherent (a lesson view
/// always has a step inside its lesson).
mod lessons {
    use super::*;
    use evtchn_lab::app::{Open, Page};
    use evtchn_lab::lesson::Catalog;
    use evtchn_lab::lesson::progress::Progress;

    #[derive(Clone, Debug)]
    enum Input {
        Key(KeyCode),
        Tick(u64),
        Size(u16, u16),
    }

    fn input() -> impl Strategy<Value = Input> {
        let keys = prop_oneof![
            prop::sample::select(b"hpRS12345 .n mu?qbtldgz[]fjkas+-".to_vec())
                .prop_map(|c| KeyCode::Char(c as char)),
            Just(KeyCode::Enter),
            Just(KeyCode::Esc),
            Just(KeyCode::Up),
            Just(KeyCode::Down),
            Just(KeyCode::PageUp),
            Just(KeyCode::PageDown),
        ];
        prop_oneof![
            6 => keys.prop_map(Input::Key),
            3 => (0u64..=300).prop_map(Input::Tick),
            1 => (0u16..=180, 0u16..=60).prop_map(|(w, h)| Input::Size(w, h)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

        #[test]
        fn any_input_in_lessons_renders_without_panic(
            lesson in 0usize..13,
            start in any::<bool>(),
            inputs in prop::collection::vec(input(), 1..40),
        ) {
            let cat = Catalog::builtin().expect("built-in lessons");
            let id = cat.lessons[lesson % cat.len()].id.clone();
            let mut app = App::new(Options {
                scenario: Config::default(),
                open: if start { Open::Start } else { Open::Lesson(id) },
                lessons: cat,
                progress: Progress::default(),
            });
            let theme = Theme::dark();
            let mut area = Rect::new(0, 0, 120, 40);
            for i in inputs {
                let msg = match i {
                    Input::Key(k) => msg_for_event(&app, &key(k), area),
                    Input::Tick(ms) => Some(Msg::Elapse { ns: ms * 1_000_000 }),
                    Input::Size(w, h) => {
                        area = Rect::new(0, 0, w, h);
                        None
                    }
                };
                if let Some(m) = msg {
                    update(&mut app, m);
                }
                render(&app, &theme, area);
                if let (Page::Lab, Some(run)) = (app.page, app.lesson_run()) {
                    let (l, step) = app.current_lesson().expect("the open lesson exists");
                    prop_assert_eq!(step, run.step);
                    prop_assert!(step < l.steps.len());
                }
            }
        }
    }
}
