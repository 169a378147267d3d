//! Durations in words: the one formatter, at the precision each place needs.

/// A length of time: wall time in seconds (measured, fractional) or virtual time in
/// nanoseconds (exact).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Time {
    Secs(f64),
    Ns(u64),
}

impl Time {
    fn secs(self) -> f64 {
        match self {
            Time::Secs(s) => s,
            Time::Ns(ns) => ns as f64 / 1e9,
        }
    }

    fn ns(self) -> u64 {
        match self {
            Time::Secs(s) => (s * 1e9).round() as u64,
            Time::Ns(ns) => ns,
        }
    }
}

/// How precisely a duration is worded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// `12.3 s`, `2 min 05 s` or `1 h 05 min`: wall time (a recording's length, a demo
    /// played, a run's time left).
    Clock,
    /// `1 s`, `2.5 s` or `250 ms` (milliseconds rounded up): a span of virtual time in a
    /// lesson.
    Short,
    /// `3 s`, whole seconds rounded up: time left, never `0 s` while any is.
    WholeUp,
}

const NS_PER_S: u64 = 1_000_000_000;
const NS_PER_MS: u64 = 1_000_000;

/// `t` in words, at precision `p`.
pub fn duration(t: Time, p: Precision) -> String {
    match p {
        Precision::Clock => {
            let s = t.secs();
            if s < 60.0 {
                return format!("{s:.1} s");
            }
            let t = s.round() as u64;
            match t {
                ..3600 => format!("{} min {:02} s", t / 60, t % 60),
                _ => format!("{} h {:02} min", t / 3600, (t % 3600) / 60),
            }
        }
        Precision::Short => {
            let ns = t.ns();
            if ns < NS_PER_S {
                return format!("{} ms", ns.div_ceil(NS_PER_MS));
            }
            let s = t.secs();
            if (s - s.round()).abs() < 1e-9 {
                format!("{s:.0} s")
            } else {
                format!("{s:.1} s")
            }
        }
        Precision::WholeUp => format!("{} s", t.ns().div_ceil(NS_PER_S)),
    }
}

#[cfg(test)]
mod tests {
    use super::{Precision::*, Time::*, duration};

    #[test]
    fn wall_time_reads_in_seconds_minutes_or_hours() {
        assert_eq!(duration(Secs(12.34), Clock), "12.3 s");
        assert_eq!(duration(Secs(59.94), Clock), "59.9 s");
        assert_eq!(duration(Secs(125.0), Clock), "2 min 05 s");
        assert_eq!(duration(Secs(3599.4), Clock), "59 min 59 s");
        assert_eq!(duration(Secs(3900.0), Clock), "1 h 05 min");
        assert_eq!(duration(Ns(125_000_000_000), Clock), "2 min 05 s");
    }

    #[test]
    fn virtual_spans_read_whole_tenths_or_milliseconds() {
        assert_eq!(duration(Ns(1_000_000_000), Short), "1 s");
        assert_eq!(duration(Ns(2_500_000_000), Short), "2.5 s");
        assert_eq!(duration(Ns(250_000_000), Short), "250 ms");
        // Milliseconds round up: a span under one never reads 0 ms.
        assert_eq!(duration(Ns(1), Short), "1 ms");
        assert_eq!(duration(Ns(0), Short), "0 ms");
        assert_eq!(duration(Ns(999_999_999), Short), "1000 ms");
        assert_eq!(duration(Secs(0.25), Short), "250 ms");
    }

    #[test]
    fn time_left_reads_whole_seconds_rounded_up() {
        assert_eq!(duration(Ns(1), WholeUp), "1 s");
        assert_eq!(duration(Ns(1_000_000_000), WholeUp), "1 s");
        assert_eq!(duration(Ns(1_000_000_001), WholeUp), "2 s");
        assert_eq!(duration(Ns(0), WholeUp), "0 s");
    }
}
