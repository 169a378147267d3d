//! Playing a demo: each move of [`Demo::next`] by phase (reading, solving, the
//! explanation, `Enter`, the list, the keys to the next lesson) and [`Demo::skip`].

use crate::app::player::{Played, Player, ScriptError, TICK_NS};
use crate::app::{App, Msg, Page, update};
use crate::script::Item;

use super::{Caption, Demo, DemoError, Move, Phase, enter, one_key, open_keys, solution};

impl Demo {
    /// Let time pass in the lab while a text is read: one tick at 1× when it runs, the
    /// whole rest at once when it is paused. Returns the hold.
    fn read_tick(app: &mut App, left: &mut u64) -> u64 {
        let d = if app.is_running() {
            (*left).min(TICK_NS)
        } else {
            *left
        };
        if app.is_running() {
            update(app, Msg::Elapse { ns: d });
        }
        *left -= d;
        d
    }

    fn moved(&mut self, hold_ns: u64, key: bool, met_now: bool, app: &App) -> Move {
        let at_ns = self.clock_ns;
        self.clock_ns += hold_ns;
        let met = met_now.then(|| {
            (
                self.lessons[self.pos],
                Self::step_index(app).unwrap_or_default(),
            )
        });
        Move {
            at_ns,
            hold_ns,
            key,
            met,
        }
    }

    /// The explanation phase for the step just met.
    fn explain(&mut self, app: &App) {
        let (left, quiz) = self.current_step(app).map_or((0, false), |s| {
            (
                self.reading_ns(app, self.pacing.explain_read_ns(s)),
                s.is_quiz(),
            )
        });
        self.phase = Phase::Explain { left };
        self.caption = Caption::Explaining { quiz };
    }

    /// Make the next move: read on, press the next key, let one tick of a wait pass, go on
    /// to the next step or lesson. `None` once the demo is over.
    pub fn next(&mut self, app: &mut App) -> Result<Option<Move>, DemoError> {
        loop {
            let mv = match &mut self.phase {
                Phase::Finished => {
                    self.caption = Caption::Finished;
                    return Ok(None);
                }
                Phase::Read { left } if *left == 0 => {
                    let script = self.current_step(app).map(solution).unwrap_or_default();
                    self.phase = Phase::Solve(Player::new(&script));
                    continue;
                }
                Phase::Read { left } => {
                    let hold = Self::read_tick(app, left);
                    self.read(app, hold)
                }
                Phase::Solve(player) => {
                    let before = app.lane.now_ns();
                    let played = player.step(app);
                    let last = player.last_item();
                    self.solved(app, played, last, before)?
                }
                Phase::Explain { left } if *left == 0 => {
                    self.phase = Phase::Enter;
                    continue;
                }
                Phase::Explain { left } => {
                    let hold = Self::read_tick(app, left);
                    if let Some(s) = self.current_step(app) {
                        self.caption = Caption::Explaining { quiz: s.is_quiz() };
                    }
                    self.moved(hold, false, false, app)
                }
                Phase::Enter => self.enter(app)?,
                Phase::Done { left } if *left == 0 => {
                    self.phase = match self.lessons.get(self.pos + 1) {
                        Some(&next) => Phase::Navigate(Player::new(&open_keys(app, next))),
                        None => Phase::Finished,
                    };
                    continue;
                }
                Phase::Done { left } => {
                    let hold = std::mem::take(left);
                    self.caption = Caption::LessonDone {
                        next: self.lessons.get(self.pos + 1).copied(),
                    };
                    self.moved(hold, false, false, app)
                }
                Phase::Navigate(player) => {
                    let played = player.step(app);
                    match self.navigated(app, played)? {
                        Some(mv) => mv,
                        None => continue,
                    }
                }
            };
            return Ok(Some(mv));
        }
    }

    /// A tick of reading the step (`hold` of it gone); a goal that came true meanwhile
    /// leaves nothing to solve.
    fn read(&mut self, app: &App, hold: u64) -> Move {
        self.caption = Caption::Reading;
        let now_met = app.step_met();
        let mv = self.moved(hold, false, now_met, app);
        if now_met {
            self.explain(app);
        }
        mv
    }

    /// The move the solution's player made (`played`, its item `last`; virtual time was
    /// `before` it): a key and its hold, or a tick of a wait; an error where the solution
    /// ends before the goal is met or fails.
    fn solved(
        &mut self,
        app: &App,
        played: Option<Result<Played, ScriptError>>,
        last: Option<Item>,
        before: u64,
    ) -> Result<Move, DemoError> {
        let step = Self::step_index(app).unwrap_or_default() + 1;
        let (hold, key) = match played {
            None => {
                return Err(DemoError::Unmet {
                    lesson: self.lesson_id(),
                    step,
                });
            }
            Some(Err(error)) => {
                return Err(DemoError::Script {
                    lesson: self.lesson_id(),
                    step,
                    error,
                });
            }
            Some(Ok(Played::Key { key, .. })) => {
                self.caption = Caption::Key(key);
                (self.pacing.key_hold_ns, true)
            }
            Some(Ok(Played::Tick)) => {
                let after = match self.caption {
                    Caption::Key(k) | Caption::Wait { after: Some(k), .. } => Some(k),
                    _ => None,
                };
                if let Some(Item::Wait(ns)) = last {
                    self.caption = Caption::Wait { after, ns };
                }
                (app.lane.now_ns().saturating_sub(before), false)
            }
        };
        let now_met = app.step_met();
        let mv = self.moved(hold, key, now_met, app);
        if now_met {
            // Like `lessons check`: the solution stops where the goal holds.
            let caption = self.caption;
            self.explain(app);
            if key {
                // The key that met the goal stays in the caption for its hold.
                self.caption = caption;
            }
        }
        Ok(mv)
    }

    /// `Enter` after the explanation: the next step to read, or the lesson done.
    fn enter(&mut self, app: &mut App) -> Result<Move, DemoError> {
        let mut p = Player::new(&one_key(enter()));
        if let Some(Err(error)) = p.step(app) {
            return Err(DemoError::Script {
                lesson: self.lesson_id(),
                step: Self::step_index(app).unwrap_or_default() + 1,
                error,
            });
        }
        self.caption = Caption::Key(enter());
        self.entered += 1;
        self.phase = match (app.page, self.current_step(app)) {
            (Page::Lab, Some(s)) => Phase::Read {
                left: self.reading_ns(app, self.pacing.step_read_ns(s)),
            },
            _ => Phase::Done {
                left: self.pacing.lesson_end_ns,
            },
        };
        Ok(self.moved(self.pacing.key_hold_ns, true, false, app))
    }

    /// A move of the keys that open the next lesson from the list (`played`): a key and
    /// its hold; `None` once they are played and the lesson is open, its first step to
    /// read; an error where they did not open it.
    fn navigated(
        &mut self,
        app: &App,
        played: Option<Result<Played, ScriptError>>,
    ) -> Result<Option<Move>, DemoError> {
        match played {
            Some(Ok(Played::Key { key, .. })) => {
                self.caption = Caption::Key(key);
                return Ok(Some(self.moved(self.pacing.key_hold_ns, true, false, app)));
            }
            Some(Ok(Played::Tick)) => return Ok(None),
            Some(Err(_)) | None => {}
        }
        let next = self.lessons[self.pos + 1];
        let opened = app
            .lesson_run()
            .is_some_and(|r| r.lesson == next && r.step == 0 && app.page == Page::Lab);
        if !opened {
            return Err(DemoError::Navigation {
                lesson: self.cat.lessons[next].id.clone(),
            });
        }
        self.pos += 1;
        self.entered += 1;
        let step = &self.cat.lessons[next].steps[0];
        self.phase = Phase::Read {
            left: self.reading_ns(app, self.pacing.step_read_ns(step)),
        };
        Ok(None)
    }

    /// `n`: the rest of this step at once (no reading, no holds, no time to wait beyond
    /// the solution's own), then `Enter`; on the list after a lesson, the next lesson. The
    /// demo's clock moves by the last key's hold only, so its caption (`▶ key: Enter`) is
    /// seen. Returns that hold: the moment the next move is due.
    pub fn skip(&mut self, app: &mut App) -> Result<Move, DemoError> {
        let clock = self.clock_ns;
        let from = self.entered;
        let mut last = None;
        while self.entered == from && !self.is_finished() {
            if let Phase::Read { left } | Phase::Explain { left } | Phase::Done { left } =
                &mut self.phase
            {
                *left = 0;
            }
            last = self.next(app)?.or(last);
        }
        let hold_ns = last.filter(|m| m.key).map_or(0, |m| m.hold_ns);
        self.clock_ns = clock + hold_ns;
        Ok(Move {
            at_ns: clock,
            hold_ns,
            key: true,
            met: None,
        })
    }
}
