//! Which weeks of each provider's series a path's events moved.
//!
//! Most weeks of a path have no outage and no quota cut: the provider is up, at full quota, and
//! both availability factors are exactly 1; before the first price shock every price multiplier
//! is exactly 1. So the world keeps its provider series from one path to the next and works out
//! again only the weeks this path's events moved and the weeks the previous path's moved (which
//! must be put back). Marking a week that did not move only costs time (it is worked out to the
//! same value); a week that moved must be marked. A stress test moves the same weeks on every
//! path, so its weeks are worked out once here and marked on every path.

use crate::compile::Model;

pub(super) struct Touched {
    weeks: usize,
    /// `u64` words per provider in the masks below.
    words: usize,
    /// Weeks whose down time or quota moved, provider x word (week `w` is bit `w % 64` of word
    /// `w / 64`): on this path, on the previous path, and on every path (a stress test).
    now: Vec<u64>,
    before: Vec<u64>,
    always: Vec<u64>,
    /// The first week whose price multiplier moved, per provider (`weeks` if none), as above.
    price_now: Vec<usize>,
    price_before: Vec<usize>,
    price_always: Vec<usize>,
}

impl Touched {
    pub fn new(m: &Model) -> Touched {
        let (weeks, np) = (m.weeks, m.providers.len());
        let words = weeks.div_ceil(64);
        let mut always = vec![0; np * words];
        let mut price_always = vec![weeks; np];
        let st = &m.stress;
        if st.active {
            for (p, mask) in always.chunks_exact_mut(words).enumerate() {
                let range = p * weeks..(p + 1) * weeks;
                let (down, quota) = (&st.down[range.clone()], &st.quota[range.clone()]);
                for (w, (&d, &q)) in down.iter().zip(quota).enumerate() {
                    if d != 0.0 || q < 1.0 {
                        set(mask, w, w + 1);
                    }
                }
                price_always[p] = st.price[range]
                    .iter()
                    .position(|&x| x != 0.0)
                    .unwrap_or(weeks);
            }
        }
        // Before the first path every week counts as moved: the series start out unset.
        let mut now = vec![0; np * words];
        for mask in now.chunks_exact_mut(words) {
            set(mask, 0, weeks);
        }
        Touched {
            weeks,
            words,
            now,
            before: vec![0; np * words],
            always,
            price_now: vec![0; np],
            price_before: vec![weeks; np],
            price_always,
        }
    }

    /// Starts a path: the last path's marks become the ones to put back.
    pub fn next_path(&mut self) {
        std::mem::swap(&mut self.now, &mut self.before);
        std::mem::swap(&mut self.price_now, &mut self.price_before);
        self.now.copy_from_slice(&self.always);
        self.price_now.copy_from_slice(&self.price_always);
    }

    /// Down time or quota of provider `p` moved in weeks `from..to` (cut at the horizon).
    pub fn mark(&mut self, p: usize, from: usize, to: usize) {
        let mask = &mut self.now[p * self.words..(p + 1) * self.words];
        set(mask, from, to.min(self.weeks));
    }

    /// A price multiplier of provider `p` moved from week `from` on.
    pub fn mark_price(&mut self, p: usize, from: usize) {
        self.price_now[p] = self.price_now[p].min(from);
    }

    /// The first week whose price multiplier moved on the previous path.
    pub fn price_before(&self, p: usize) -> usize {
        self.price_before[p]
    }

    /// The first week whose price multiplier must be worked out on this path.
    pub fn price_from(&self, p: usize) -> usize {
        self.price_now[p].min(self.price_before[p])
    }

    /// The weeks of provider `p` whose availability must be worked out on this path, in order.
    pub fn weeks(&self, p: usize) -> impl Iterator<Item = usize> + '_ {
        let range = p * self.words..(p + 1) * self.words;
        let words = self.now[range.clone()].iter().zip(&self.before[range]);
        words.enumerate().flat_map(|(i, (&a, &b))| {
            let mut bits = a | b;
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let w = i * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    w
                })
            })
        })
    }
}

/// Sets the bits of weeks `from..to` in a provider's mask.
fn set(mask: &mut [u64], from: usize, to: usize) {
    for w in from..to {
        mask[w / 64] |= 1 << (w % 64);
    }
}
