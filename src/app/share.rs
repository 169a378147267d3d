//! Share a state: the lab's side of `script::share` (the string's format): the string of
//! the state on screen, and opening one.

use super::{App, Lane, View};
pub use crate::script::share::State;

impl App {
    /// Open `state`: its scenario, its actions replayed at their times, paused at its time.
    /// The same state gives the same lanes, byte for byte.
    pub fn open_state(&mut self, state: &State) {
        self.open_free();
        self.start = state.scenario;
        if let Some(knob) = state.compare {
            self.view = View::Compare(super::Compare {
                b: Box::new(Lane::new(knob.flip(state.scenario))),
                knob,
            });
        }
        self.replay_state(state);
        self.run = super::RunState::Paused;
        self.notice = None;
    }

    /// New lanes (as the view has them) from the state's scenario at t = 0, and the
    /// state's actions replayed at their times up to its time.
    pub(super) fn replay_state(&mut self, state: &State) {
        self.restart(state.scenario);
        self.follow_history();
        for e in &state.entries {
            let now = self.lane.now_ns();
            self.elapse_with_history(e.t_ns.saturating_sub(now));
            self.record_action(e.action);
            self.apply_action(e.action);
            self.follow_history();
        }
        let now = self.lane.now_ns();
        self.elapse_with_history(state.t_ns.saturating_sub(now));
        self.follow_history();
    }

    /// The share string of the state on screen.
    pub fn share_string(&self) -> String {
        state_of(self).encode()
    }
}

/// The state on screen (lane A's time; the actions up to it).
pub fn state_of(app: &App) -> State {
    State {
        scenario: *app.history().scenario(),
        compare: app.compare_knob(),
        entries: app.history().done().to_vec(),
        t_ns: app.lane.now_ns(),
    }
}
