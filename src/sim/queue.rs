//! The event queue: ordered by (time, sequence), so events at the same instant run in the
//! order they were scheduled and a run is reproducible bit for bit.
//!
//! Fitted to the workload: at most a few dozen events are ever queued (each
//! actor has one or two timers in flight), and almost every new one falls within
//! microseconds of now, ahead of the periodic ticks and samples. So the queue is a small
//! array kept sorted with the next event *last*: `pop` is `Vec::pop`, and `push` walks in
//! from the near end, moving the few events due before the new one up by one slot (one
//! step of an insertion sort). A new event goes after every queued one with the same or an
//! earlier time; that is exactly (time, sequence) order, without storing the sequence.

#[derive(Clone, Copy)]
struct Entry<E> {
    t: u64,
    ev: E,
}

#[derive(Clone)]
pub struct EventQueue<E> {
    /// Sorted by (time, sequence), latest first: the next event is the last element.
    entries: Vec<Entry<E>>,
}

impl<E: Copy> EventQueue<E> {
    /// The capacity is reserved up front so the steady state never allocates.
    pub fn with_capacity(cap: usize) -> Self {
        EventQueue {
            entries: Vec::with_capacity(cap),
        }
    }

    #[inline]
    pub fn push(&mut self, t: u64, ev: E) {
        let new = Entry { t, ev };
        self.entries.push(new);
        Self::settle(&mut self.entries, new);
    }

    /// Put `new`, the last element, in its place: events due at or before its time were
    /// scheduled earlier or are earlier, so they stay ahead of it (nearer the end).
    #[inline(always)]
    fn settle(e: &mut [Entry<E>], new: Entry<E>) {
        let Some((last, rest)) = e.split_last_mut() else {
            return;
        };
        let mut slot = last;
        for prev in rest.iter_mut().rev() {
            if prev.t > new.t {
                break;
            }
            *slot = *prev;
            slot = prev;
        }
        *slot = new;
    }

    /// The time of the next event.
    #[inline]
    pub fn peek_time(&self) -> Option<u64> {
        self.entries.last().map(|e| e.t)
    }

    /// The next event and its time.
    #[inline]
    pub fn peek(&self) -> Option<(u64, &E)> {
        self.entries.last().map(|e| (e.t, &e.ev))
    }

    /// The time of the event after the next one.
    #[inline]
    pub fn second_time(&self) -> Option<u64> {
        let n = self.entries.len();
        (n >= 2).then(|| self.entries[n - 2].t)
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(u64, E)> {
        self.entries.pop().map(|e| (e.t, e.ev))
    }

    /// The next event, if it is due at or before `limit`, left in place (take it with
    /// [`EventQueue::drop_next`]). A reference, not a copy: its `None` is a null pointer,
    /// so the event loop tests the queue once, not again for the event's own `None`.
    #[inline]
    pub fn peek_due(&self, limit: u64) -> Option<(u64, &E)> {
        match self.entries.last() {
            Some(e) if e.t <= limit => Some((e.t, &e.ev)),
            _ => None,
        }
    }

    /// Remove the next event (after [`EventQueue::peek_due`]).
    #[inline]
    pub fn drop_next(&mut self) {
        self.entries.pop();
    }

    /// Move the next event to time `t` (not earlier than it), as if it were popped and
    /// pushed again now: it goes after every queued event due at or before `t`.
    #[inline]
    pub fn reschedule_next(&mut self, t: u64) {
        let Some(&last) = self.entries.last() else {
            return;
        };
        debug_assert!(t >= last.t);
        Self::settle(&mut self.entries, Entry { t, ev: last.ev });
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_then_insertion_order() {
        let mut q = EventQueue::with_capacity(4);
        q.push(5, 'a');
        q.push(1, 'b');
        q.push(5, 'c');
        q.push(1, 'd');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['b', 'd', 'a', 'c']);
    }

    /// Against a reference ordered by (time, sequence), with pushes and pops interleaved
    /// as the simulation makes them (never earlier than the last pop).
    #[test]
    fn matches_time_sequence_order() {
        let mut q = EventQueue::with_capacity(8);
        let mut reference: std::collections::BTreeMap<(u64, u64), u32> = Default::default();
        let mut seq = 0u64;
        let mut now = 0u64;
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut rand = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for id in 0..100_000u32 {
            if rand() % 3 != 0 || reference.is_empty() {
                let t = now + rand() % 7 * (1 + rand() % 3);
                q.push(t, id);
                reference.insert((t, seq), id);
                seq += 1;
            } else if rand() % 5 == 0 && q.len() >= 1 {
                // reschedule the next one
                let (&(t0, s0), &id0) = reference.iter().next().unwrap();
                let t = t0 + rand() % 5;
                reference.remove(&(t0, s0));
                reference.insert((t, seq), id0);
                seq += 1;
                q.reschedule_next(t);
            } else {
                let (&(t, s), &id) = reference.iter().next().unwrap();
                reference.remove(&(t, s));
                assert_eq!(q.peek_time(), Some(t));
                if t > 0 {
                    assert_eq!(q.peek_due(t - 1), None, "not due before its time");
                }
                if id % 2 == 0 {
                    assert_eq!(q.pop(), Some((t, id)));
                } else {
                    // the run loop's way: look, then take
                    assert_eq!(q.peek_due(t), Some((t, &id)));
                    q.drop_next();
                }
                now = t;
            }
            assert_eq!(q.len(), reference.len());
            assert_eq!(q.second_time(), reference.keys().nth(1).map(|k| k.0));
        }
    }
}
