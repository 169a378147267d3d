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
