//! Rewind's memory stays within the bound the `?` help states, over a one-hour virtual
//! run: the checkpoints kept are counted, and what they take is measured by counting what
//! a copy of them allocates (a checkpoint is itself such a copy). Its own test binary: the
//! allocator's count is the whole process's.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use evtchn_lab::app::history::{CHECKPOINT_EVERY_NS, CHECKPOINT_MAX_BYTES, CHECKPOINTS_KEPT};
use evtchn_lab::app::{App, Msg, Options, update};
use evtchn_lab::sim::{Config, KnobChange};

struct Counting;

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static A: Counting = Counting;

/// Bytes a copy of the app's history allocates: what its checkpoints hold.
fn history_bytes(app: &App) -> usize {
    let before = ALLOCATED.load(Ordering::Relaxed);
    let copy = app.history().clone();
    let bytes = ALLOCATED.load(Ordering::Relaxed) - before;
    drop(copy);
    bytes
}

#[test]
fn an_hour_of_virtual_time_keeps_the_checkpoints_within_the_bound() {
    let mut app = App::new(Options::free(Config::default()));
    let mut most = 0;
    for s in 1..=3600u64 {
        update(&mut app, Msg::Elapse { ns: 1_000_000_000 });
        if s % 600 == 300 {
            // A knob change now and then: history entries are kept too.
            update(&mut app, Msg::Set(KnobChange::Throttle(s % 1200 == 300)));
        }
        if s % 300 == 0 {
            most = most.max(history_bytes(&app));
        }
    }
    assert_eq!(app.lane.now_ns(), 3600 * 1_000_000_000);
    assert_eq!(app.history().len(), CHECKPOINTS_KEPT);
    let oldest = app.history().checkpoint_times().next();
    let span = (CHECKPOINTS_KEPT as u64 - 1) * CHECKPOINT_EVERY_NS;
    assert_eq!(oldest, Some(3600 * 1_000_000_000 - span));
    let per = most / CHECKPOINTS_KEPT;
    eprintln!("checkpoints: {most} bytes, {per} a checkpoint");
    assert!(
        most <= CHECKPOINTS_KEPT * CHECKPOINT_MAX_BYTES,
        "{most} bytes over the bound {}",
        CHECKPOINTS_KEPT * CHECKPOINT_MAX_BYTES
    );
    // The bound is a measured one, not a loose guess: within a factor of two.
    assert!(per * 2 > CHECKPOINT_MAX_BYTES, "{per} bytes a checkpoint");
}
