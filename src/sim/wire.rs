//! A first-in first-out queue for the simulation's wires and backlogs: a ring of a power
//! of two slots, so indices wrap with a mask (cheaper than `VecDeque`'s wrap test on
//! every access). Allocated once at its working size; if it ever fills, it doubles (an
//! allocation, never a loss).

#[derive(Clone, Debug)]
pub struct Wire<T> {
    buf: Vec<T>,
    /// Index of the oldest element.
    head: usize,
    len: usize,
}

impl<T: Copy + Default> Wire<T> {
    /// Room for at least `cap` elements.
    pub fn with_capacity(cap: usize) -> Self {
        Wire {
            buf: vec![T::default(); cap.max(1).next_power_of_two()],
            head: 0,
            len: 0,
        }
    }

    #[inline]
    fn mask(&self) -> usize {
        self.buf.len() - 1
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub fn push_back(&mut self, x: T) {
        if self.len == self.buf.len() {
            self.grow();
        }
        let i = (self.head + self.len) & self.mask();
        self.buf[i] = x;
        self.len += 1;
    }

    #[inline]
    pub fn front(&self) -> Option<&T> {
        (self.len > 0).then(|| &self.buf[self.head])
    }

    #[inline]
    pub fn pop_front(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let x = self.buf[self.head];
        self.head = (self.head + 1) & self.mask();
        self.len -= 1;
        Some(x)
    }

    /// Oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        (0..self.len).map(move |k| &self.buf[(self.head + k) & self.mask()])
    }

    #[cold]
    fn grow(&mut self) {
        let old = self.buf.len();
        let mut buf = vec![T::default(); old * 2];
        for (k, slot) in buf.iter_mut().take(self.len).enumerate() {
            *slot = self.buf[(self.head + k) & (old - 1)];
        }
        self.buf = buf;
        self.head = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_in_first_out_across_the_wrap_and_growth() {
        let mut w: Wire<u32> = Wire::with_capacity(3);
        let mut reference = std::collections::VecDeque::new();
        let mut next = 0;
        for round in 0..200u32 {
            for _ in 0..(round % 7) {
                w.push_back(next);
                reference.push_back(next);
                next += 1;
            }
            for _ in 0..(round % 5) {
                assert_eq!(w.pop_front(), reference.pop_front());
            }
            assert_eq!(w.len(), reference.len());
            assert_eq!(w.front(), reference.front());
            assert!(w.iter().eq(reference.iter()));
        }
    }
}
