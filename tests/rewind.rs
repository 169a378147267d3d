//! Rewind and share (issue 22, points 1 and 3): going back to a checkpoint and running on
//! gives the same transitions and figures as the first time; knob changes are history
//! (undone on screen when rewound past, a new branch when changed after a rewind); `.`
//! works from a rewound point; a share string reopens the same state and frame.

use std::collections::BTreeMap;

use evtchn_lab::app::{App, Msg, Options, update};
use evtchn_lab::sim::{Config, KnobChange, NetbackVariant, PortAction, TraceEvent};
use evtchn_lab::ui::LabView;
use evtchn_lab::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

const S: u64 = 1_000_000_000;

/// Every trace record seen while running, by sequence number.
#[derive(Default)]
struct Seen(BTreeMap<u64, TraceEvent>);

impl Seen {
    fn take(&mut self, app: &App) {
        let trace = app.lane.live_sim().trace();
        for e in trace.since(trace.first_seq()) {
            self.0.insert(e.seq, *e);
        }
    }
}

/// Run `app` until lane A's time is `t`, in ticks of `tick` ns, recording the trace.
fn run_to(app: &mut App, t: u64, tick: u64, seen: &mut Seen) {
    while app.lane.now_ns() < t {
        let ns = (t - app.lane.now_ns()).min(tick);
        update(app, Msg::Elapse { ns });
        seen.take(app);
    }
}

fn frame(app: &App) -> String {
    let mut buf = Buffer::empty(Rect::new(0, 0, 120, 40));
    LabView {
        app,
        theme: &Theme::default(),
    }
    .render(buf.area, &mut buf);
    evtchn_lab::cast::plain_text(&buf)
}

/// The first run: knob changes and a port action at odd times, ticks of 20 ms.
fn first_run(cfg: Config, seen: &mut Seen) -> App {
    let mut app = App::new(Options::free(cfg));
    run_to(&mut app, 2_513_000_000, 20_000_000, seen);
    update(
        &mut app,
        Msg::Set(KnobChange::Netback(NetbackVariant::Fixed)),
    );
    run_to(&mut app, 4_207_000_000, 20_000_000, seen);
    update(&mut app, Msg::Port(PortAction::Notify));
    update(&mut app, Msg::Set(KnobChange::Throttle(false)));
    run_to(&mut app, 6_000_000_000, 20_000_000, seen);
    app
}

fn press(app: &mut App, msg: Msg, n: usize) {
    for _ in 0..n {
        update(app, msg);
    }
}

#[test]
fn rewinding_and_running_on_gives_the_same_trace_and_figures() {
    for cfg in [
        Config::default(),
        Config {
            guest: evtchn_lab::sim::GuestKind::Linux,
            ..Config::default()
        },
        Config {
            guest: evtchn_lab::sim::GuestKind::Rogue,
            ..Config::default()
        },
    ] {
        let mut first = Seen::default();
        let mut app = first_run(cfg, &mut first);
        let end_reading = app.lane.sim().reading();
        // Back to t = 2 s, past both knob changes: 6 → 5 → 4 → 3 → 2.
        press(&mut app, Msg::Rewind, 4);
        assert_eq!(app.lane.now_ns(), 2 * S, "{:?}", cfg.guest);
        let from = app.lane.live_sim().trace().next_seq();
        // Running on, in other ticks: the actions after 2 s are replayed at their times.
        update(&mut app, Msg::TogglePause);
        let mut again = Seen::default();
        run_to(&mut app, 6 * S, 7_000_000, &mut again);
        assert_eq!(app.config().netback, NetbackVariant::Fixed);
        assert!(!app.config().throttle);
        // The ring keeps the newest records: compare every one both runs saw.
        let mut both = 0;
        for (seq, e) in again.0.range(from..) {
            if let Some(w) = first.0.get(seq) {
                assert_eq!(e, w, "{:?}: record {seq}", cfg.guest);
                both += 1;
            }
        }
        assert!(both > 1000, "{:?}: {both} records compared", cfg.guest);
        let last = |s: &Seen| s.0.last_key_value().map(|(k, _)| *k);
        assert_eq!(
            last(&again),
            last(&first),
            "{:?}: as many records",
            cfg.guest
        );
        assert_eq!(app.lane.sim().reading(), end_reading, "{:?}", cfg.guest);
    }
}

#[test]
fn rewinding_past_a_knob_change_undoes_it_on_screen_and_forward_brings_it_back() {
    let mut app = first_run(Config::default(), &mut Seen::default());
    update(&mut app, Msg::TogglePause);
    let at_end = frame(&app);
    assert!(!app.config().throttle);
    press(&mut app, Msg::Rewind, 2); // 6 → 5 → 4 s: before the throttle change at 4.207 s
    assert_eq!(app.lane.now_ns(), 4 * S);
    assert!(app.config().throttle, "throttle on again, as at 4 s");
    assert_eq!(app.config().netback, NetbackVariant::Fixed);
    let rewound = frame(&app);
    assert!(
        rewound.contains("⟲ 4.0s"),
        "the timeline shows where:\n{rewound}"
    );
    press(&mut app, Msg::Rewind, 2); // 2 s: before the netback change too
    assert_eq!(app.config().netback, NetbackVariant::Buggy);
    press(&mut app, Msg::Forward, 4); // 3, 4, 5, then the furthest state reached (6 s)
    assert_eq!(app.lane.now_ns(), 6 * S);
    assert!(!app.config().throttle);
    assert!(app.history().head_ns().is_none(), "the present again");
    // The status bar's notice aside, the frame is the one left.
    update(&mut app, Msg::CloseOverlay);
    assert_eq!(frame(&app), at_end);
    update(&mut app, Msg::Forward);
    assert_eq!(app.lane.now_ns(), 6 * S, "nothing later");
}

#[test]
fn a_knob_change_after_a_rewind_starts_a_new_branch() {
    let mut app = first_run(Config::default(), &mut Seen::default());
    assert_eq!(app.history().done().len(), 3);
    press(&mut app, Msg::Rewind, 3); // 3 s: after the netback change, before the rest
    assert_eq!(app.history().done().len(), 1);
    update(&mut app, Msg::Set(KnobChange::LateEoi(false)));
    assert_eq!(app.history().done().len(), 2, "the future is forgotten");
    assert!(app.history().head_ns().is_none());
    assert!(
        app.history().checkpoint_times().all(|t| t <= 3 * S),
        "no checkpoint of the old future"
    );
    update(&mut app, Msg::TogglePause);
    run_to(&mut app, 6 * S, 20_000_000, &mut Seen::default());
    assert!(
        app.config().throttle,
        "the old branch's throttle change is gone"
    );
    assert!(!app.config().lateeoi);
}

#[test]
fn the_step_works_from_a_rewound_point() {
    let mut app = first_run(Config::default(), &mut Seen::default());
    press(&mut app, Msg::Rewind, 3);
    let before = app.lane.live_sim().trace().next_seq();
    update(&mut app, Msg::Step);
    assert!(
        app.lane.live_sim().trace().next_seq() > before,
        "a transition"
    );
    assert!(app.lane.now_ns() > 3 * S);
    // ...and what follows the step is the first run's, the later actions replayed.
    update(&mut app, Msg::TogglePause);
    run_to(&mut app, 6 * S, 20_000_000, &mut Seen::default());
    let mut first = Seen::default();
    let again = first_run(Config::default(), &mut first);
    assert_eq!(app.lane.sim().reading(), again.lane.sim().reading());
}

#[test]
fn a_shared_string_reopens_the_same_frame() {
    use evtchn_lab::app::share::State;
    let mut app = first_run(Config::default(), &mut Seen::default());
    update(&mut app, Msg::Step);
    update(&mut app, Msg::Step);
    let s = app.share_string();
    assert!(s.starts_with("ev1.") && s.len() < 80, "{s}");
    let state = State::decode(&s).expect("its own string");
    let open = |state: &State| {
        let mut opts = Options::free(Config::default());
        opts.open = evtchn_lab::app::Open::State(Box::new(state.clone()));
        App::new(opts)
    };
    let a = open(&state);
    let b = open(&state);
    assert_eq!(frame(&a), frame(&b), "the same string, the same frame");
    assert_eq!(a.lane.now_ns(), app.lane.now_ns());
    assert_eq!(a.lane.sim().reading(), app.lane.sim().reading());
    assert_eq!(a.lane.stepping(), app.lane.stepping());
    assert_eq!(a.share_string(), s, "and the same string again");
    // Rewinding in the reopened lab works as in the first.
    let mut a = a;
    update(&mut a, Msg::Rewind);
    assert_eq!(
        a.lane.now_ns(),
        6 * S,
        "{:?} {:?}",
        a.notice,
        a.history().checkpoint_times().collect::<Vec<_>>()
    );
}

#[test]
fn a_lesson_step_starts_from_a_state_string() {
    use evtchn_lab::script::share::{Action, Entry, State};
    let state = State {
        scenario: Config::default(),
        compare: None,
        entries: vec![Entry {
            t_ns: 1_500_000_000,
            action: Action::Knob(KnobChange::Netback(NetbackVariant::Fixed)),
        }],
        t_ns: 3 * S,
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("01-from-state.toml"),
        format!(
            "id = \"01-from-state\"\ntitle = \"t\"\nsummary = \"x\"\n\n[[step]]\ntitle = \"s\"\n\
             state = \"{}\"\nquestion = \"q?\"\nchoices = [\"a\", \"b\"]\nanswer = 1\n\
             explain = \"e\"\n",
            state.encode()
        ),
    )
    .unwrap();
    let cat = evtchn_lab::lesson::Catalog::from_dir(dir.path()).expect("the lesson loads");
    let app = App::new(Options {
        scenario: Config::default(),
        open: evtchn_lab::app::Open::Lesson("01-from-state".into()),
        lessons: cat,
        progress: Default::default(),
    });
    assert_eq!(
        app.lane.now_ns(),
        3 * S,
        "the step starts at the state's time"
    );
    assert_eq!(
        app.config().netback,
        NetbackVariant::Fixed,
        "its knob change replayed"
    );
    let mut free = App::new(Options::free(Config::default()));
    free.open_state(&state);
    assert_eq!(app.lane.sim().reading(), free.lane.sim().reading());
}
