//! A linear-chain conditional random field over BIO tags (tag 0 = O,
//! 2k+1 = B-k, 2k+2 = I-k), trained by L-BFGS on the L2-regularised
//! log-likelihood, as CRFsuite does by default: one weight per
//! (feature, tag) pair seen together in the training data, plus the tag
//! transitions. Forward-backward (scaled, per position) gives the
//! probability of a whole span, which is what a suggestion's score is.
//!
//! Written here rather than taken from a crate: `crfs` looks every
//! feature up by name as a `String` and has no marginals; features here
//! are 64-bit hashes (see `tagger.rs`).

use super::lbfgs;
use std::collections::HashMap;

type Map = HashMap<u64, u32, foldhash::fast::FixedState>;

/// The L2 penalty, `c2 / 2 · |w|²`. CRFsuite's default is 1; on the
/// sample's leave-one-article-out folds 0.1 gave F1 0.779 (0.912 / 0.680)
/// against 0.769 (0.936 / 0.652) with 1, and 0.03 gave 0.778.
pub const C2: f64 = 0.1;
/// L-BFGS stops after this many iterations at most. On the sample it
/// always got there (the objective still fell by more than CRFsuite's
/// 1e-5 in ten iterations). Leave-one-article-out, the default set (tagger
/// from raw 0.4) gave P 0.899 R 0.689 F1 0.780 with 100 iterations
/// (calibration error 0.018) and the same with 70 (0.023), in 30 % less
/// time: training on 350,000 tokens went from 22.7 s to 18.6 s on two
/// cores. With the tagger from 0.5, 150 gave 0.912 / 0.680 / 0.779.
pub const MAX_ITERATIONS: usize = 70;

/// A row with at least this many tags is also kept dense (a weight for
/// every tag, zero where it has none): a token's scores are then added a
/// whole row at a time instead of one scattered tag after another, the
/// loop the profile found hottest in training and tagging. Rarer rows stay
/// sparse, which bounds the copy at `n_tags / DENSE_FROM` times the
/// weights there are. Adding a zero changes no sum, so scores, gradients
/// and the trained weights are bit for bit those of the sparse loop. From
/// 2 rather than 4: the same training time (351k tokens, 31.8 s of CPU
/// against 32.3 s) and a fifth less for tagging (203 ms against 249 ms).
const DENSE_FROM: usize = 2;
/// `Dense::at` of a row kept sparse only.
const SPARSE: u32 = u32::MAX;

/// The rows kept dense (see [`DENSE_FROM`]): row `r`'s weights are at
/// `at[r] * n..` of a dense block when `at[r] != SPARSE`.
#[derive(Debug, Clone, PartialEq, Default)]
struct Dense {
    at: Vec<u32>,
    /// The dense rows, in order.
    rows: Vec<u32>,
}

impl Dense {
    /// The rows of at least `from` tags.
    fn new(off: &[u32], from: usize) -> Dense {
        let mut d = Dense::default();
        for r in 0..off.len().saturating_sub(1) {
            if (off[r + 1] - off[r]) as usize >= from {
                d.at.push(d.rows.len() as u32);
                d.rows.push(r as u32);
            } else {
                d.at.push(SPARSE);
            }
        }
        d
    }

    /// The dense block of weights `w` (laid out as `off` and `tags` say).
    fn block<T: Copy + Default>(&self, n: usize, off: &[u32], tags: &[u16], w: &[T]) -> Vec<T> {
        let mut out = vec![T::default(); self.rows.len() * n];
        for (d, &r) in self.rows.iter().enumerate() {
            let (a, b) = (off[r as usize] as usize, off[r as usize + 1] as usize);
            for (tag, v) in tags[a..b].iter().zip(&w[a..b]) {
                out[d * n + *tag as usize] = *v;
            }
        }
        out
    }
}

/// Adds row `r`'s weights into `row` (its tags' scores).
#[allow(clippy::too_many_arguments)]
#[inline]
fn add_row<T: Copy + std::ops::AddAssign>(
    r: usize,
    row: &mut [T],
    dense: &Dense,
    block: &[T],
    off: &[u32],
    tags: &[u16],
    w: &[T],
) {
    let d = dense.at[r];
    if d != SPARSE {
        let n = row.len();
        for (o, v) in row
            .iter_mut()
            .zip(&block[d as usize * n..(d as usize + 1) * n])
        {
            *o += *v;
        }
    } else {
        let (a, b) = (off[r] as usize, off[r + 1] as usize);
        for (tag, v) in tags[a..b].iter().zip(&w[a..b]) {
            row[*tag as usize] += *v;
        }
    }
}

/// Training sequences: per token its features (hashes), and the gold tags.
pub type Data = [(Vec<Vec<u64>>, Vec<usize>)];

#[derive(Debug, Clone, PartialEq)]
pub struct Crf {
    pub n_tags: usize,
    /// Feature hash to its row.
    rows: Map,
    /// Row `r`'s weights are `tags[off[r]..off[r + 1]]` with `w` alike.
    off: Vec<u32>,
    tags: Vec<u16>,
    w: Vec<f32>,
    /// Which rows are also dense, and their weights so (from `w`).
    dense: Dense,
    block: Vec<f32>,
    /// `trans[p * n_tags + c]`, with `p == n_tags` for the sequence start.
    trans: Vec<f32>,
    /// What forward-backward multiplies by, computed once rather than per
    /// line tagged.
    chain: Chain,
    /// `trans` transposed (`[c * n_tags + p]`): Viterbi's scan over the
    /// predecessors of a tag reads one row.
    into: Vec<f32>,
}

/// Buffers for tagging line after line without allocating for each.
#[derive(Debug, Default)]
pub struct Scratch {
    score: Vec<f32>,
    back: Vec<u16>,
    tags: Vec<usize>,
    wide: Vec<f64>,
    lat: Lattice,
}

/// `cur` may follow `prev` in BIO (`prev == n_tags`: the start).
pub fn allowed(prev: usize, cur: usize, n_tags: usize) -> bool {
    if cur == 0 || cur % 2 == 1 {
        return true;
    }
    prev != n_tags && prev != 0 && prev.div_ceil(2) == cur / 2
}

/// The transitions as forward-backward reads them: only the pairs BIO
/// allows. The "open" tags (O and every B-k) may follow any tag; an
/// inside tag I-k only B-k or I-k. A step is then a dense dot product per
/// open tag plus two terms per inside tag, about half of all n² pairs, and
/// no forbidden pair is ever multiplied by its zero.
#[derive(Debug, Clone, PartialEq)]
struct Chain {
    n: usize,
    /// The open tags, 0, 1, 3, 5, …: open tag `c` is `open[(c + 1) / 2]`.
    open: Vec<usize>,
    /// `exp(trans[p][open[j]])` at `into_open[j * n + p]` (forward).
    into_open: Vec<f64>,
    /// The same at `from_open[p * open.len() + j]` (backward).
    from_open: Vec<f64>,
    /// Per inside tag `c = 2k + 2`: `exp(trans[c - 1][c])`, `exp(trans[c][c])`.
    inside: Vec<(f64, f64)>,
    /// `exp(trans[start][c])`, 0 for the inside tags.
    start: Vec<f64>,
}

fn is_inside(c: usize) -> bool {
    c != 0 && c.is_multiple_of(2)
}

/// `a · b`, in four lanes (a plain sum of products is not vectorised:
/// floating-point addition is not reassociated for us).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let (mut s0, mut s1, mut s2, mut s3) = (0.0, 0.0, 0.0, 0.0);
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        s0 += x[0] * y[0];
        s1 += x[1] * y[1];
        s2 += x[2] * y[2];
        s3 += x[3] * y[3];
    }
    let mut s = (s0 + s1) + (s2 + s3);
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

impl Chain {
    /// From the transition weights, `(n + 1) · n` of them as in [`Crf`].
    fn new(trans: &[f64], n: usize) -> Chain {
        let open: Vec<usize> = (0..n).filter(|&c| !is_inside(c)).collect();
        let no = open.len();
        let e = |p: usize, c: usize| trans[p * n + c].exp();
        let mut into_open = vec![0.0; no * n];
        let mut from_open = vec![0.0; n * no];
        for (j, &c) in open.iter().enumerate() {
            for p in 0..n {
                into_open[j * n + p] = e(p, c);
                from_open[p * no + j] = e(p, c);
            }
        }
        let inside = (2..n).step_by(2).map(|c| (e(c - 1, c), e(c, c))).collect();
        let start = (0..n)
            .map(|c| if is_inside(c) { 0.0 } else { e(n, c) })
            .collect();
        Chain {
            n,
            open,
            into_open,
            from_open,
            inside,
            start,
        }
    }

    /// `exp(trans[p][c])`, 0 where BIO forbids it (`p == n`: the start).
    fn exp_trans(&self, p: usize, c: usize) -> f64 {
        if p == self.n {
            self.start[c]
        } else if !is_inside(c) {
            self.from_open[p * self.open.len() + c.div_ceil(2)]
        } else if p + 1 == c {
            self.inside[c / 2 - 1].0
        } else if p == c {
            self.inside[c / 2 - 1].1
        } else {
            0.0
        }
    }

    /// `out[p] = Σ_c exp(trans[p][c]) · next[c]` over the pairs allowed;
    /// `open_next` is scratch.
    fn back(&self, next: &[f64], open_next: &mut Vec<f64>, out: &mut [f64]) {
        let no = self.open.len();
        open_next.clear();
        open_next.extend(self.open.iter().map(|&c| next[c]));
        for (p, o) in out.iter_mut().enumerate() {
            let mut v = dot(&self.from_open[p * no..(p + 1) * no], open_next);
            if p != 0 {
                // The inside tag of p's label, if there is one.
                let c = p + p % 2;
                if c < self.n {
                    let (b, i) = self.inside[c / 2 - 1];
                    v += if p == c { i } else { b } * next[c];
                }
            }
            *o = v;
        }
    }
}

/// Forward-backward over one sequence, scaled per position (as CRFsuite
/// does): `alpha[t]` sums to one, `scale[t]` is what it was divided by.
/// Its buffers are kept from one sequence to the next ([`Lattice::fill`]).
#[derive(Debug, Default)]
pub struct Lattice {
    n: usize,
    len: usize,
    /// `exp(unary - shift[t])`.
    psi: Vec<f64>,
    alpha: Vec<f64>,
    beta: Vec<f64>,
    scale: Vec<f64>,
    log_z: f64,
    /// See [`Lattice::into`].
    next: Vec<f64>,
    open_next: Vec<f64>,
}

impl Lattice {
    fn new(unary: &[f64], chain: &Chain) -> Lattice {
        let mut lat = Lattice::default();
        lat.fill(unary, chain);
        lat
    }

    /// Forward-backward for `unary` (`unary[t * n + y]`, the tokens'
    /// scores), in the buffers of the last sequence.
    fn fill(&mut self, unary: &[f64], chain: &Chain) {
        let n = chain.n;
        let len = unary.len() / n;
        self.n = n;
        self.len = len;
        for (v, size) in [
            (&mut self.psi, len * n),
            (&mut self.alpha, len * n),
            (&mut self.beta, len * n),
            (&mut self.scale, len),
            (&mut self.next, n),
        ] {
            v.clear();
            v.resize(size, 0.0);
        }
        let mut log_z = 0.0;
        for t in 0..len {
            let row = &unary[t * n..(t + 1) * n];
            // Shifted by the row's largest: exp never overflows.
            let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            log_z += m;
            for (p, u) in self.psi[t * n..(t + 1) * n].iter_mut().zip(row) {
                *p = (u - m).exp();
            }
        }
        for t in 0..len {
            let (done, rest) = self.alpha.split_at_mut(t * n);
            let cur = &mut rest[..n];
            let psi = &self.psi[t * n..(t + 1) * n];
            if t == 0 {
                for ((a, s), p) in cur.iter_mut().zip(&chain.start).zip(psi) {
                    *a = s * p;
                }
            } else {
                let prev = &done[(t - 1) * n..];
                for (j, &c) in chain.open.iter().enumerate() {
                    cur[c] = dot(prev, &chain.into_open[j * n..(j + 1) * n]) * psi[c];
                }
                for (k, &(b, i)) in chain.inside.iter().enumerate() {
                    let c = 2 * k + 2;
                    cur[c] = (prev[c - 1] * b + prev[c] * i) * psi[c];
                }
            }
            let s: f64 = cur.iter().sum();
            // Every tag impossible only if the weights are not finite.
            let s = if s > 0.0 && s.is_finite() { s } else { 1.0 };
            let inv = 1.0 / s;
            for a in cur.iter_mut() {
                *a *= inv;
            }
            self.scale[t] = s;
            log_z += s.ln();
        }
        self.log_z = log_z;
        if len > 0 {
            self.beta[(len - 1) * n..].fill(1.0);
        }
        for t in (0..len.saturating_sub(1)).rev() {
            self.into(t + 1);
            let now = &mut self.beta[t * n..(t + 1) * n];
            chain.back(&self.next, &mut self.open_next, now);
        }
    }

    /// `next[c] = psi[t][c] · beta[t][c] / scale[t]`: what tag `c` at `t`
    /// is worth seen from `t - 1` (the backward step, and the pair
    /// marginals, multiply it by the transition into it).
    fn into(&mut self, t: usize) {
        let n = self.n;
        let inv = 1.0 / self.scale[t];
        for ((v, p), b) in self
            .next
            .iter_mut()
            .zip(&self.psi[t * n..(t + 1) * n])
            .zip(&self.beta[t * n..(t + 1) * n])
        {
            *v = p * b * inv;
        }
    }

    /// `P(y_t = y)`.
    fn marginal(&self, t: usize, y: usize) -> f64 {
        self.alpha[t * self.n + y] * self.beta[t * self.n + y]
    }

    /// The chance that tokens `a..b` are exactly one span of `tags` (its B
    /// and I tags), neither continued after `b`.
    fn span(&self, a: usize, b: usize, tags: &[usize], chain: &Chain) -> f64 {
        let n = self.n;
        let mut p = self.alpha[a * n + tags[a]];
        for t in a + 1..b {
            p *= chain.exp_trans(tags[t - 1], tags[t]) * self.psi[t * n + tags[t]] / self.scale[t];
        }
        if b < self.len {
            let last = tags[b - 1];
            let inside = tags[a] + 1;
            let mut end = 0.0;
            for c in (0..n).filter(|&c| c != inside) {
                end += chain.exp_trans(last, c) * self.psi[b * n + c] * self.beta[b * n + c];
            }
            p *= end / self.scale[b];
        }
        p.clamp(0.0, 1.0)
    }
}

/// The training problem: features as row indices, and where each row's
/// weights sit in the parameter vector (`[w..., trans...]`).
struct Problem<'a> {
    n: usize,
    off: Vec<u32>,
    tags: Vec<u16>,
    /// Every token's rows, one after another: token `i`'s are
    /// `rows[at[i]..at[i + 1]]`.
    rows: Vec<u32>,
    at: Vec<usize>,
    /// Per sequence its first token and its gold tags.
    seqs: Vec<(usize, &'a [usize])>,
    dense: Dense,
}

/// What one thread keeps from sequence to sequence: no allocation per
/// sequence or token.
#[derive(Default)]
struct Work {
    unary: Vec<f64>,
    lat: Lattice,
    diff: Vec<f64>,
    /// `Σ alpha[t-1][p] · next_t[open[j]]` at `p * open.len() + j`, and per
    /// inside tag `c` the same for `p = c - 1` and `p = c`, over every
    /// sequence: times `exp(trans[p][c])` these are the expected
    /// transition counts (the exponent is the same for all sequences, so
    /// it is multiplied in once, at the end).
    pair_open: Vec<f64>,
    pair_inside: Vec<(f64, f64)>,
}

impl Problem<'_> {
    fn n_weights(&self) -> usize {
        self.tags.len()
    }

    /// The weights of token `i`'s rows, summed per tag, into `row`
    /// (`block`: the dense rows' weights, from `x`).
    fn unary_into(&self, i: usize, x: &[f64], block: &[f64], row: &mut [f64]) {
        for &r in &self.rows[self.at[i]..self.at[i + 1]] {
            add_row(
                r as usize,
                row,
                &self.dense,
                block,
                &self.off,
                &self.tags,
                x,
            );
        }
    }

    /// The negative log-likelihood of sequences `range` and its gradient
    /// (added into `g`); `block` is the dense rows' weights.
    fn nll(
        &self,
        x: &[f64],
        block: &[f64],
        chain: &Chain,
        range: std::ops::Range<usize>,
        g: &mut [f64],
    ) -> f64 {
        let n = self.n;
        let nw = self.n_weights();
        let no = chain.open.len();
        // The dense rows' gradient, added into `g` at the end.
        let mut dg = vec![0.0; block.len()];
        let mut w = Work {
            diff: vec![0.0; n],
            pair_open: vec![0.0; n * no],
            pair_inside: vec![(0.0, 0.0); chain.inside.len()],
            ..Work::default()
        };
        let mut f = 0.0;
        for &(first, gold) in &self.seqs[range] {
            let len = gold.len();
            if len == 0 {
                continue;
            }
            w.unary.clear();
            w.unary.resize(len * n, 0.0);
            for t in 0..len {
                self.unary_into(first + t, x, block, &mut w.unary[t * n..(t + 1) * n]);
            }
            w.lat.fill(&w.unary, chain);
            let lat = &mut w.lat;
            let mut score = x[nw + n * n + gold[0]];
            for t in 0..len {
                score += w.unary[t * n + gold[t]];
                if t > 0 {
                    score += x[nw + gold[t - 1] * n + gold[t]];
                }
            }
            f += lat.log_z - score;
            // Expected minus observed, per tag of the token.
            for (t, &gt) in gold.iter().enumerate() {
                for (y, d) in w.diff.iter_mut().enumerate() {
                    *d = lat.marginal(t, y);
                }
                w.diff[gt] -= 1.0;
                for &r in &self.rows[self.at[first + t]..self.at[first + t + 1]] {
                    let d = self.dense.at[r as usize];
                    if d != SPARSE {
                        let d = d as usize;
                        for (gk, v) in dg[d * n..(d + 1) * n].iter_mut().zip(&w.diff) {
                            *gk += v;
                        }
                        continue;
                    }
                    let (a, b) = (
                        self.off[r as usize] as usize,
                        self.off[r as usize + 1] as usize,
                    );
                    for (gk, tag) in g[a..b].iter_mut().zip(&self.tags[a..b]) {
                        *gk += w.diff[*tag as usize];
                    }
                }
            }
            for c in 0..n {
                g[nw + n * n + c] += lat.marginal(0, c);
            }
            g[nw + n * n + gold[0]] -= 1.0;
            // Pair marginals, P(y_{t-1} = p, y_t = c) = alpha[t-1][p] ·
            // exp(trans[p][c]) · next_t[c], over the pairs allowed.
            for t in 1..len {
                lat.into(t);
                // Gathered, so that the loop below runs over contiguous rows.
                lat.open_next.clear();
                lat.open_next
                    .extend(chain.open.iter().map(|&c| lat.next[c]));
                let prev = &lat.alpha[(t - 1) * n..t * n];
                for (p, &a) in prev.iter().enumerate() {
                    if a == 0.0 {
                        continue;
                    }
                    let acc = &mut w.pair_open[p * no..(p + 1) * no];
                    for (v, o) in acc.iter_mut().zip(&lat.open_next) {
                        *v += a * o;
                    }
                }
                for (k, v) in w.pair_inside.iter_mut().enumerate() {
                    let c = 2 * k + 2;
                    v.0 += prev[c - 1] * lat.next[c];
                    v.1 += prev[c] * lat.next[c];
                }
                g[nw + gold[t - 1] * n + gold[t]] -= 1.0;
            }
        }
        for (d, &r) in self.dense.rows.iter().enumerate() {
            let (a, b) = (
                self.off[r as usize] as usize,
                self.off[r as usize + 1] as usize,
            );
            for (gk, tag) in g[a..b].iter_mut().zip(&self.tags[a..b]) {
                *gk += dg[d * n + *tag as usize];
            }
        }
        for p in 0..n {
            for (j, &c) in chain.open.iter().enumerate() {
                g[nw + p * n + c] += w.pair_open[p * no + j] * chain.from_open[p * no + j];
            }
        }
        for (k, (v, e)) in w.pair_inside.iter().zip(&chain.inside).enumerate() {
            let c = 2 * k + 2;
            g[nw + (c - 1) * n + c] += v.0 * e.0;
            g[nw + c * n + c] += v.1 * e.1;
        }
        f
    }

    /// The objective: negative log-likelihood plus `c2 / 2 · |x|²`, and its
    /// gradient, the sequences shared out among `threads` by their tokens.
    fn objective(&self, x: &[f64], g: &mut [f64], c2: f64, threads: usize) -> f64 {
        let n = self.n;
        let nw = self.n_weights();
        let chain = Chain::new(&x[nw..], n);
        let block = self.dense.block(n, &self.off, &self.tags, &x[..nw]);
        let parts = threads.clamp(1, self.seqs.len().max(1));
        // Cut where the tokens before reach k / parts of them all.
        let total = self.at.len() - 1;
        let mut cuts = vec![0];
        for k in 1..parts {
            let want = total * k / parts;
            let i = self.seqs.partition_point(|s| s.0 < want);
            cuts.push(i.max(cuts[k - 1]));
        }
        cuts.push(self.seqs.len());
        g.fill(0.0);
        let (first, others) = std::thread::scope(|sc| {
            let (chain, block) = (&chain, &block);
            let hs: Vec<_> = cuts[1..]
                .windows(2)
                .map(|w| {
                    let range = w[0]..w[1];
                    sc.spawn(move || {
                        let mut g = vec![0.0; x.len()];
                        let f = self.nll(x, block, chain, range, &mut g);
                        (f, g)
                    })
                })
                .collect();
            // The first share on this thread, straight into `g`.
            let first = self.nll(x, block, chain, cuts[0]..cuts[1], g);
            let others: Vec<(f64, Vec<f64>)> = hs
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect();
            (first, others)
        });
        let mut f = first;
        for (fk, gk) in others {
            f += fk;
            for (a, b) in g.iter_mut().zip(&gk) {
                *a += b;
            }
        }
        for (gi, xi) in g.iter_mut().zip(x) {
            f += c2 / 2.0 * xi * xi;
            *gi += c2 * xi;
        }
        f
    }
}

impl Crf {
    pub fn empty(n_tags: usize) -> Crf {
        Crf {
            n_tags,
            rows: Map::default(),
            off: vec![0],
            tags: Vec::new(),
            w: Vec::new(),
            dense: Dense::default(),
            block: Vec::new(),
            trans: Vec::new(),
            chain: Chain::new(&[], 0),
            into: Vec::new(),
        }
        .with_trans(vec![0.0; (n_tags + 1) * n_tags])
    }

    /// The model with transitions `trans`, and what is computed from them
    /// and from the weights (set before).
    fn with_trans(mut self, trans: Vec<f32>) -> Crf {
        let n = self.n_tags;
        self.dense = Dense::new(&self.off, DENSE_FROM);
        self.block = self.dense.block(n, &self.off, &self.tags, &self.w);
        let t64: Vec<f64> = trans.iter().map(|&w| f64::from(w)).collect();
        self.chain = Chain::new(&t64, n);
        self.into = (0..n * n).map(|i| trans[(i % n) * n + i / n]).collect();
        self.trans = trans;
        self
    }

    /// Trained on nothing: all weights zero.
    pub fn is_blank(&self) -> bool {
        self.w.iter().all(|&x| x == 0.0) && self.trans.iter().all(|&x| x == 0.0)
    }

    /// Fits the model to `data` (see the module doc).
    pub fn train(n_tags: usize, data: &Data, c2: f64, threads: usize) -> Crf {
        let (mut crf, problem) = Crf::problem(n_tags, data);
        if problem.seqs.is_empty() {
            return crf;
        }
        let nw = problem.n_weights();
        let x0 = vec![0.0; nw + crf.trans.len()];
        let x = lbfgs::minimize(x0, MAX_ITERATIONS, |x, g| {
            problem.objective(x, g, c2, threads)
        });
        crf.w = x[..nw].iter().map(|&v| v as f32).collect();
        crf.with_trans(x[nw..].iter().map(|&v| v as f32).collect())
    }

    /// The rows and parameter layout for `data`, and the problem over it.
    fn problem(n_tags: usize, data: &Data) -> (Crf, Problem<'_>) {
        let mut crf = Crf::empty(n_tags);
        let mut pairs: Vec<(u32, u16)> = Vec::new();
        let mut seqs = Vec::with_capacity(data.len());
        let mut rows = Vec::new();
        let mut at = vec![0];
        for (feats, gold) in data {
            seqs.push((at.len() - 1, gold.as_slice()));
            for (fs, &tag) in feats.iter().zip(gold) {
                for f in fs {
                    let next = crf.rows.len() as u32;
                    let r = *crf.rows.entry(*f).or_insert(next);
                    pairs.push((r, tag as u16));
                    rows.push(r);
                }
                at.push(rows.len());
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut off = vec![0u32; crf.rows.len() + 1];
        for &(r, _) in &pairs {
            off[r as usize + 1] += 1;
        }
        for i in 1..off.len() {
            off[i] += off[i - 1];
        }
        crf.tags = pairs.iter().map(|p| p.1).collect();
        crf.w = vec![0.0; crf.tags.len()];
        crf.off = off.clone();
        let problem = Problem {
            n: n_tags,
            off,
            tags: crf.tags.clone(),
            rows,
            at,
            seqs,
            dense: Dense::new(&crf.off, DENSE_FROM),
        };
        (crf, problem)
    }

    /// Per token the score of each tag from its features.
    pub fn unary<'a>(&self, feats: impl Iterator<Item = &'a [u64]>, len: usize) -> Vec<f32> {
        let mut out = Vec::new();
        self.unary_into(feats, len, &mut out);
        out
    }

    /// `unary` into `out` (cleared first).
    pub fn unary_into<'a>(
        &self,
        feats: impl Iterator<Item = &'a [u64]>,
        len: usize,
        out: &mut Vec<f32>,
    ) {
        let n = self.n_tags;
        out.clear();
        out.resize(len * n, 0.0);
        for (t, fs) in feats.enumerate() {
            let row = &mut out[t * n..(t + 1) * n];
            for f in fs {
                if let Some(&r) = self.rows.get(f) {
                    add_row(
                        r as usize,
                        row,
                        &self.dense,
                        &self.block,
                        &self.off,
                        &self.tags,
                        &self.w,
                    );
                }
            }
        }
    }

    /// The most likely tags (first-order Viterbi, BIO respected).
    pub fn viterbi(&self, unary: &[f32], len: usize) -> Vec<usize> {
        let mut s = Scratch::default();
        self.viterbi_in(unary, len, &mut s);
        s.tags
    }

    /// `viterbi` into `s.tags`.
    fn viterbi_in(&self, unary: &[f32], len: usize, s: &mut Scratch) {
        let n = self.n_tags;
        s.tags.clear();
        if len == 0 {
            return;
        }
        s.score.clear();
        s.score.resize(len * n, f32::NEG_INFINITY);
        s.back.clear();
        s.back.resize(len * n, 0);
        let (score, back) = (&mut s.score, &mut s.back);
        for c in 0..n {
            if allowed(n, c, n) {
                score[c] = unary[c] + self.trans[n * n + c];
            }
        }
        for t in 1..len {
            let (done, rest) = score.split_at_mut(t * n);
            let prev = &done[(t - 1) * n..];
            for c in 0..n {
                let mut best = (f32::NEG_INFINITY, 0usize);
                // Only B-k and I-k may precede I-k.
                let (from, to) = if is_inside(c) { (c - 1, c + 1) } else { (0, n) };
                let tr = &self.into[c * n + from..c * n + to];
                for (k, (a, b)) in prev[from..to].iter().zip(tr).enumerate() {
                    let s = a + b;
                    if s > best.0 {
                        best = (s, from + k);
                    }
                }
                rest[c] = best.0 + unary[t * n + c];
                back[t * n + c] = best.1 as u16;
            }
        }
        let last = &score[(len - 1) * n..];
        let mut c = (0..n)
            .max_by(|&a, &b| last[a].total_cmp(&last[b]))
            .unwrap_or(0);
        s.tags.resize(len, 0);
        for t in (0..len).rev() {
            s.tags[t] = c;
            c = back[t * n + c] as usize;
        }
    }

    /// The spans of the best tags, `(first, end, label index, chance)`:
    /// the chance, under the model, that exactly that span is there.
    pub fn spans(&self, unary: &[f32], len: usize) -> Vec<(usize, usize, usize, f32)> {
        self.spans_in(unary, len, &mut Scratch::default())
    }

    /// `spans`, in the buffers of `s` (a tagger reuses one line after line).
    pub fn spans_in(
        &self,
        unary: &[f32],
        len: usize,
        s: &mut Scratch,
    ) -> Vec<(usize, usize, usize, f32)> {
        self.viterbi_in(unary, len, s);
        let mut out = Vec::new();
        let tags = &s.tags;
        if !tags.iter().any(|&t| t != 0) {
            return out;
        }
        s.wide.clear();
        s.wide.extend(unary.iter().map(|&x| f64::from(x)));
        s.lat.fill(&s.wide, &self.chain);
        let mut t = 0;
        while t < len {
            if tags[t] % 2 == 1 {
                let l = tags[t] / 2;
                let mut e = t + 1;
                while e < len && tags[e] == 2 * l + 2 {
                    e += 1;
                }
                out.push((t, e, l, s.lat.span(t, e, tags, &self.chain) as f32));
                t = e;
            } else {
                t += 1;
            }
        }
        out
    }

    /// Per token, the chance of each tag (rows sum to one).
    pub fn marginals(&self, unary: &[f32]) -> Vec<f64> {
        let n = self.n_tags;
        let u: Vec<f64> = unary.iter().map(|&x| f64::from(x)).collect();
        let lat = Lattice::new(&u, &self.chain);
        (0..lat.len * n)
            .map(|i| lat.marginal(i / n, i % n))
            .collect()
    }

    /// Appends the model (little-endian): rows with their (tag, weight)
    /// pairs, then the transitions.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.rows.len() as u32).to_le_bytes());
        let mut rows: Vec<(u64, u32)> = self.rows.iter().map(|(&k, &v)| (k, v)).collect();
        rows.sort_unstable_by_key(|r| r.1);
        for (k, r) in rows {
            let (a, b) = (
                self.off[r as usize] as usize,
                self.off[r as usize + 1] as usize,
            );
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&((b - a) as u16).to_le_bytes());
            for k in a..b {
                out.extend_from_slice(&self.tags[k].to_le_bytes());
                out.extend_from_slice(&self.w[k].to_le_bytes());
            }
        }
        for w in &self.trans {
            out.extend_from_slice(&w.to_le_bytes());
        }
    }

    /// Reads what `write` wrote, from `take` (which hands out the next
    /// bytes, `None` past the end); every count is checked against
    /// `room`, the bytes there are, before anything is allocated.
    pub fn read<'b>(
        n_tags: usize,
        room: usize,
        take: &mut impl FnMut(usize) -> Option<&'b [u8]>,
    ) -> Option<Crf> {
        let u32_of = |s: &[u8]| u32::from_le_bytes(s.try_into().expect("4 bytes"));
        let mut crf = Crf::empty(n_tags);
        let rows = u32_of(take(4)?) as usize;
        // A row takes ten bytes at least.
        if rows.checked_mul(10)? > room {
            return None;
        }
        crf.rows.reserve(rows);
        crf.off.reserve(rows);
        for r in 0..rows {
            let k = u64::from_le_bytes(take(8)?.try_into().ok()?);
            if crf.rows.insert(k, r as u32).is_some() {
                return None;
            }
            let m = u16::from_le_bytes(take(2)?.try_into().ok()?) as usize;
            for _ in 0..m {
                let tag = u16::from_le_bytes(take(2)?.try_into().ok()?);
                if tag as usize >= n_tags {
                    return None;
                }
                crf.tags.push(tag);
                crf.w.push(f32::from_le_bytes(take(4)?.try_into().ok()?));
            }
            crf.off.push(crf.tags.len() as u32);
        }
        for w in crf.trans.iter_mut() {
            *w = f32::from_le_bytes(take(4)?.try_into().ok()?);
        }
        let trans = std::mem::take(&mut crf.trans);
        Some(crf.with_trans(trans))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three tags (O, B-X, I-X); "a" begins an X, "b" continues it.
    fn toy() -> Vec<(Vec<Vec<u64>>, Vec<usize>)> {
        let word = |w: &str| -> Vec<u64> { vec![0, 1 + u64::from(w.as_bytes()[0])] };
        let seq =
            |ws: &[&str], tags: &[usize]| (ws.iter().map(|w| word(w)).collect(), tags.to_vec());
        vec![
            seq(&["x", "a", "b", "x"], &[0, 1, 2, 0]),
            seq(&["a", "x", "x"], &[1, 0, 0]),
            seq(&["x", "a", "b", "b"], &[0, 1, 2, 2]),
            seq(&["y", "x", "a"], &[0, 0, 1]),
        ]
    }

    /// Rows kept dense or sparse give the same scores, objective and
    /// gradient to the last bit (the sample's rows are mostly dense, the
    /// toy's below [`DENSE_FROM`]: both ways are forced here).
    #[test]
    fn dense_and_sparse_rows_add_up_alike() {
        let n = 5;
        let data = toy();
        let (_, mut p) = Crf::problem(n, &data);
        let len = p.n_weights() + (n + 1) * n;
        let x: Vec<f64> = (0..len)
            .map(|i| ((i * 7919) % 13) as f64 / 6.0 - 1.0)
            .collect();
        let mut run = |from: usize| {
            p.dense = Dense::new(&p.off, from);
            let mut g = vec![0.0; len];
            let f = p.objective(&x, &mut g, 0.5, 2);
            (
                f.to_bits(),
                g.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            )
        };
        let sparse = run(usize::MAX);
        assert_eq!(run(1), sparse);
        assert_eq!(run(2), sparse);
        let crf = Crf::train(3, &data, 0.1, 1);
        let scores = |crf: &Crf| {
            let feats = &data[0].0;
            crf.unary(feats.iter().map(Vec::as_slice), feats.len())
        };
        let mut all_dense = crf.clone();
        all_dense.dense = Dense::new(&crf.off, 1);
        all_dense.block = all_dense.dense.block(3, &crf.off, &crf.tags, &crf.w);
        assert!(!all_dense.dense.rows.is_empty());
        let mut all_sparse = crf.clone();
        all_sparse.dense = Dense::new(&crf.off, usize::MAX);
        all_sparse.block.clear();
        assert_eq!(scores(&all_dense), scores(&all_sparse));
        assert!(scores(&all_sparse).iter().any(|&v| v != 0.0));
    }

    #[test]
    fn the_gradient_is_the_objectives_slope() {
        // Three tags, and five (a second label, absent from the data, whose
        // transitions still count).
        for n in [3, 5] {
            gradient_check(n);
        }
    }

    fn gradient_check(n: usize) {
        let data = toy();
        let (_, p) = Crf::problem(n, &data);
        let len = p.n_weights() + (n + 1) * n;
        // Some point away from zero, with forbidden transitions too.
        let x: Vec<f64> = (0..len)
            .map(|i| ((i * 7919) % 13) as f64 / 6.0 - 1.0)
            .collect();
        let mut g = vec![0.0; len];
        let f = p.objective(&x, &mut g, 0.5, 2);
        assert!(f.is_finite() && f > 0.0);
        let nw = p.n_weights();
        for i in 0..len {
            if i >= nw && !allowed((i - nw) / n, (i - nw) % n, n) {
                // A forbidden transition is no parameter: only the penalty moves it.
                assert!((g[i] - 0.5 * x[i]).abs() < 1e-12);
                continue;
            }
            let h = 1e-5;
            let mut xp = x.clone();
            xp[i] += h;
            let mut xm = x.clone();
            xm[i] -= h;
            let mut scratch = vec![0.0; len];
            let d = (p.objective(&xp, &mut scratch, 0.5, 1)
                - p.objective(&xm, &mut scratch, 0.5, 1))
                / (2.0 * h);
            assert!(
                (d - g[i]).abs() < 1e-5 * (1.0 + d.abs()),
                "parameter {i}: {d} vs {}",
                g[i]
            );
        }
    }

    /// Every tag sequence BIO allows, weighed one by one: the restricted
    /// forward-backward must give the same normaliser, tag marginals and
    /// span chances (a pair it skips that BIO allows, or one it lets
    /// through that BIO forbids, changes them).
    #[test]
    fn restricted_forward_backward_matches_every_sequence_weighed() {
        // O, B-0, I-0, B-1, I-1.
        let (n, len) = (5, 5);
        let trans: Vec<f64> = (0..(n + 1) * n)
            .map(|i| ((i * 37) % 11) as f64 / 4.0 - 1.25)
            .collect();
        let unary: Vec<f64> = (0..len * n)
            .map(|i| ((i * 53) % 17) as f64 / 5.0 - 1.6)
            .collect();
        let chain = Chain::new(&trans, n);
        let lat = Lattice::new(&unary, &chain);
        let mut z = 0.0;
        let mut marg = vec![0.0; len * n];
        let mut best = (f64::NEG_INFINITY, Vec::new());
        let mut all = Vec::new();
        for code in 0..n.pow(len as u32) {
            let tags: Vec<usize> = (0..len).map(|t| code / n.pow(t as u32) % n).collect();
            if !allowed(n, tags[0], n) || !tags.windows(2).all(|w| allowed(w[0], w[1], n)) {
                continue;
            }
            let mut s = trans[n * n + tags[0]];
            for t in 0..len {
                s += unary[t * n + tags[t]];
                if t > 0 {
                    s += trans[tags[t - 1] * n + tags[t]];
                }
            }
            z += s.exp();
            for t in 0..len {
                marg[t * n + tags[t]] += s.exp();
            }
            if s > best.0 {
                best = (s, tags.clone());
            }
            all.push((s.exp(), tags));
        }
        assert!(
            (lat.log_z - z.ln()).abs() < 1e-9,
            "{} vs {}",
            lat.log_z,
            z.ln()
        );
        for t in 0..len {
            for y in 0..n {
                let want = marg[t * n + y] / z;
                let got = lat.marginal(t, y);
                assert!(
                    (got - want).abs() < 1e-9,
                    "token {t} tag {y}: {got} vs {want}"
                );
            }
        }
        // Viterbi finds the heaviest sequence, and each of its spans has
        // the chance of all the sequences holding exactly that span.
        let mut crf = Crf::empty(n).with_trans(trans.iter().map(|&w| w as f32).collect());
        crf.n_tags = n;
        let u32s: Vec<f32> = unary.iter().map(|&x| x as f32).collect();
        assert_eq!(crf.viterbi(&u32s, len), best.1);
        let spans = crf.spans(&u32s, len);
        assert!(!spans.is_empty());
        for (a, b, l, p) in spans {
            let exactly = |tags: &[usize]| {
                tags[a] == 2 * l + 1
                    && (a + 1..b).all(|t| tags[t] == 2 * l + 2)
                    && tags.get(b) != Some(&(2 * l + 2))
            };
            let want: f64 = all
                .iter()
                .filter(|s| exactly(&s.1))
                .map(|s| s.0)
                .sum::<f64>()
                / z;
            assert!(
                (f64::from(p) - want).abs() < 1e-5,
                "{a}..{b}: {p} vs {want}"
            );
        }
    }

    #[test]
    fn a_learnable_sequence_is_learned_and_chances_sum_to_one() {
        let data = toy();
        let crf = Crf::train(3, &data, 0.1, 2);
        for (feats, gold) in &data {
            let u = crf.unary(feats.iter().map(Vec::as_slice), feats.len());
            assert_eq!(crf.viterbi(&u, feats.len()), *gold);
            let m = crf.marginals(&u);
            for t in 0..feats.len() {
                let s: f64 = m[t * 3..(t + 1) * 3].iter().sum();
                assert!((s - 1.0).abs() < 1e-9, "token {t}: {s}");
                // Sure of the right tag, and never I after O.
                assert!(m[t * 3 + gold[t]] > 0.5, "{m:?}");
            }
            assert!(m[2] == 0.0, "I-X cannot start a sequence");
            for (a, b, l, p) in crf.spans(&u, feats.len()) {
                assert_eq!((gold[a], l), (1, 0));
                assert!(p > 0.5 && p <= 1.0, "{p}");
                // A span's chance is at most any of its tokens'.
                for t in a..b {
                    assert!(f64::from(p) <= m[t * 3 + gold[t]] + 1e-6);
                }
            }
        }
        // Unseen context, learned words: "a b" is one span.
        let feats: Vec<Vec<u64>> = ["y", "a", "b"]
            .iter()
            .map(|w| vec![0, 1 + u64::from(w.as_bytes()[0])])
            .collect();
        let u = crf.unary(feats.iter().map(Vec::as_slice), 3);
        let spans = crf.spans(&u, 3);
        assert_eq!(
            spans.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(),
            [(1, 3)]
        );
    }

    #[test]
    fn span_chances_of_all_spans_at_a_place_sum_to_at_most_one() {
        // Every way tokens 1.. can be one X span starting at 1, plus not
        // starting one there, is all there is.
        let data = toy();
        let crf = Crf::train(3, &data, 1.0, 1);
        let feats = &data[2].0;
        let u = crf.unary(feats.iter().map(Vec::as_slice), feats.len());
        let u64s: Vec<f64> = u.iter().map(|&x| f64::from(x)).collect();
        let lat = Lattice::new(&u64s, &crf.chain);
        let mut total = 0.0;
        for e in 2..=feats.len() {
            let mut tags = vec![0; feats.len()];
            tags[1] = 1;
            for t in tags.iter_mut().take(e).skip(2) {
                *t = 2;
            }
            total += lat.span(1, e, &tags, &crf.chain);
        }
        assert!(
            (total - lat.marginal(1, 1)).abs() < 1e-9,
            "{total} vs {}",
            lat.marginal(1, 1)
        );
    }

    #[test]
    fn the_model_reads_back_and_refuses_what_does_not_fit() {
        let crf = Crf::train(3, &toy(), 1.0, 1);
        let mut b = Vec::new();
        crf.write(&mut b);
        let mut at = 0;
        let mut take = |n: usize| {
            let s = b.get(at..at + n)?;
            at += n;
            Some(s)
        };
        assert_eq!(Crf::read(3, b.len(), &mut take), Some(crf.clone()));
        // A row count that cannot fit the bytes.
        let mut bad = b.clone();
        bad[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        let mut at = 0;
        let mut take = |n: usize| {
            let s = bad.get(at..at + n)?;
            at += n;
            Some(s)
        };
        assert_eq!(Crf::read(3, bad.len(), &mut take), None);
        // A tag past the model's.
        let mut at = 0;
        let mut take = |n: usize| {
            let s = b.get(at..at + n)?;
            at += n;
            Some(s)
        };
        assert_eq!(Crf::read(2, b.len(), &mut take), None);
    }
}
