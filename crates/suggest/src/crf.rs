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
/// L-BFGS stops after this many iterations at most.
pub const MAX_ITERATIONS: usize = 150;

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
    /// `trans[p * n_tags + c]`, with `p == n_tags` for the sequence start.
    trans: Vec<f32>,
    /// `exp(trans)`, forbidden transitions 0: what forward-backward
    /// multiplies by, computed once rather than per line tagged.
    exp_trans: Vec<f64>,
}

/// `cur` may follow `prev` in BIO (`prev == n_tags`: the start).
pub fn allowed(prev: usize, cur: usize, n_tags: usize) -> bool {
    if cur == 0 || cur % 2 == 1 {
        return true;
    }
    prev != n_tags && prev != 0 && prev.div_ceil(2) == cur / 2
}

/// Forward-backward over one sequence, scaled per position (as CRFsuite
/// does): `alpha[t]` sums to one, `scale[t]` is what it was divided by.
struct Lattice {
    n: usize,
    len: usize,
    /// `exp(unary - shift[t])`.
    psi: Vec<f64>,
    alpha: Vec<f64>,
    beta: Vec<f64>,
    scale: Vec<f64>,
    log_z: f64,
}

impl Lattice {
    /// `unary[t * n + y]` are the tokens' scores, `exp_trans` the exponent
    /// of the transitions with forbidden ones zero.
    fn new(unary: &[f64], exp_trans: &[f64], n: usize) -> Lattice {
        let len = unary.len() / n;
        let mut psi = vec![0.0; len * n];
        let mut log_z = 0.0;
        for t in 0..len {
            let row = &unary[t * n..(t + 1) * n];
            // Shifted by the row's largest: exp never overflows.
            let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            log_z += m;
            for (p, u) in psi[t * n..(t + 1) * n].iter_mut().zip(row) {
                *p = (u - m).exp();
            }
        }
        let mut alpha = vec![0.0; len * n];
        let mut scale = vec![1.0; len];
        for t in 0..len {
            let (done, rest) = alpha.split_at_mut(t * n);
            let cur = &mut rest[..n];
            if t == 0 {
                for (c, a) in cur.iter_mut().enumerate() {
                    *a = exp_trans[n * n + c] * psi[c];
                }
            } else {
                let prev = &done[(t - 1) * n..];
                cur.fill(0.0);
                for (p, &ap) in prev.iter().enumerate() {
                    if ap == 0.0 {
                        continue;
                    }
                    for (a, m) in cur.iter_mut().zip(&exp_trans[p * n..(p + 1) * n]) {
                        *a += ap * m;
                    }
                }
                for (a, p) in cur.iter_mut().zip(&psi[t * n..(t + 1) * n]) {
                    *a *= p;
                }
            }
            let s: f64 = cur.iter().sum();
            // Every tag impossible only if the weights are not finite.
            let s = if s > 0.0 && s.is_finite() { s } else { 1.0 };
            for a in cur.iter_mut() {
                *a /= s;
            }
            scale[t] = s;
            log_z += s.ln();
        }
        let mut beta = vec![0.0; len * n];
        if len > 0 {
            beta[(len - 1) * n..].fill(1.0);
        }
        let mut next = vec![0.0; n];
        for t in (0..len.saturating_sub(1)).rev() {
            for c in 0..n {
                next[c] = psi[(t + 1) * n + c] * beta[(t + 1) * n + c] / scale[t + 1];
            }
            for p in 0..n {
                let m = &exp_trans[p * n..(p + 1) * n];
                beta[t * n + p] = m.iter().zip(&next).map(|(a, b)| a * b).sum();
            }
        }
        Lattice {
            n,
            len,
            psi,
            alpha,
            beta,
            scale,
            log_z,
        }
    }

    /// `P(y_t = y)`.
    fn marginal(&self, t: usize, y: usize) -> f64 {
        self.alpha[t * self.n + y] * self.beta[t * self.n + y]
    }

    /// The chance that tokens `a..b` are exactly one span of `tags` (its B
    /// and I tags), neither continued after `b`.
    fn span(&self, a: usize, b: usize, tags: &[usize], exp_trans: &[f64]) -> f64 {
        let n = self.n;
        let mut p = self.alpha[a * n + tags[a]];
        for t in a + 1..b {
            p *= exp_trans[tags[t - 1] * n + tags[t]] * self.psi[t * n + tags[t]] / self.scale[t];
        }
        if b < self.len {
            let last = tags[b - 1];
            let inside = tags[a] + 1;
            let mut end = 0.0;
            for c in (0..n).filter(|&c| c != inside) {
                end += exp_trans[last * n + c] * self.psi[b * n + c] * self.beta[b * n + c];
            }
            p *= end / self.scale[b];
        }
        p.clamp(0.0, 1.0)
    }
}

fn exp_trans(trans: impl Iterator<Item = f64>, n: usize) -> Vec<f64> {
    trans
        .enumerate()
        .map(|(i, w)| {
            if allowed(i / n, i % n, n) {
                w.exp()
            } else {
                0.0
            }
        })
        .collect()
}

/// The training problem: features as row indices, and where each row's
/// weights sit in the parameter vector (`[w..., trans...]`).
struct Problem<'a> {
    n: usize,
    off: Vec<u32>,
    tags: Vec<u16>,
    /// Per sequence, per token, its rows.
    seqs: Vec<(Vec<Vec<u32>>, &'a [usize])>,
}

impl Problem<'_> {
    fn n_weights(&self) -> usize {
        self.tags.len()
    }

    fn unary(&self, feats: &[Vec<u32>], x: &[f64]) -> Vec<f64> {
        let n = self.n;
        let mut u = vec![0.0; feats.len() * n];
        for (t, fs) in feats.iter().enumerate() {
            let row = &mut u[t * n..(t + 1) * n];
            for &r in fs {
                let (a, b) = (
                    self.off[r as usize] as usize,
                    self.off[r as usize + 1] as usize,
                );
                for (tag, w) in self.tags[a..b].iter().zip(&x[a..b]) {
                    row[*tag as usize] += w;
                }
            }
        }
        u
    }

    /// The negative log-likelihood of sequences `range` and its gradient
    /// (added into `g`).
    fn nll(&self, x: &[f64], et: &[f64], range: std::ops::Range<usize>, g: &mut [f64]) -> f64 {
        let n = self.n;
        let nw = self.n_weights();
        let mut f = 0.0;
        for (feats, gold) in &self.seqs[range] {
            if feats.is_empty() {
                continue;
            }
            let u = self.unary(feats, x);
            let lat = Lattice::new(&u, et, n);
            let mut score = x[nw + n * n + gold[0]];
            for t in 0..feats.len() {
                score += u[t * n + gold[t]];
                if t > 0 {
                    score += x[nw + gold[t - 1] * n + gold[t]];
                }
            }
            f += lat.log_z - score;
            // Expected minus observed, per tag of the token.
            let mut diff = vec![0.0; n];
            for (t, fs) in feats.iter().enumerate() {
                for (y, d) in diff.iter_mut().enumerate() {
                    *d = lat.marginal(t, y);
                }
                diff[gold[t]] -= 1.0;
                for &r in fs {
                    let (a, b) = (
                        self.off[r as usize] as usize,
                        self.off[r as usize + 1] as usize,
                    );
                    for (gk, tag) in g[a..b].iter_mut().zip(&self.tags[a..b]) {
                        *gk += diff[*tag as usize];
                    }
                }
            }
            for c in 0..n {
                g[nw + n * n + c] += lat.marginal(0, c);
            }
            g[nw + n * n + gold[0]] -= 1.0;
            // Pair marginals, P(y_{t-1} = p, y_t = c) = alpha[t-1][p] ·
            // exp(trans[p][c]) · psi[t][c] · beta[t][c] / scale[t], with
            // what does not depend on p taken out of the inner loop.
            let mut into = vec![0.0; n];
            for t in 1..feats.len() {
                for (c, v) in into.iter_mut().enumerate() {
                    *v = lat.psi[t * n + c] * lat.beta[t * n + c] / lat.scale[t];
                }
                for p in 0..n {
                    let a = lat.alpha[(t - 1) * n + p];
                    if a == 0.0 {
                        continue;
                    }
                    let row = &mut g[nw + p * n..nw + (p + 1) * n];
                    for ((gc, m), v) in row.iter_mut().zip(&et[p * n..(p + 1) * n]).zip(&into) {
                        *gc += a * m * v;
                    }
                }
                g[nw + gold[t - 1] * n + gold[t]] -= 1.0;
            }
        }
        f
    }

    /// The objective: negative log-likelihood plus `c2 / 2 · |x|²`, and its
    /// gradient, the sequences shared out among `threads`.
    fn objective(&self, x: &[f64], g: &mut [f64], c2: f64, threads: usize) -> f64 {
        let n = self.n;
        let nw = self.n_weights();
        let et = exp_trans(x[nw..].iter().copied(), n);
        let parts = threads.clamp(1, self.seqs.len().max(1));
        let per = self.seqs.len().div_ceil(parts);
        let results: Vec<(f64, Vec<f64>)> = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..parts)
                .map(|k| {
                    let et = &et;
                    let range =
                        (k * per).min(self.seqs.len())..((k + 1) * per).min(self.seqs.len());
                    sc.spawn(move || {
                        let mut g = vec![0.0; x.len()];
                        let f = self.nll(x, et, range, &mut g);
                        (f, g)
                    })
                })
                .collect();
            hs.into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        g.fill(0.0);
        let mut f = 0.0;
        for (fk, gk) in results {
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
            trans: vec![0.0; (n_tags + 1) * n_tags],
            exp_trans: exp_trans(std::iter::repeat_n(0.0, (n_tags + 1) * n_tags), n_tags),
        }
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
        crf.trans = x[nw..].iter().map(|&v| v as f32).collect();
        crf.exp_trans = exp_trans(crf.trans.iter().map(|&w| f64::from(w)), n_tags);
        crf
    }

    /// The rows and parameter layout for `data`, and the problem over it.
    fn problem(n_tags: usize, data: &Data) -> (Crf, Problem<'_>) {
        let mut crf = Crf::empty(n_tags);
        let mut pairs: Vec<(u32, u16)> = Vec::new();
        let mut seqs = Vec::with_capacity(data.len());
        for (feats, gold) in data {
            let mut rows = Vec::with_capacity(feats.len());
            for (fs, &tag) in feats.iter().zip(gold) {
                let mut rs: Vec<u32> = Vec::with_capacity(fs.len());
                for f in fs {
                    let next = crf.rows.len() as u32;
                    let r = *crf.rows.entry(*f).or_insert(next);
                    pairs.push((r, tag as u16));
                    rs.push(r);
                }
                rows.push(rs);
            }
            seqs.push((rows, gold.as_slice()));
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
            seqs,
        };
        (crf, problem)
    }

    /// Per token the score of each tag from its features.
    pub fn unary<'a>(&self, feats: impl Iterator<Item = &'a [u64]>, len: usize) -> Vec<f32> {
        let n = self.n_tags;
        let mut out = vec![0.0f32; len * n];
        for (t, fs) in feats.enumerate() {
            let row = &mut out[t * n..(t + 1) * n];
            for f in fs {
                if let Some(&r) = self.rows.get(f) {
                    let (a, b) = (
                        self.off[r as usize] as usize,
                        self.off[r as usize + 1] as usize,
                    );
                    for (tag, w) in self.tags[a..b].iter().zip(&self.w[a..b]) {
                        row[*tag as usize] += w;
                    }
                }
            }
        }
        out
    }

    /// The most likely tags (first-order Viterbi, BIO respected).
    pub fn viterbi(&self, unary: &[f32], len: usize) -> Vec<usize> {
        let n = self.n_tags;
        if len == 0 {
            return Vec::new();
        }
        let mut score = vec![f32::NEG_INFINITY; len * n];
        let mut back = vec![0u16; len * n];
        // Transposed, so that the scan over predecessors reads one row.
        let mut into = vec![0.0f32; n * n];
        for p in 0..n {
            for c in 0..n {
                into[c * n + p] = self.trans[p * n + c];
            }
        }
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
                let from = if c == 0 || c % 2 == 1 { 0 } else { c - 1 };
                let to = if c == 0 || c % 2 == 1 { n } else { c + 1 };
                let tr = &into[c * n + from..c * n + to];
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
        let mut out = vec![0; len];
        for t in (0..len).rev() {
            out[t] = c;
            c = back[t * n + c] as usize;
        }
        out
    }

    /// The spans of the best tags, `(first, end, label index, chance)`:
    /// the chance, under the model, that exactly that span is there.
    pub fn spans(&self, unary: &[f32], len: usize) -> Vec<(usize, usize, usize, f32)> {
        let tags = self.viterbi(unary, len);
        let mut out = Vec::new();
        if !tags.iter().any(|&t| t != 0) {
            return out;
        }
        let n = self.n_tags;
        let et = &self.exp_trans;
        let u: Vec<f64> = unary.iter().map(|&x| f64::from(x)).collect();
        let lat = Lattice::new(&u, et, n);
        let mut t = 0;
        while t < len {
            if tags[t] % 2 == 1 {
                let l = tags[t] / 2;
                let mut e = t + 1;
                while e < len && tags[e] == 2 * l + 2 {
                    e += 1;
                }
                out.push((t, e, l, lat.span(t, e, &tags, et) as f32));
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
        let lat = Lattice::new(&u, &self.exp_trans, n);
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
        crf.exp_trans = exp_trans(crf.trans.iter().map(|&w| f64::from(w)), n_tags);
        Some(crf)
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

    #[test]
    fn the_gradient_is_the_objectives_slope() {
        let data = toy();
        let (_, p) = Crf::problem(3, &data);
        let len = p.n_weights() + 4 * 3;
        // Some point away from zero, with forbidden transitions too.
        let x: Vec<f64> = (0..len)
            .map(|i| ((i * 7919) % 13) as f64 / 6.0 - 1.0)
            .collect();
        let mut g = vec![0.0; len];
        let f = p.objective(&x, &mut g, 0.5, 2);
        assert!(f.is_finite() && f > 0.0);
        let nw = p.n_weights();
        for i in 0..len {
            if i >= nw && !allowed((i - nw) / 3, (i - nw) % 3, 3) {
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
        let et = exp_trans(crf.trans.iter().map(|&w| f64::from(w)), 3);
        let lat = Lattice::new(&u64s, &et, 3);
        let mut total = 0.0;
        for e in 2..=feats.len() {
            let mut tags = vec![0; feats.len()];
            tags[1] = 1;
            for t in tags.iter_mut().take(e).skip(2) {
                *t = 2;
            }
            total += lat.span(1, e, &tags, &et);
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
