//! The statistics behind `nhan agree`, written to give the same numbers as
//! the reference implementations (see docs/AGREEMENT.md):
//!
//! - span schemes `strict`, `exact`, `partial`, `ent_type`: nervaluate 1.2
//!   (`Evaluator(..., min_overlap_percentage=1.0)`), greedy matching included;
//! - Cohen's kappa: scikit-learn `cohen_kappa_score`;
//! - Fleiss' kappa: statsmodels `fleiss_kappa(table, method="fleiss")`;
//! - Krippendorff's alpha (nominal): the `krippendorff` package.
//!
//! Tags and labels are small integers here; `0` is "O" by convention of the
//! callers, but nothing in this module depends on it. An undefined statistic
//! (a division by zero in the reference) is `None`.

/// An entity as nervaluate sees it: the end is **inclusive**.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ent {
    pub label: u32,
    pub start: i64,
    pub end: i64,
}

impl Ent {
    /// From a half-open `[start, end)` char range (what sidecars store).
    pub fn from_half_open(label: u32, start: usize, end: usize) -> Ent {
        Ent {
            label,
            start: start as i64,
            end: end as i64 - 1,
        }
    }
}

/// nervaluate's evaluation schemes, in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Same extent and same label.
    Strict,
    /// Same extent, any label.
    Exact,
    /// Overlap, any label; an overlap that is not exact counts half.
    Partial,
    /// Overlap, same label.
    EntType,
}

impl Scheme {
    pub const ALL: [Scheme; 4] = [
        Scheme::Strict,
        Scheme::Exact,
        Scheme::Partial,
        Scheme::EntType,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scheme::Strict => "strict",
            Scheme::Exact => "exact",
            Scheme::Partial => "partial",
            Scheme::EntType => "ent_type",
        }
    }

    /// Whether partial matches count half (nervaluate's `partial_or_type`).
    fn half_credit(self) -> bool {
        matches!(self, Scheme::Partial | Scheme::EntType)
    }
}

/// nervaluate's counts for one scheme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub correct: u64,
    pub incorrect: u64,
    pub partial: u64,
    pub missed: u64,
    pub spurious: u64,
}

/// Precision, recall and F1 as nervaluate computes them (0 when undefined).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.correct += o.correct;
        self.incorrect += o.incorrect;
        self.partial += o.partial;
        self.missed += o.missed;
        self.spurious += o.spurious;
    }

    /// Spans of the compared ("predicted") side.
    pub fn actual(&self) -> u64 {
        self.correct + self.incorrect + self.partial + self.spurious
    }

    /// Spans of the reference ("true") side.
    pub fn possible(&self) -> u64 {
        self.correct + self.incorrect + self.partial + self.missed
    }

    /// nervaluate's `EvaluationResult.compute_metrics`, operation for
    /// operation so that the floating-point results are identical.
    pub fn prf(&self, scheme: Scheme) -> Prf {
        let (act, pos) = (self.actual(), self.possible());
        let hit = if scheme.half_credit() {
            self.correct as f64 + 0.5 * self.partial as f64
        } else {
            self.correct as f64
        };
        let precision = if act > 0 { hit / act as f64 } else { 0.0 };
        let recall = if pos > 0 { hit / pos as f64 } else { 0.0 };
        let f1 = if precision + recall > 0.0 {
            2.0 * (precision * recall) / (precision + recall)
        } else {
            0.0
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }
}

/// nervaluate's `_has_sufficient_overlap` with `min_overlap_percentage=1.0`:
/// the overlap must be at least 1% of the true span's length.
fn sufficient_overlap(pred: &Ent, truth: &Ent) -> bool {
    if pred.start > truth.end || pred.end < truth.start {
        return false;
    }
    let overlap = (pred.end.min(truth.end) - pred.start.max(truth.start) + 1) as f64;
    let true_len = (truth.end - truth.start + 1) as f64;
    (overlap / true_len) * 100.0 >= 1.0
}

fn same_extent(a: &Ent, b: &Ent) -> bool {
    a.start == b.start && a.end == b.end
}

/// One document under one scheme, as nervaluate's strategy classes do it:
/// each predicted entity in order takes the first matching true entity not
/// taken yet. Both lists must be in the caller's canonical order.
pub fn evaluate(scheme: Scheme, truth: &[Ent], pred: &[Ent]) -> Counts {
    let mut c = Counts::default();
    let mut taken = vec![false; truth.len()];
    for p in pred {
        match scheme {
            Scheme::Strict | Scheme::Exact | Scheme::Partial => {
                let mut matched = None;
                let mut near = None;
                for (i, t) in truth.iter().enumerate() {
                    if taken[i] {
                        continue;
                    }
                    let exact = match scheme {
                        Scheme::Strict => p.label == t.label && same_extent(p, t),
                        Scheme::Exact => same_extent(p, t),
                        _ => sufficient_overlap(p, t) && same_extent(p, t),
                    };
                    if exact {
                        matched = Some(i);
                        break;
                    }
                    if near.is_none() && sufficient_overlap(p, t) {
                        near = Some(i);
                    }
                }
                if let Some(i) = matched {
                    taken[i] = true;
                    c.correct += 1;
                } else if let Some(i) = near {
                    taken[i] = true;
                    if scheme == Scheme::Partial {
                        c.partial += 1;
                    } else {
                        c.incorrect += 1;
                    }
                } else {
                    c.spurious += 1;
                }
            }
            Scheme::EntType => {
                let mut best: Option<(usize, i64)> = None;
                let mut wrong = None;
                for (i, t) in truth.iter().enumerate() {
                    if taken[i] || !sufficient_overlap(p, t) {
                        continue;
                    }
                    let distance = (p.start - t.start).abs() + (p.end - t.end).abs();
                    if p.label == t.label {
                        if best.is_none_or(|(_, d)| distance < d) {
                            best = Some((i, distance));
                        }
                    } else if wrong.is_none() {
                        wrong = Some(i);
                    }
                }
                if let Some((i, _)) = best {
                    taken[i] = true;
                    c.correct += 1;
                } else if let Some(i) = wrong {
                    taken[i] = true;
                    c.incorrect += 1;
                } else {
                    c.spurious += 1;
                }
            }
        }
    }
    c.missed = taken.iter().filter(|t| !**t).count() as u64;
    c
}

/// A square confusion table of tag counts: `m[reference][other]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confusion {
    pub n: usize,
    pub m: Vec<u64>,
}

impl Confusion {
    pub fn new(n: usize) -> Self {
        Confusion {
            n,
            m: vec![0; n * n],
        }
    }

    pub fn get(&self, r: usize, c: usize) -> u64 {
        self.m[r * self.n + c]
    }

    pub fn count(&mut self, a: &[u32], b: &[u32]) {
        debug_assert_eq!(a.len(), b.len());
        for (&x, &y) in a.iter().zip(b) {
            self.m[x as usize * self.n + y as usize] += 1;
        }
    }

    /// Adds a table of the same size or smaller (tags met later have
    /// higher numbers: a smaller table is the top-left corner).
    pub fn add(&mut self, o: &Confusion) {
        if o.n > self.n {
            self.grow(o.n);
        }
        for r in 0..o.n {
            for c in 0..o.n {
                self.m[r * self.n + c] += o.m[r * o.n + c];
            }
        }
    }

    fn grow(&mut self, n: usize) {
        let mut g = Confusion::new(n);
        g.add(self);
        *self = g;
    }

    /// The table with tag `t` renumbered `place(t)`, `n` tags in all.
    pub fn renumbered(&self, n: usize, place: impl Fn(usize) -> usize) -> Confusion {
        let mut out = Confusion::new(n);
        for r in 0..self.n {
            for c in 0..self.n {
                out.m[place(r) * n + place(c)] += self.m[r * self.n + c];
            }
        }
        out
    }

    pub fn total(&self) -> u64 {
        self.m.iter().sum()
    }

    pub fn rows(&self) -> impl Iterator<Item = &[u64]> {
        self.m.chunks(self.n.max(1))
    }

    /// Cohen's kappa from this table, as scikit-learn computes it:
    /// `1 - sum(w * confusion) / sum(w * expected)` with `w = 1 - I` and
    /// `expected = outer(col_sums, row_sums) / n`. `None` when undefined (no
    /// tokens, or both sides use one and the same tag throughout).
    pub fn cohen_kappa(&self) -> Option<f64> {
        let n = self.total();
        if n == 0 {
            return None;
        }
        let k = self.n;
        let mut rows = vec![0u64; k];
        let mut cols = vec![0u64; k];
        let mut trace = 0u64;
        for (r, row) in self.rows().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                rows[r] += v;
                cols[c] += v;
                if r == c {
                    trace += v;
                }
            }
        }
        // sum over i != j of cols[i] * rows[j], exactly, then one division.
        let same: u128 = (0..k).map(|i| cols[i] as u128 * rows[i] as u128).sum();
        let off = n as u128 * n as u128 - same;
        if off == 0 {
            return None;
        }
        let observed = (n - trace) as f64;
        let expected = off as f64 / n as f64;
        Some(1.0 - observed / expected)
    }
}

/// Fleiss' kappa over subjects that every rater rated, one row of category
/// counts per subject (each row sums to the number of raters, at least 2).
/// statsmodels' `fleiss_kappa(table, method="fleiss")`.
pub fn fleiss_kappa(rows: &[Vec<u64>]) -> Option<f64> {
    let mut f = Fleiss::default();
    rows.iter().for_each(|r| f.add_row(r));
    f.finish(rows.first().map_or(0, Vec::len), |c| c)
}

/// Fleiss' kappa folded over subjects as they come, operation for operation
/// as `fleiss_kappa` on the whole table (so the figure is bit-identical).
#[derive(Debug, Clone, Default)]
pub struct Fleiss {
    col: Vec<u64>,
    agree_sum: f64,
    subjects: usize,
    raters: Option<u64>,
    /// Rows of different sums, or fewer than two raters: undefined.
    invalid: bool,
}

impl Fleiss {
    pub fn add_row(&mut self, row: &[u64]) {
        let n_rat: u64 = row.iter().sum();
        let first = *self.raters.get_or_insert(n_rat);
        if first < 2 || n_rat != first {
            self.invalid = true;
            return;
        }
        if self.col.len() < row.len() {
            self.col.resize(row.len(), 0);
        }
        let mut sq = 0u64;
        for (j, &v) in row.iter().enumerate() {
            self.col[j] += v;
            sq += v * v;
        }
        self.agree_sum += (sq - n_rat) as f64 / (n_rat as f64 * (n_rat as f64 - 1.0));
        self.subjects += 1;
    }

    /// Subjects added.
    pub fn subjects(&self) -> usize {
        self.subjects
    }

    /// The kappa, with the categories numbered as `place` says (column `c`
    /// goes to `place(c)`), over `n_cat` categories: the expected agreement
    /// is summed in that order.
    pub fn finish(&self, n_cat: usize, place: impl Fn(usize) -> usize) -> Option<f64> {
        let n_rat = self.raters?;
        if self.subjects == 0 || self.invalid {
            return None;
        }
        let mut col = vec![0u64; n_cat];
        for (j, &c) in self.col.iter().enumerate() {
            col[place(j)] += c;
        }
        let n_total = (self.subjects as u64 * n_rat) as f64;
        let p_mean = self.agree_sum / self.subjects as f64;
        let p_exp: f64 = col
            .iter()
            .map(|&c| {
                let p = c as f64 / n_total;
                p * p
            })
            .sum();
        if 1.0 - p_exp == 0.0 {
            return None;
        }
        Some((p_mean - p_exp) / (1.0 - p_exp))
    }
}

/// Krippendorff's alpha, nominal, from value counts per unit (one row per
/// unit, one column per value; missing ratings are simply not counted).
/// Units with fewer than two ratings do not count. `None` when undefined
/// (no unit rated twice, or one value only among the pairable ratings),
/// where the `krippendorff` package raises or returns NaN.
pub fn krippendorff_alpha_nominal<'a>(units: impl IntoIterator<Item = &'a [u64]>) -> Option<f64> {
    let mut a = Alpha::default();
    units.into_iter().for_each(|u| a.add_unit(u));
    a.finish()
}

/// Krippendorff's alpha folded over units as they come, bit-identical to
/// `krippendorff_alpha_nominal` over all of them in the same order. The
/// value columns may be numbered in any order: the figure does not depend
/// on it.
#[derive(Debug, Clone, Default)]
pub struct Alpha {
    n_v: Vec<u64>,
    observed: f64,
}

impl Alpha {
    pub fn add_unit(&mut self, u: &[u64]) {
        let m: u64 = u.iter().sum();
        if m < 2 {
            return;
        }
        if self.n_v.len() < u.len() {
            self.n_v.resize(u.len(), 0);
        }
        let mut sq = 0u64;
        for (c, &v) in u.iter().enumerate() {
            self.n_v[c] += v;
            sq += v * v;
        }
        // sum over c != k of n_c n_k / (m - 1)
        self.observed += (m * m - sq) as f64 / (m - 1) as f64;
    }

    pub fn finish(&self) -> Option<f64> {
        let n: u64 = self.n_v.iter().sum();
        if n < 2 {
            return None;
        }
        let sq: u128 = self.n_v.iter().map(|&v| v as u128 * v as u128).sum();
        let off = n as u128 * n as u128 - sq;
        if off == 0 {
            return None;
        }
        let expected = off as f64 / (n - 1) as f64;
        Some(1.0 - self.observed / expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(label: u32, start: i64, end: i64) -> Ent {
        Ent { label, start, end }
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn nervaluate_readme_example() {
        // nervaluate's README: true PER 2-4, LOC 12-12; pred PER 2-4, LOC 12-13 ... in
        // spirit: one exact, one overlap with the right label, one wrong label.
        let truth = [e(1, 0, 4), e(2, 10, 12), e(1, 20, 22)];
        let pred = [e(1, 0, 4), e(2, 10, 13), e(2, 20, 22)];
        let strict = evaluate(Scheme::Strict, &truth, &pred);
        assert_eq!(
            (
                strict.correct,
                strict.incorrect,
                strict.missed,
                strict.spurious
            ),
            (1, 2, 0, 0)
        );
        let exact = evaluate(Scheme::Exact, &truth, &pred);
        assert_eq!((exact.correct, exact.incorrect), (2, 1));
        let partial = evaluate(Scheme::Partial, &truth, &pred);
        assert_eq!((partial.correct, partial.partial), (2, 1));
        close(partial.prf(Scheme::Partial).precision, 2.5 / 3.0);
        let ent = evaluate(Scheme::EntType, &truth, &pred);
        assert_eq!((ent.correct, ent.incorrect), (2, 1));
    }

    #[test]
    fn spurious_and_missed() {
        let truth = [e(1, 0, 2)];
        let pred = [e(1, 5, 6), e(1, 8, 9)];
        let c = evaluate(Scheme::Strict, &truth, &pred);
        assert_eq!((c.correct, c.spurious, c.missed), (0, 2, 1));
        assert_eq!(c.prf(Scheme::Strict).f1, 0.0);
        // Nothing at all: nervaluate says 0, not undefined.
        let c = evaluate(Scheme::Strict, &[], &[]);
        assert_eq!(c.prf(Scheme::Strict).f1, 0.0);
    }

    #[test]
    fn greedy_matching_takes_the_first_overlap() {
        // Two nested true spans; the pred overlaps both and matches the
        // second exactly: the exact one wins, the other is missed.
        let truth = [e(1, 0, 9), e(1, 3, 5)];
        let pred = [e(1, 3, 5)];
        let c = evaluate(Scheme::Strict, &truth, &pred);
        assert_eq!((c.correct, c.missed), (1, 1));
        // ent_type prefers the closest boundaries among same-label overlaps.
        let pred = [e(1, 2, 5)];
        let c = evaluate(Scheme::EntType, &truth, &pred);
        assert_eq!((c.correct, c.missed), (1, 1));
    }

    #[test]
    fn one_percent_overlap_rule() {
        // A true span of 200 chars and a 1-char overlap: 0.5% < 1%.
        let truth = [e(1, 0, 199)];
        let c = evaluate(Scheme::Partial, &truth, &[e(1, 199, 205)]);
        assert_eq!((c.partial, c.spurious, c.missed), (0, 1, 1));
        let c = evaluate(Scheme::Partial, &truth, &[e(1, 198, 205)]);
        assert_eq!(c.partial, 1);
    }

    #[test]
    fn cohen_kappa_by_hand() {
        // scikit-learn's docstring example: 0.6875.
        // labels: negative=0, positive=1, neutral=2
        let y1 = [0, 1, 0, 2, 1];
        let y2 = [0, 1, 0, 2, 0];
        let mut c = Confusion::new(3);
        c.count(&y1, &y2);
        close(c.cohen_kappa().unwrap(), 0.6875);
        // One tag everywhere on both sides: undefined.
        let mut c = Confusion::new(2);
        c.count(&[0, 0], &[0, 0]);
        assert_eq!(c.cohen_kappa(), None);
        assert_eq!(Confusion::new(2).cohen_kappa(), None);
        // Total disagreement with two balanced tags: -1.
        let mut c = Confusion::new(2);
        c.count(&[0, 1], &[1, 0]);
        close(c.cohen_kappa().unwrap(), -1.0);
    }

    #[test]
    fn fleiss_by_hand() {
        // Wikipedia's worked example (10 subjects, 14 raters, 5 categories):
        // kappa = 0.210.
        let t = [
            [0, 0, 0, 0, 14],
            [0, 2, 6, 4, 2],
            [0, 0, 3, 5, 6],
            [0, 3, 9, 2, 0],
            [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0],
            [3, 2, 6, 3, 0],
            [2, 5, 3, 2, 2],
            [6, 5, 2, 1, 0],
            [0, 2, 2, 3, 7],
        ];
        let rows: Vec<Vec<u64>> = t.iter().map(|r| r.to_vec()).collect();
        let k = fleiss_kappa(&rows).unwrap();
        // P̄ = 0.37802, P̄e = 0.21344 → (0.37802 - 0.21344) / (1 - 0.21344)
        assert!((k - 0.20993).abs() < 1e-5, "{k}");
        assert_eq!(fleiss_kappa(&[vec![3, 0], vec![3, 0]]), None);
        assert_eq!(fleiss_kappa(&[]), None);
    }

    #[test]
    fn krippendorff_by_hand() {
        // The krippendorff package's docstring: value counts, nominal, 0.691358.
        let t: [[u64; 4]; 15] = [
            [1, 0, 0, 0],
            [0, 0, 0, 0],
            [0, 2, 0, 0],
            [2, 0, 0, 0],
            [0, 0, 2, 0],
            [0, 0, 2, 1],
            [0, 0, 0, 3],
            [1, 0, 1, 0],
            [0, 2, 0, 0],
            [2, 0, 0, 0],
            [2, 0, 0, 0],
            [0, 0, 2, 0],
            [0, 0, 2, 0],
            [0, 0, 0, 0],
            [0, 0, 1, 1],
        ];
        let a = krippendorff_alpha_nominal(t.iter().map(|r| &r[..])).unwrap();
        assert!((a - 0.691358).abs() < 1e-6, "{a}");
        // Two raters, 4 units, one disagreement, by hand:
        // n_v = (O:5, PER:3), n = 8; observed = 2 (one unit, 2 ordered pairs);
        // expected = (64 - 25 - 9) / 7 = 30/7; alpha = 1 - 2 * 7 / 30.
        let u = [[2, 0], [2, 0], [0, 2], [1, 1]];
        let a = krippendorff_alpha_nominal(u.iter().map(|r| &r[..])).unwrap();
        close(a, 1.0 - 14.0 / 30.0);
        // Single value: undefined; single ratings only: undefined.
        assert_eq!(krippendorff_alpha_nominal([&[2u64, 0][..]]), None);
        assert_eq!(krippendorff_alpha_nominal([&[1u64, 0][..], &[0, 1]]), None);
    }
}
