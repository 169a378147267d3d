//! The simulation's own thread, so drawing and keys never take its time.
//!
//! The lab's state ([`App`]) sits behind one mutex, shared by the terminal loop and this
//! thread. The thread takes the lock, advances one slice (`Msg::Advance` with the wall time
//! since the last slice, then `Msg::Measured`: the budget keeps a slice near
//! [`Budget::TARGET_WORK`](crate::app::speed::Budget::TARGET_WORK) of work), and lets go:
//! - behind the speed asked for (the budget held virtual time back, [`App::is_behind`]), it
//!   goes on at once, first stepping aside for the terminal loop if that waits for the lock
//!   (a key, a frame): the simulation keeps a core busy;
//! - caught up, it sleeps until the next [`SIM_TICK`], as the loop's tick did;
//! - paused (or on the start screen), it sleeps until a key wakes it: no CPU at all.
//!
//! The terminal loop takes the same lock to apply a key (the same [`update`], so keys, `.`
//! and lesson goals, checked after every event inside the slice, behave as in a single
//! thread) and to draw: a frame shows the state between two slices, a consistent whole.
//! Why a mutex and not a copy of the state sent to the screen: the state is large (lanes,
//! their traces, the rewind history's checkpoints), a copy per frame would cost more than
//! the frame, and keys change it in place. The lock is held for a slice at most, which is
//! what a key waited for when the loop ran the slice itself.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Instant;

use tokio::sync::Notify;

use super::{MAX_WALL_STEP, SIM_TICK};
use crate::app::{App, Msg, update};

/// The lab's state and what the terminal loop and the simulation thread tell each other.
pub struct Shared {
    app: Mutex<App>,
    /// Wakes the thread from its sleep: a key may have resumed the run, or ended the lab.
    wake: Condvar,
    /// How many times the terminal loop waits for the lock: the thread lets it in first.
    ui_waiting: AtomicUsize,
    /// The lab is ending: the thread returns.
    done: AtomicBool,
    /// The wall time since the last slice is not to be simulated (the lab was stopped).
    restart_clock: AtomicBool,
    /// The thread stopped the run itself (a lesson's goal was met) or the progress changed:
    /// the terminal loop saves it and draws now.
    changed: Notify,
}

/// The simulation thread ended in a panic (its message is on the terminal already).
#[derive(Debug, thiserror::Error)]
#[error("the simulation thread stopped unexpectedly")]
pub struct Crashed;

impl Shared {
    pub fn new(app: App) -> Arc<Self> {
        Arc::new(Shared {
            app: Mutex::new(app),
            wake: Condvar::new(),
            ui_waiting: AtomicUsize::new(0),
            done: AtomicBool::new(false),
            restart_clock: AtomicBool::new(false),
            changed: Notify::new(),
        })
    }

    /// The lab's state, for the terminal loop: it waits at most for the slice under way.
    pub fn lock(&self) -> Result<MutexGuard<'_, App>, Crashed> {
        self.ui_waiting.fetch_add(1, Ordering::SeqCst);
        let app = self.app.lock();
        self.ui_waiting.fetch_sub(1, Ordering::SeqCst);
        app.map_err(|_| Crashed)
    }

    /// After a key: the thread looks at the state again (resumed, paused, quit).
    pub fn poke(&self) {
        self.wake.notify_all();
    }

    /// After a stop (Ctrl-Z, SIGTSTP): the time stopped is not wall time to simulate.
    pub(super) fn restart_clock(&self) {
        self.restart_clock.store(true, Ordering::SeqCst);
    }

    /// Until the thread stops the run itself or changes the progress.
    pub(super) async fn changed(&self) {
        self.changed.notified().await;
    }

    /// End the thread (it finishes the slice under way).
    pub fn stop(&self) {
        self.done.store(true, Ordering::SeqCst);
        // Through the lock: the thread is either before its check of `done` or asleep, and
        // the wake-up cannot fall between the two.
        drop(self.app.lock());
        self.poke();
    }

    fn ends(&self, app: &App) -> bool {
        app.should_quit() || self.done.load(Ordering::SeqCst)
    }
}

/// Start the simulation thread.
pub fn spawn(shared: &Arc<Shared>) -> std::io::Result<JoinHandle<()>> {
    let shared = Arc::clone(shared);
    std::thread::Builder::new()
        .name("simulation".into())
        .spawn(move || {
            // A poisoned lock: the loop's own panic is on its way out of the process.
            let _ = run(&shared);
        })
}

/// The thread's loop: slices while running, sleep otherwise, until the lab ends.
fn run(shared: &Shared) -> Result<(), Crashed> {
    let mut app = shared.app.lock().map_err(|_| Crashed)?;
    let mut last = Instant::now();
    while !shared.ends(&app) {
        if !app.is_running() {
            app = shared.wake.wait(app).map_err(|_| Crashed)?;
            // Resumed: the pause is not wall time to simulate.
            last = Instant::now();
            continue;
        }
        let start = Instant::now();
        if shared.restart_clock.swap(false, Ordering::SeqCst) {
            last = start;
        }
        let wall = start.saturating_duration_since(last).min(MAX_WALL_STEP);
        last = start;
        update(&mut app, Msg::Advance { wall });
        update(
            &mut app,
            Msg::Measured {
                took: start.elapsed(),
            },
        );
        if !app.is_running() || app.progress_changed() {
            shared.changed.notify_one();
        }
        app = if app.is_behind() {
            step_aside(shared, app)?
        } else {
            sleep_until_tick(shared, app, start + SIM_TICK)?
        };
    }
    Ok(())
}

/// Let the terminal loop in if it waits for the lock, then take it again.
fn step_aside<'a>(
    shared: &'a Shared,
    app: MutexGuard<'a, App>,
) -> Result<MutexGuard<'a, App>, Crashed> {
    drop(app);
    while shared.ui_waiting.load(Ordering::SeqCst) > 0 {
        std::thread::yield_now();
    }
    shared.app.lock().map_err(|_| Crashed)
}

/// Sleep (the lock let go) until `next`, or until a key pauses the run or ends the lab.
fn sleep_until_tick<'a>(
    shared: &'a Shared,
    mut app: MutexGuard<'a, App>,
    next: Instant,
) -> Result<MutexGuard<'a, App>, Crashed> {
    loop {
        let now = Instant::now();
        if now >= next || !app.is_running() || shared.ends(&app) {
            return Ok(app);
        }
        app = shared
            .wake
            .wait_timeout(app, next - now)
            .map_err(|_| Crashed)?
            .0;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::app::Options;
    use crate::sim::Config;

    fn lab(paused: bool) -> Arc<Shared> {
        let mut app = App::new(Options::free(Config::default()));
        if paused {
            update(&mut app, Msg::TogglePause);
        }
        Shared::new(app)
    }

    #[test]
    fn a_paused_lab_is_not_advanced_and_stop_ends_its_thread() {
        let shared = lab(true);
        let thread = spawn(&shared).unwrap();
        shared.stop();
        thread.join().unwrap();
        assert_eq!(shared.lock().unwrap().lane.now_ns(), 0);
    }

    #[test]
    fn a_running_lab_advances_on_its_thread_until_quit() {
        let shared = lab(false);
        let thread = spawn(&shared).unwrap();
        // A safety net only: the clock moves within one 20 ms tick.
        let deadline = Instant::now() + Duration::from_secs(60);
        while shared.lock().unwrap().lane.now_ns() == 0 && Instant::now() < deadline {
            std::thread::sleep(SIM_TICK);
        }
        update(&mut shared.lock().unwrap(), Msg::Quit);
        shared.poke();
        thread.join().unwrap();
        let app = shared.lock().unwrap();
        assert!(app.lane.now_ns() > 0);
        assert!(app.should_quit());
    }
}
