//! The steady-state event loop never allocates: every queue, ring and buffer is sized up
//! front. A counting global allocator checks it (this test binary only). It counts on the
//! test's own thread: the test harness allocates on its other threads whenever it likes,
//! which made the count flaky.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use evtchn_lab::sim::{Abi, Config, Direction, GuestKind, KnobChange, NetbackVariant, Sim};

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Whether this thread's allocations count (a const `Cell`: reading it allocates
    /// nothing, as an allocator needs).
    static COUNTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn count() {
    if COUNTED.with(std::cell::Cell::get) {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

#[test]
fn steady_state_allocates_nothing() {
    COUNTED.with(|c| c.set(true));
    // The counter counts: an allocation on this thread moves it.
    let before = ALLOCS.load(Ordering::Relaxed);
    drop(std::hint::black_box(vec![1u8; 64]));
    assert!(
        ALLOCS.load(Ordering::Relaxed) > before,
        "the counter counts"
    );
    let cases = [
        (GuestKind::Freebsd, Direction::Tx, NetbackVariant::Buggy),
        (GuestKind::Freebsd, Direction::Tx, NetbackVariant::Fixed),
        (GuestKind::Freebsd, Direction::Rx, NetbackVariant::Buggy),
        (GuestKind::Linux, Direction::Tx, NetbackVariant::Buggy),
        (GuestKind::Linux, Direction::Rx, NetbackVariant::Fixed),
        (GuestKind::Rogue, Direction::Tx, NetbackVariant::Buggy),
    ];
    let cases = cases
        .into_iter()
        .flat_map(|c| [(c, Abi::TwoLevel), (c, Abi::Fifo)]);
    for ((guest, direction, netback), abi) in cases {
        let cfg = Config {
            guest,
            direction,
            netback,
            abi,
            ..Config::default()
        };
        let mut sim = Sim::new(cfg);
        // Warm up past the first samples so every buffer has reached its working size.
        sim.run_until(300_000_000);
        let before = ALLOCS.load(Ordering::Relaxed);
        sim.run_until(1_300_000_000);
        sim.set_knob(KnobChange::Throttle(false));
        sim.run_until(1_500_000_000);
        let after = ALLOCS.load(Ordering::Relaxed);
        let moved = sim.receiver().next_seq;
        assert_eq!(
            after - before,
            0,
            "{guest:?} {direction:?} {netback:?} {abi}: {} allocations",
            after - before
        );
        if guest != GuestKind::Rogue {
            assert!(
                moved > 10_000,
                "{guest:?}: the run moved only {moved} segments"
            );
        }
    }
}
