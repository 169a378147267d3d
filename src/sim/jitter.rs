//! Jitter: each cost varies uniformly by ± `jitter_pct`, from the simulation's one RNG,
//! drawn in a fixed order so a run repeats bit for bit.

use rand_core::RngCore;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::*;

impl Sim {
    /// A cost with the configured jitter (uniform, ± `jitter_pct`):
    /// `round(cost × (1 + j/100 × (2u − 1)))`, at least 1, with `u` in [0, 1) from the RNG.
    /// The factors are drawn ahead in batches ([`JitterFactors`]), in the RNG's order.
    /// Without jitter every factor is exactly 1 and nothing is drawn ([`JitterFactors`]), so
    /// the cost comes back unchanged with no test of its own here.
    #[inline(always)]
    pub(super) fn jitter(&mut self, cost: u64) -> u64 {
        // One test for both ends: 0, and 2^30 or more (0 wraps to the top).
        if cost.wrapping_sub(1) >= (1 << 30) - 1 {
            return self.jitter_outside(cost);
        }
        let f = self.jitter_factors.next(&mut self.rng, self.jitter_frac);
        // 1 <= cost < 2^30 and f < 2: the product is below 2^31, where the conversion is
        // exact and one instruction, and rounding needs no range checks.
        u64::from(round_small(f64::from(cost as i32) * f).max(1))
    }

    /// [`Sim::jitter`] outside 1..2^30: 0 stays 0 and draws nothing; 2^30 ns and more
    /// (never in practice) draws its factor and is rounded the plain way.
    #[cold]
    #[inline(never)]
    fn jitter_outside(&mut self, cost: u64) -> u64 {
        if cost == 0 {
            return 0;
        }
        let f = self.jitter_factors.next(&mut self.rng, self.jitter_frac);
        if self.jitter_frac == 0.0 {
            return cost; // exactly, even above 2^53
        }
        ((cost as f64) * f).round().max(1.0) as u64
    }
}

/// Jitter factors `1 + j/100 × (2u − 1)` drawn ahead from the simulation's RNG, used in
/// the order drawn: the same factors, in the same order, as drawing one per cost; a batch
/// at a time is cheaper (the RNG's state stays in registers). Without jitter (`frac` 0) the
/// factors are exactly 1 and the RNG is never drawn.
#[derive(Clone, Debug)]
pub(super) struct JitterFactors {
    f: [f64; JITTER_BATCH],
    next: usize,
}

const JITTER_BATCH: usize = 64;

impl JitterFactors {
    pub(super) fn new() -> Self {
        JitterFactors {
            f: [0.0; JITTER_BATCH],
            next: JITTER_BATCH,
        }
    }

    #[inline]
    fn next(&mut self, rng: &mut Xoshiro256PlusPlus, frac: f64) -> f64 {
        if self.next == JITTER_BATCH {
            self.refill(rng, frac);
        }
        let f = self.f[self.next % JITTER_BATCH];
        self.next += 1;
        f
    }

    #[cold]
    #[inline(never)]
    fn refill(&mut self, rng: &mut Xoshiro256PlusPlus, frac: f64) {
        self.next = 0;
        if frac == 0.0 {
            self.f = [1.0; JITTER_BATCH];
            return;
        }
        // A local copy keeps the RNG's state in registers through the loop.
        let mut r = rng.clone();
        for f in &mut self.f {
            // u = k / 2^53 in [0, 1), k below 2^53 (so the conversion is exact either way);
            // 2u − 1 is then k / 2^52 − 1 exactly (scaling by a power of two is exact).
            let k = (r.next_u64() >> 11) as i64 as f64;
            *f = 1.0 + frac * (k * (1.0 / (1u64 << 52) as f64) - 1.0);
        }
        *rng = r;
    }
}

/// `x.round()` (half away from zero) for `0 <= x < 2^31`, without the library call that
/// `f64::round` becomes on the baseline x86-64 target, and without a float → integer
/// conversion: adding 2^52 + 2^51 rounds `x` to the nearest integer (ties to even) into
/// the low bits of the sum; the difference from `x`, exact, says whether it was a tie that
/// went down.
#[inline(always)]
fn round_small(x: f64) -> u32 {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 2^52 + 2^51
    debug_assert!((0.0..2_147_483_648.0).contains(&x));
    let m = x + MAGIC;
    let r = m.to_bits() as u32;
    if x - (m - MAGIC) >= 0.5 { r + 1 } else { r }
}

#[cfg(test)]
mod round_tests {
    use super::*;

    /// A sim that schedules no traffic, with `jitter_pct` as given.
    fn idle_sim(jitter_pct: u32) -> Sim {
        let mut cfg = Config::default();
        cfg.params.jitter_pct = jitter_pct;
        cfg.guest = GuestKind::Idle;
        Sim::headless(cfg)
    }

    /// With jitter, every cost but 0 takes the next factor in the RNG's order, on either
    /// side of 2^30, and comes back as the plain formula `max(1, round(cost × f))` says.
    #[test]
    fn jitter_draws_one_factor_per_nonzero_cost() {
        let mut sim = idle_sim(50);
        let frac = sim.jitter_frac;
        let mut rng = sim.rng.clone();
        let costs = [
            0,
            1,
            0,
            (1 << 30) - 1,
            1 << 30,
            0,
            3,
            5_000,
            (1 << 40) + 7,
            u64::MAX,
        ];
        for _ in 0..40 {
            for cost in costs {
                let expected = if cost == 0 {
                    0
                } else {
                    let k = (rng.next_u64() >> 11) as f64;
                    let f = 1.0 + frac * (k / (1u64 << 52) as f64 - 1.0);
                    ((cost as f64) * f).round().max(1.0) as u64
                };
                assert_eq!(sim.jitter(cost), expected, "cost {cost}");
            }
        }
    }

    /// Without jitter a cost comes back exactly, and the RNG is never drawn.
    #[test]
    fn no_jitter_keeps_costs_and_the_rng() {
        let mut sim = idle_sim(0);
        let rng = sim.rng.clone();
        for cost in [
            0,
            1,
            2,
            499,
            5_000,
            (1 << 30) - 1,
            1 << 30,
            (1 << 53) + 1,
            u64::MAX,
        ] {
            for _ in 0..100 {
                assert_eq!(sim.jitter(cost), cost);
            }
        }
        assert_eq!(sim.rng, rng);
    }

    /// The same as `f64::round` everywhere the jitter can land, halves included.
    #[test]
    fn round_small_is_f64_round() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for i in 0..1_000_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = match i % 4 {
                0 => (x >> 11) as f64 / (1u64 << 53) as f64 * 1e7,
                1 => (x % 10_000_000) as f64 + 0.5,
                2 => f64::from_bits(0x3fe0_0000_0000_0000 + (x % 1000)) + (x % 100) as f64,
                _ => f64::from_bits(x >> 2) % 2.1e9,
            };
            if v < 2_147_483_648.0 {
                assert_eq!(u64::from(round_small(v)), v.round() as u64, "{v:e}");
            }
        }
        for v in [
            0.0,
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            2147483646.5,
            2147483647.49999,
        ] {
            assert_eq!(u64::from(round_small(v)), v.round() as u64, "{v:e}");
        }
    }
}
