//! Behaviour of the lab through `update(&mut App, Msg)` alone: no terminal, no clock.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};
use evtchn_lab::app::keymap::{self, Ctx, KEYMAP};
use evtchn_lab::app::speed::Budget;
use evtchn_lab::app::{Lane, Msg, Overlay, RunState, View, update};
use evtchn_lab::sim::{Config, Direction, Figure, GuestKind, Knob, NetbackVariant};
use evtchn_lab::ui::theme::Theme;
use ratatui::style::Color;

mod common;
use common::{click, frame_in, key, lab, lab_at, press, run, screen};

/// Goodput over the lane's last virtual second, as the screen shows it.
fn goodput(lane: &Lane) -> f64 {
    evtchn_lab::ui::recent(lane, Figure::GoodputMbps).expect("time has passed")
}

#[test]
fn starts_where_the_story_starts() {
    let app = lab();
    let c = app.lane.config();
    assert_eq!(c.guest, GuestKind::Freebsd);
    assert_eq!(c.direction, Direction::Tx);
    assert_eq!(c.netback, NetbackVariant::Buggy);
    assert!(c.throttle && c.lateeoi);
    assert_eq!(app.run, RunState::Running);
    assert_eq!(app.speed.label(), "1×");
}

/// The issue's promise: at 1× a change of `b` shows in the figure within two seconds.
#[test]
fn b_shows_in_the_goodput_figure_within_two_seconds_at_1x() {
    let mut app = lab();
    run(&mut app, 3.0);
    let before = goodput(&app.lane);
    let s = screen(&app, 120, 40);
    assert!(s.contains(&format!("goodput {before:.0} Mbit/s")), "{s}");
    assert!(s.contains("(!xenvif_handle_tx_interrupt(queue) |"));
    press(&mut app, "b");
    run(&mut app, 2.0);
    let after = goodput(&app.lane);
    assert!(
        after > before * 3.0,
        "OR {before:.0} → AND {after:.0} Mbit/s"
    );
    let s = screen(&app, 120, 40);
    assert!(s.contains(&format!("goodput {after:.0} Mbit/s")));
    assert!(s.contains("if (!has_rx && !has_tx)"));
    // And back: the figure falls again.
    press(&mut app, "b");
    run(&mut app, 2.0);
    assert!(goodput(&app.lane) < after / 3.0);
}

#[test]
fn paused_means_no_virtual_time() {
    let mut app = lab();
    run(&mut app, 0.5);
    press(&mut app, " ");
    assert_eq!(app.run, RunState::Paused);
    let t = app.lane.now_ns();
    run(&mut app, 5.0);
    assert_eq!(app.lane.now_ns(), t);
    press(&mut app, " ");
    run(&mut app, 0.1);
    assert_eq!(app.lane.now_ns(), t + 100_000_000);
}

/// Transitions on screen: the trace as the lane shows it.
fn shown_seq(app: &evtchn_lab::app::App) -> u64 {
    app.lane.sim().trace().next_seq()
}

/// `.` shows exactly one transition, even when one event of the sim makes several (an
/// upcall: loop, handle, ack, verdict, late EOI, unmask), and the screen shows the state
/// just after it.
#[test]
fn step_shows_exactly_one_transition() {
    let mut app = lab_at(Config {
        guest: GuestKind::Idle,
        ..Config::default()
    });
    press(&mut app, " n");
    assert_eq!(shown_seq(&app), 1, "the notify");
    let bits = |app: &evtchn_lab::app::App| {
        let p = app.lane.ports()[0];
        let up = app.lane.sim().shared_info().vcpu.evtchn_upcall_pending;
        (p.pending, p.masked, p.selected, up)
    };
    assert_eq!(bits(&app), (true, false, true, true));
    // Each press: one more transition, the state just after it, its place in the event.
    let expect = [
        ("dom0 vCPU0: upcall loop", (true, false, false, false)),
        (
            "port 5: upcall handles the event",
            (true, false, false, false),
        ),
        (
            "port 5: mask_ack_dynirq: acked → pending cleared, masked (EOI_PENDING)",
            (false, true, false, false),
        ),
        (
            "port 5: handler found no TX work, no RX work",
            (false, true, false, false),
        ),
        // The EOI's unmask clears the bit; the next record says what became of it.
        (
            "port 5: late EOI, SPURIOUS: spurious_cnt 1 → unmask",
            (false, false, false, false),
        ),
        (
            "port 5: unmasked (unmask_evtchn)",
            (false, false, false, false),
        ),
    ];
    for (i, (words, want)) in expect.iter().enumerate() {
        let t = app.lane.now_ns();
        press(&mut app, ".");
        assert_eq!(app.run, RunState::Paused, "step pauses");
        assert_eq!(shown_seq(&app), 2 + i as u64, "press {i}: exactly one more");
        let newest = *app.lane.sim().trace().last(1).next().unwrap();
        assert!(
            newest.kind.to_string().starts_with(words),
            "press {i}: {}",
            newest.kind
        );
        assert_eq!(
            app.lane.latest().current,
            Some(newest),
            "the pipeline marks it"
        );
        assert_eq!(bits(&app), *want, "press {i}: the bits just after it");
        let on_screen = if i + 1 < expect.len() {
            Some((i + 1, expect.len()))
        } else {
            None
        };
        assert_eq!(app.lane.stepping(), on_screen);
        assert!(app.lane.now_ns() >= t);
    }
    let s = screen(&app, 160, 50);
    assert!(!s.contains("PAUSED · transition"), "the event is over: {s}");
    // Mid-event the status bar says which transition is on screen (the second spurious
    // event in a row ends in a pause: five, no unmask), and the ports pane shows its bits:
    // the ack masked the port.
    press(&mut app, "n...");
    let s = screen(&app, 160, 50);
    assert!(s.contains("■ PAUSED · transition 3/5"), "{s}");
    assert!(s.contains("5 [0/1/0]"), "{s}");
    // Anything that changes the sim goes on from the live one: the rest had happened.
    press(&mut app, "m");
    assert_eq!(app.lane.stepping(), None);
    assert_eq!(shown_seq(&app), app.lane.live_sim().trace().next_seq());
}

/// With nothing to happen (an idle guest), `.` moves nothing, not even the clock, and says
/// so.
#[test]
fn step_with_nothing_to_happen_moves_nothing() {
    let mut app = lab_at(Config {
        guest: GuestKind::Idle,
        ..Config::default()
    });
    run(&mut app, 0.2);
    let (t, seq) = (app.lane.now_ns(), shown_seq(&app));
    press(&mut app, ".");
    assert_eq!((app.lane.now_ns(), shown_seq(&app)), (t, seq));
    assert_eq!(app.run, RunState::Paused);
    let notice = app.notice.as_deref().unwrap_or_default();
    assert!(notice.contains("no transition in the next 1 s"), "{notice}");
    // A notify gives it something to step through.
    press(&mut app, "n.");
    assert_eq!(shown_seq(&app), seq + 2);
}

/// Stepping one transition at a time changes nothing in the simulation: the same records,
/// and the same sim, as running the events in one go.
#[test]
fn stepping_is_the_same_run() {
    let mut stepped = lab();
    run(&mut stepped, 0.05);
    let mut whole = stepped.lane.clone();
    press(&mut stepped, " ");
    let from = shown_seq(&stepped);
    for _ in 0..300 {
        press(&mut stepped, ".");
    }
    // Finish the event on screen, then run the other to the same time.
    while stepped.lane.stepping().is_some() {
        press(&mut stepped, ".");
    }
    let end = stepped.lane.now_ns();
    whole.advance_to(end);
    let (a, b) = (stepped.lane.sim(), whole.sim());
    assert!(shown_seq(&stepped) >= from + 300);
    assert_eq!(a.trace().next_seq(), b.trace().next_seq());
    assert!(a.trace().since(from).eq(b.trace().since(from)));
    assert_eq!(a.report(), b.report());
}

#[test]
fn speed_ladder_from_a_thousandth_to_a_hundred() {
    let mut app = lab();
    press(&mut app, &"-".repeat(9));
    assert_eq!(app.speed.label(), "1/1000×");
    run(&mut app, 1.0);
    assert_eq!(app.lane.now_ns(), 1_000_000);
    assert!(app.notice.is_none());
    press(&mut app, "-");
    assert!(app.notice.as_deref().unwrap().contains("end of the range"));
    press(&mut app, &"+".repeat(20));
    assert_eq!(app.speed.label(), "100×");
    let t = app.lane.now_ns();
    run(&mut app, 0.1);
    assert_eq!(app.lane.now_ns(), t + 10_000_000_000);
}

/// When the sim cannot keep up, the work per tick is capped and the real speed is shown.
#[test]
fn work_per_tick_is_capped_and_the_effective_speed_shown() {
    let mut app = lab();
    press(&mut app, &"+".repeat(10));
    for _ in 0..20 {
        let t = app.lane.now_ns();
        update(
            &mut app,
            Msg::Advance {
                wall: Duration::from_millis(20),
            },
        );
        // Pretend each tick's work took 200 ms of wall time.
        assert!(app.lane.now_ns() - t <= app.budget_ns().max(2_000_000_000));
        update(
            &mut app,
            Msg::Measured {
                took: Duration::from_millis(200),
            },
        );
    }
    assert!(
        app.budget_ns() < 2_000_000_000,
        "budget {}",
        app.budget_ns()
    );
    assert!(app.budget_ns() >= Budget::MIN_NS);
    let e = app.lagging_speed().expect("lagging");
    assert!(e < 100.0);
    let s = screen(&app, 120, 40);
    assert!(
        s.contains("100×, sim keeps up:"),
        "{}",
        s.lines().next().unwrap()
    );
}

#[test]
fn knobs_go_through_set_knob_and_are_marked() {
    let mut app = lab();
    run(&mut app, 0.2);
    press(&mut app, "tl]]][");
    let c = *app.lane.config();
    assert!(!c.throttle && !c.lateeoi);
    assert_eq!(c.spurious_threshold, 3);
    let labels: Vec<String> = app.lane.marks().map(|m| m.label.clone()).collect();
    assert_eq!(
        labels,
        [
            "throttle off",
            "late EOI off",
            "threshold 2",
            "threshold 3",
            "threshold 4",
            "threshold 3"
        ]
    );
    // Bounds: 0…64 (0 acts as 1, as in the kernel), no mark when nothing changes.
    press(&mut app, &"[".repeat(10));
    assert_eq!(app.lane.config().spurious_threshold, 0);
    assert_eq!(app.lane.marks().count(), 9);
}

#[test]
fn guest_and_direction_rebuild_the_sim_with_the_same_seed() {
    let mut app = lab_at(Config {
        seed: 42,
        ..Config::default()
    });
    press(&mut app, "b");
    run(&mut app, 0.5);
    press(&mut app, "g");
    let c = *app.lane.config();
    assert_eq!(c.guest, GuestKind::Linux);
    assert_eq!(c.seed, 42);
    assert_eq!(c.netback, NetbackVariant::Fixed, "other knobs are kept");
    assert_eq!(app.lane.now_ns(), 0, "restarted at t = 0");
    press(&mut app, "g");
    assert_eq!(app.lane.config().guest, GuestKind::Rogue);
    press(&mut app, "g");
    assert_eq!(app.lane.config().guest, GuestKind::Idle);
    press(&mut app, "g");
    assert_eq!(app.lane.config().guest, GuestKind::Freebsd);
    press(&mut app, "d");
    assert_eq!(app.lane.config().direction, Direction::Rx);
    assert!(app.notice.as_deref().unwrap().contains("t = 0 again"));
}

#[test]
fn reset_returns_to_the_starting_scenario() {
    let mut app = lab();
    press(&mut app, "btgd");
    run(&mut app, 0.3);
    press(&mut app, "r");
    assert_eq!(*app.lane.config(), *lab().lane.config());
    assert_eq!(app.lane.now_ns(), 0);
}

#[test]
fn compare_mode_runs_two_lanes_one_knob_apart() {
    let mut app = lab();
    run(&mut app, 0.3);
    press(&mut app, "c");
    let View::Compare(c) = &app.view else {
        panic!("compare view")
    };
    assert_eq!(c.knob, Knob::Netback);
    run(&mut app, 1.5);
    let b = app.lane_b().unwrap();
    assert_eq!(app.lane.now_ns(), b.now_ns(), "same clock");
    assert_eq!(app.lane.config().seed, b.config().seed);
    assert_eq!(app.lane.config().netback, NetbackVariant::Buggy);
    assert_eq!(b.config().netback, NetbackVariant::Fixed);
    assert!(goodput(b) > 2.0 * goodput(&app.lane));
    // A knob key changes both lanes; the difference stays.
    press(&mut app, "b");
    assert_eq!(app.lane.config().netback, NetbackVariant::Fixed);
    assert_eq!(
        app.lane_b().unwrap().config().netback,
        NetbackVariant::Buggy
    );
    press(&mut app, "t");
    assert!(!app.lane.config().throttle && !app.lane_b().unwrap().config().throttle);
    // `k`: the throttle differs now.
    press(&mut app, "k");
    assert_eq!(app.compare_knob(), Some(Knob::Throttle));
    let (a, b) = (*app.lane.config(), *app.lane_b().unwrap().config());
    assert_eq!(a.netback, b.netback);
    assert_ne!(a.throttle, b.throttle);
    // `.` steps lane A; lane B follows its clock.
    press(&mut app, ".");
    assert_eq!(app.lane.now_ns(), app.lane_b().unwrap().now_ns());
    let s = screen(&app, 120, 40);
    assert!(s.contains("A ·") && s.contains("B ·"));
    press(&mut app, "c");
    assert!(matches!(app.view, View::Free));
    // `k` does nothing outside compare mode.
    press(&mut app, "k");
    assert!(matches!(app.view, View::Free));
}

#[test]
fn help_overlay_lists_every_binding_and_takes_the_keys() {
    let mut app = lab();
    press(&mut app, "?");
    assert_eq!(app.overlay, Overlay::Help);
    let s = screen(&app, 120, 40);
    // Every key of the screen beneath it, and none of another screen's.
    for b in KEYMAP.iter() {
        let here = b.active_in(Ctx::Free);
        assert_eq!(
            s.contains(b.help),
            here,
            "{:?} in the help: {here}?",
            b.help
        );
    }
    assert!(
        s.contains("One dom0 vCPU"),
        "the model's simplifications are said"
    );
    // Knob keys do nothing under the help; Esc closes it.
    press(&mut app, "b");
    assert_eq!(app.lane.config().netback, NetbackVariant::Buggy);
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(app.overlay, Overlay::None);
    press(&mut app, "??");
    assert_eq!(app.overlay, Overlay::None);
}

/// A lesson opened at its first step (`id`: a unique prefix).
fn lesson(id: &str) -> evtchn_lab::app::App {
    let lessons = evtchn_lab::lesson::Catalog::builtin().expect("the built-in lessons load");
    let id = lessons
        .lessons
        .iter()
        .find(|l| l.id.starts_with(id))
        .expect("a built-in lesson")
        .id
        .clone();
    evtchn_lab::app::App::new(evtchn_lab::app::Options {
        scenario: Config::default(),
        open: evtchn_lab::app::Open::Lesson(id),
        lessons,
        progress: Default::default(),
    })
}

/// However narrow the status bar (a lesson's locked knobs each read "⊘ …", a demo's
/// caption takes up to half the row), it drops whole segments rather than cut one, and
/// the run state is the last to go: "■ PAUSED" once read "■ P" in a lesson at 60 columns.
#[test]
fn the_status_bar_drops_whole_segments_and_keeps_the_run_state() {
    use evtchn_lab::ui::status_bar::layout;
    use ratatui::layout::Rect;
    use ratatui::text::Span;
    let theme = Theme::no_color();
    // Free play, the story's lesson and the FIFO one (its extra knob), running and paused.
    for (name, mut app) in [("free", lab()), ("06", lesson("06")), ("13", lesson("13"))] {
        for paused in [false, true] {
            if paused {
                press(&mut app, " ");
            }
            // A lesson's question keeps the lab paused whatever is pressed.
            let state = if app.is_running() {
                "▶ running"
            } else {
                "■ PAUSED"
            };
            for w in 30..=200u16 {
                let segs = layout(&app, &theme, Rect::new(0, 0, w, 1));
                let mut x = 0;
                for (r, s) in &segs {
                    assert_eq!(
                        usize::from(r.width),
                        Span::raw(s.text.as_str()).width() + 2,
                        "{name} at {w}: {:?} cut",
                        s.text
                    );
                    assert!(r.x >= x && r.right() <= w, "{name} at {w}: overlap");
                    x = r.right();
                }
                assert!(
                    segs.last().is_some_and(|(_, s)| s.text == state),
                    "{name} at {w}: the run state {state:?} is missing"
                );
            }
        }
    }
}

/// Each key in the help stands apart from what it does, however wide the key ("PgUp PgDn"
/// in a lesson once ran into its text).
#[test]
fn the_help_keeps_each_key_apart_from_its_text() {
    for (mut app, ctx) in [(lab(), Ctx::Free), (lesson("01"), Ctx::Lesson)] {
        press(&mut app, "?");
        let s = screen(&app, 160, 50);
        for b in keymap::bindings(ctx) {
            let first_word = b.help.split(' ').next().unwrap();
            let apart = s.lines().any(|l| {
                l.match_indices(b.shown).any(|(i, _)| {
                    let rest = &l[i + b.shown.len()..];
                    rest.starts_with(' ') && rest.trim_start().starts_with(first_word)
                })
            });
            assert!(apart, "{ctx:?}: {:?} runs into its text\n{s}", b.shown);
        }
    }
}

/// A notice wider than the key bar wraps over its rows instead of being cut; one too long
/// for them all ends in "…" (it was cut mid-word at the right edge).
#[test]
fn a_long_notice_wraps_over_the_key_bar() {
    let mut app = lab();
    let long = "throttle (XSA-332 patch 12): locked in this step (open here: netback, \
                late EOI, guest, direction, HZ)";
    app.notice = Some(long.into());
    let s = screen(&app, 80, 24);
    let footer: Vec<&str> = s.lines().rev().take(2).collect();
    let words: String = footer.iter().rev().copied().collect::<Vec<_>>().join(" ");
    for w in long.split(' ') {
        assert!(words.contains(w), "{w:?} missing from the key bar\n{s}");
    }
    // Too long for the rows there are (one on a small terminal): cut, and it says so.
    let s = screen(&app, 60, 18);
    let last = s.lines().last().unwrap().trim_matches('"');
    assert!(
        last.starts_with(" » throttle (XSA-332") && last.contains(" …"),
        "{s}"
    );
}

#[test]
fn footer_is_generated_from_the_key_map() {
    for (keys, ctx) in [("", Ctx::Free), ("c", Ctx::Compare), ("?", Ctx::Help)] {
        let mut app = lab();
        press(&mut app, keys);
        let s = screen(&app, 200, 50);
        let footer: String = s.lines().rev().take(2).collect::<Vec<_>>().join("\n");
        for b in keymap::bindings(ctx) {
            let hint = format!(" {}  {} ", b.shown, b.label);
            assert!(
                footer.contains(&hint),
                "{ctx:?}: footer misses {hint:?}\n{footer}"
            );
        }
    }
}

#[test]
fn q_and_ctrl_c_quit() {
    let mut app = lab();
    press(&mut app, "q");
    assert!(app.should_quit());
    let mut app = lab();
    key(&mut app, KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(app.should_quit());
}

/// Clicking a knob in the status bar means what the knob's key means.
#[test]
fn clicking_a_knob_toggles_it() {
    let mut app = lab();
    let s = screen(&app, 120, 40);
    let top = s.lines().next().unwrap();
    let col = |text: &str| {
        let byte = top.find(text).unwrap_or_else(|| panic!("{text} in {top}"));
        // The line is quoted; count characters, not bytes.
        top[..byte].chars().count() as u16 - 1
    };
    let (nb, thr) = (col("netback OR"), col("throttle on"));
    click(&mut app, 120, 40, nb + 3, 0);
    assert_eq!(app.lane.config().netback, NetbackVariant::Fixed);
    click(&mut app, 120, 40, thr, 0);
    assert!(!app.lane.config().throttle);
    // Elsewhere: nothing.
    let before = *app.lane.config();
    click(&mut app, 120, 40, nb, 5);
    click(&mut app, 120, 40, 119, 0);
    assert_eq!(*app.lane.config(), before);
}

/// NO_COLOR: not one cell with a colour, in any view.
#[test]
fn no_color_theme_paints_no_colour() {
    let mut app = lab();
    let theme = Theme::pick(false, true);
    run(&mut app, 1.0);
    for keys in ["", "c", "?"] {
        press(&mut app, keys);
        let t = frame_in(&app, &theme, 120, 40);
        for cell in t.backend().buffer().content() {
            assert_eq!(cell.fg, Color::Reset, "{keys:?}: {cell:?}");
            assert_eq!(cell.bg, Color::Reset, "{keys:?}: {cell:?}");
        }
    }
}

#[test]
fn themes_are_picked_by_flag_and_no_color() {
    assert_eq!(Theme::pick(true, false), Theme::light());
    assert_eq!(Theme::pick(false, false), Theme::dark());
    assert_eq!(Theme::pick(true, true), Theme::no_color());
}

/// Paused, the loop has no reason to draw or tick: the app says it is not running.
#[test]
fn pause_stops_the_ticks() {
    let mut app = lab();
    assert!(app.is_running());
    press(&mut app, " ");
    assert!(!app.is_running());
    press(&mut app, ".");
    assert!(!app.is_running(), "a step keeps it paused");
}

/// Render is pure: the same app draws the same frame, and drawing changes nothing.
#[test]
fn rendering_is_a_pure_function_of_the_app() {
    let mut app = lab();
    run(&mut app, 0.7);
    let a = screen(&app, 120, 40);
    let t = app.lane.now_ns();
    let b = screen(&app, 120, 40);
    assert_eq!(a, b);
    assert_eq!(app.lane.now_ns(), t);
}

/// Knob changes are absolute: the same `Set` twice leaves the knob where it is (a toggle
/// key, resolved against the current state, flips it each time).
#[test]
fn set_is_absolute_and_keys_resolve_against_the_state() {
    use evtchn_lab::sim::KnobChange;
    let mut app = lab();
    for _ in 0..2 {
        update(&mut app, Msg::Set(KnobChange::Throttle(false)));
        assert!(!app.lane.config().throttle);
    }
    let t = KeyCode::Char('t');
    let k = crossterm::event::KeyEvent::new(t, KeyModifiers::NONE);
    assert_eq!(
        keymap::msg_for_key(&app, &k),
        Some(Msg::Set(KnobChange::Throttle(true)))
    );
    // `[` at threshold 0 (the lowest; it acts as 1) would change nothing: no message at all.
    let open = crossterm::event::KeyEvent::new(KeyCode::Char('['), KeyModifiers::NONE);
    assert_eq!(
        keymap::msg_for_key(&app, &open),
        Some(Msg::Set(KnobChange::SpuriousThreshold(0)))
    );
    update(&mut app, Msg::Set(KnobChange::SpuriousThreshold(0)));
    assert_eq!(keymap::msg_for_key(&app, &open), None);
    // A restart carries the whole configuration.
    let g = crossterm::event::KeyEvent::new(KeyCode::Char('g'), KeyModifiers::NONE);
    let Some(Msg::Restart(cfg)) = keymap::msg_for_key(&app, &g) else {
        panic!("g restarts")
    };
    assert_eq!(cfg.guest, GuestKind::Linux);
    assert!(!cfg.throttle, "the other knobs as they are now");
}

/// `Elapse` moves exactly that much virtual time when running, none when paused.
#[test]
fn elapse_is_virtual_time_only() {
    let mut app = lab();
    update(&mut app, Msg::Elapse { ns: 123_000_000 });
    assert_eq!(app.lane.now_ns(), 123_000_000);
    press(&mut app, " ");
    update(&mut app, Msg::Elapse { ns: 1_000_000_000 });
    assert_eq!(app.lane.now_ns(), 123_000_000);
}

/// The script runner plays keys through the key map and waits in virtual time; a key that
/// does nothing stops it with its index.
#[test]
fn scripts_play_keys_and_waits() {
    use evtchn_lab::app::player::{self, Flow};
    use evtchn_lab::script::Script;
    let mut app = lab();
    let s = Script::parse(&["wait 1s", "b", "wait 1500ms", "t"]).unwrap();
    let mut ticks = 0;
    let done = player::play(&mut app, &s, |_, p| {
        if p == player::Played::Tick {
            ticks += 1;
        }
        Flow::Continue
    })
    .unwrap();
    assert!(done);
    assert_eq!(ticks, 125, "20 ms ticks over 2.5 s");
    assert_eq!(app.lane.now_ns(), 2_500_000_000);
    let c = app.lane.config();
    assert_eq!(c.netback, NetbackVariant::Fixed);
    assert!(!c.throttle);
    let marks: Vec<u64> = app.lane.marks().map(|m| m.t_ns).collect();
    assert_eq!(marks, vec![1_000_000_000, 2_500_000_000]);
    let bad = Script::parse(&["wait 10ms", "k"]).unwrap();
    let e = player::play(&mut app, &bad, |_, _| Flow::Continue).unwrap_err();
    // Items count from 1: "k" is the second.
    assert_eq!(e.to_string(), "item 2 ('k') does nothing here");
}

/// The hands-on keys act on port 5: `m` masks it, `n` then leaves it pending, `u` delivers.
#[test]
fn port_keys_notify_mask_and_unmask() {
    let mut app = lab_at(Config {
        guest: GuestKind::Idle,
        ..Config::default()
    });
    press(&mut app, " mn");
    let p = app.lane.ports()[0];
    assert!(p.pending && p.masked, "{p:?}");
    press(&mut app, "u ");
    run(&mut app, 0.1);
    let p = app.lane.ports()[0];
    assert!(!p.pending && !p.masked, "{p:?}");
    assert_eq!(app.lane.sim().counters().events_delivered, 1);
}

/// On a short terminal the help scrolls, and its border says so; every line can be
/// reached, the last one included.
/// The mouse wheel scrolls what the keys scroll: the help, the lesson list, a lesson's
/// text (the lab captures the mouse, so the terminal's own wheel scrolling is off).
#[test]
fn the_mouse_wheel_scrolls_what_the_keys_scroll() {
    use crossterm::event::{Event, MouseEvent, MouseEventKind};
    use evtchn_lab::app::Page;
    use evtchn_lab::tui::msg_for_event;
    use ratatui::layout::Rect;
    let wheel = |app: &mut evtchn_lab::app::App, down: bool| {
        let ev = Event::Mouse(MouseEvent {
            kind: if down {
                MouseEventKind::ScrollDown
            } else {
                MouseEventKind::ScrollUp
            },
            column: 10,
            row: 10,
            modifiers: KeyModifiers::NONE,
        });
        if let Some(m) = msg_for_event(app, &ev, Rect::new(0, 0, 70, 20)) {
            update(app, m);
        }
    };
    // The help on a short terminal.
    let mut app = lab();
    press(&mut app, "?");
    common::fit(&mut app, 70, 20);
    wheel(&mut app, true);
    assert_eq!(app.help_scroll, 1);
    wheel(&mut app, false);
    assert_eq!(app.help_scroll, 0);
    // Free play has nothing to scroll: the wheel does nothing.
    let mut app = lab();
    let before = screen(&app, 70, 20);
    wheel(&mut app, true);
    assert_eq!(screen(&app, 70, 20), before);
    // The start screen's list.
    let mut app = evtchn_lab::app::App::new(evtchn_lab::app::Options {
        scenario: Config::default(),
        open: evtchn_lab::app::Open::Start,
        lessons: evtchn_lab::lesson::Catalog::builtin().expect("the built-in lessons load"),
        progress: Default::default(),
    });
    wheel(&mut app, true);
    assert_eq!(app.page, Page::Start { selected: 1 });
    // A lesson's text, on a terminal too short for it.
    let mut app = lesson("13");
    common::fit(&mut app, 70, 20);
    let top = screen(&app, 70, 20);
    assert!(top.contains("PgDn more"), "{top}");
    wheel(&mut app, true);
    assert_ne!(screen(&app, 70, 20), top, "the text moved");
    wheel(&mut app, false);
    assert_eq!(screen(&app, 70, 20), top);
}

#[test]
fn the_help_scrolls_on_a_short_terminal() {
    let mut app = lab();
    press(&mut app, "?");
    let first = screen(&app, 70, 20);
    assert!(first.contains("↓ more"), "{first}");
    common::fit(&mut app, 70, 20);
    for _ in 0..60 {
        key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    }
    let last = screen(&app, 70, 20);
    assert!(last.contains("scroll back"), "{last}");
    assert!(
        last.contains("Colour is never the only cue"),
        "the last note is reachable:\n{last}"
    );
    key(&mut app, KeyCode::PageUp, KeyModifiers::NONE);
    assert!(screen(&app, 70, 20).contains("↓ more"));
    // Reopened, it starts at the top again.
    press(&mut app, "??");
    assert_eq!(screen(&app, 70, 20), first);
    // Tall enough: no scrolling, nothing said about it.
    assert!(!screen(&app, 120, 60).contains("↓ more"));
}

/// `o` walks netback's five conditions: the code pane shows each one's source, the status
/// bar its name, and the log says when the RX handler was not called.
#[test]
fn o_shows_each_conditions_source_and_name() {
    let mut app = lab();
    let expect = [
        (
            NetbackVariant::OrInline,
            "(!xenvif_handle_tx_interrupt(queue) ||",
            "OR inline",
        ),
        (
            NetbackVariant::AndInline,
            "(!xenvif_handle_tx_interrupt(queue) &&",
            "AND inline",
        ),
        (
            NetbackVariant::Bitand,
            "(!xenvif_handle_tx_interrupt(queue) &",
            "bitwise AND",
        ),
        (
            NetbackVariant::Fixed,
            "if (!has_rx && !has_tx)",
            "netback AND",
        ),
        (
            NetbackVariant::Buggy,
            "(!xenvif_handle_tx_interrupt(queue) |",
            "netback OR",
        ),
    ];
    for (v, source, name) in expect {
        press(&mut app, "o");
        assert_eq!(app.lane.config().netback, v);
        run(&mut app, 0.2);
        let s = screen(&app, 160, 50);
        assert!(s.contains(source), "{v}: {source}\n{s}");
        assert!(s.contains(name), "{v}: {name}\n{s}");
        // "◀ OR (buggy): …", or the inline versions' name alone: "◀ and-inline: …".
        assert!(
            s.contains(&format!("({v}):")) || s.contains(&format!("◀ {v}:")),
            "{v}: the meaning line names it\n{s}"
        );
    }
}
