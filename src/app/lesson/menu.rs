//! The start screen's entries: the lesson to continue, every lesson, free play.

use crate::app::{App, Lane, Page, RunState, View};
use crate::lesson::progress::Status;

/// An entry of the start screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MenuEntry {
    /// The lesson last opened, at its step.
    Continue(usize),
    Lesson(usize),
    Free,
}

impl App {
    /// The start screen's entries, top to bottom.
    pub fn menu(&self) -> Vec<MenuEntry> {
        let mut v = Vec::with_capacity(self.lessons.len() + 2);
        if let Some((i, l)) = self
            .progress
            .last
            .as_deref()
            .and_then(|id| self.lessons.get(id))
            && self.progress.status(l) != Status::Done
        {
            v.push(MenuEntry::Continue(i));
        }
        v.extend((0..self.lessons.len()).map(MenuEntry::Lesson));
        v.push(MenuEntry::Free);
        v
    }

    pub(in crate::app) fn menu_move(&mut self, d: i8) {
        let n = self.menu().len();
        if let Page::Start { selected } = &mut self.page {
            *selected = (*selected as i64 + i64::from(d)).clamp(0, n as i64 - 1) as usize;
        }
    }

    pub(in crate::app) fn menu_open(&mut self) {
        let Page::Start { selected } = self.page else {
            return;
        };
        match self.menu().get(selected).copied() {
            Some(MenuEntry::Continue(i) | MenuEntry::Lesson(i)) => self.open_lesson(i),
            Some(MenuEntry::Free) | None => self.open_free(),
        }
    }

    /// Free play from the starting scenario.
    pub(in crate::app) fn open_free(&mut self) {
        self.page = Page::Lab;
        self.view = View::Free;
        self.lane = Lane::new(self.start);
        self.run = RunState::Running;
        self.meter.clear();
    }

    /// Back to the start screen, the lesson just left selected.
    pub(in crate::app) fn back_to_start(&mut self) {
        let lesson = self.lesson_run().map(|r| r.lesson);
        let menu = self.menu();
        let selected = menu
            .iter()
            .position(|e| Some(*e) == lesson.map(MenuEntry::Lesson))
            .unwrap_or(0);
        self.page = Page::Start { selected };
    }

    /// Lesson `index` is done: the start screen, the next lesson selected, ready for Enter.
    pub(super) fn lesson_done(&mut self, index: usize, title: &str) {
        self.back_to_start();
        let next = self
            .menu()
            .iter()
            .position(|e| *e == MenuEntry::Lesson(index + 1));
        if let (Page::Start { selected }, Some(p)) = (&mut self.page, next) {
            *selected = p;
        }
        self.notice = Some(format!("lesson done: {title}"));
    }
}
