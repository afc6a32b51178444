//! Limited-memory BFGS (Nocedal 1980) with a backtracking line search
//! under the Armijo condition: enough for the CRF's smooth, convex
//! objective, and a few dozen lines instead of a dependency.

/// Corrections kept (CRFsuite's default).
const MEMORY: usize = 6;
/// Stop once the objective fell by less than this share over the last
/// `PERIOD` iterations (CRFsuite's `delta` and `period`).
const DELTA: f64 = 1e-5;
const PERIOD: usize = 10;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimises `f` from `x`: `f(x, g)` returns the value and writes the
/// gradient into `g`.
pub fn minimize(
    mut x: Vec<f64>,
    max_iterations: usize,
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    // The corrections `(s, y, 1 / s·y)`, oldest first from `first`, in
    // buffers allocated once: an iteration allocates nothing.
    let mut history: Vec<(Vec<f64>, Vec<f64>, f64)> = Vec::with_capacity(MEMORY);
    let (mut first, mut kept) = (0usize, 0usize);
    let mut alphas = [0.0; MEMORY];
    let mut past = vec![fx];
    let mut d = vec![0.0; n];
    let mut xn = vec![0.0; n];
    let mut gn = vec![0.0; n];
    for _ in 0..max_iterations {
        let gnorm = dot(&g, &g).sqrt();
        if gnorm <= 1e-8 * dot(&x, &x).sqrt().max(1.0) {
            break;
        }
        let slot = |k: usize| (first + k) % MEMORY;
        // The two-loop recursion: d = -H g.
        d.copy_from_slice(&g);
        for k in (0..kept).rev() {
            let (s, y, rho) = &history[slot(k)];
            let a = rho * dot(s, &d);
            for (di, yi) in d.iter_mut().zip(y) {
                *di -= a * yi;
            }
            alphas[k] = a;
        }
        if kept > 0 {
            let (s, y, _) = &history[slot(kept - 1)];
            let gamma = dot(s, y) / dot(y, y);
            d.iter_mut().for_each(|v| *v *= gamma);
        }
        for (k, a) in alphas.iter().enumerate().take(kept) {
            let (s, y, rho) = &history[slot(k)];
            let b = rho * dot(y, &d);
            for (di, si) in d.iter_mut().zip(s) {
                *di += (a - b) * si;
            }
        }
        d.iter_mut().for_each(|v| *v = -*v);
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            // Not downhill (rounding): start again from the gradient.
            kept = 0;
            d.iter_mut().zip(&g).for_each(|(di, gi)| *di = -gi);
            slope = -gnorm * gnorm;
        }
        let mut step = if kept == 0 { 1.0 / gnorm } else { 1.0 };
        let mut fnew;
        let mut tries = 0;
        loop {
            for ((xi, x0), di) in xn.iter_mut().zip(&x).zip(&d) {
                *xi = x0 + step * di;
            }
            fnew = f(&xn, &mut gn);
            if fnew <= fx + 1e-4 * step * slope || tries == 40 {
                break;
            }
            step *= 0.5;
            tries += 1;
        }
        if fnew > fx {
            break;
        }
        // `s·y` first (the same sum as over the stored vectors): a
        // correction that is not kept must not overwrite the oldest one.
        let sy: f64 = xn
            .iter()
            .zip(&x)
            .zip(gn.iter().zip(&g))
            .map(|((a, b), (c, e))| (a - b) * (c - e))
            .sum();
        if sy > 1e-12 {
            // Into the oldest slot once all are used.
            let at = if kept < MEMORY { slot(kept) } else { first };
            if at == history.len() {
                history.push((vec![0.0; n], vec![0.0; n], 0.0));
            }
            let (s, y, rho) = &mut history[at];
            for ((si, a), b) in s.iter_mut().zip(&xn).zip(&x) {
                *si = a - b;
            }
            for ((yi, a), b) in y.iter_mut().zip(&gn).zip(&g) {
                *yi = a - b;
            }
            *rho = 1.0 / sy;
            if kept < MEMORY {
                kept += 1;
            } else {
                first = (first + 1) % MEMORY;
            }
        }
        std::mem::swap(&mut x, &mut xn);
        std::mem::swap(&mut g, &mut gn);
        fx = fnew;
        past.push(fx);
        if past.len() > PERIOD {
            let before = past[past.len() - 1 - PERIOD];
            if (before - fx) / fx.abs().max(1e-12) < DELTA {
                break;
            }
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_badly_scaled_bowl() {
        // f = Σ k·(x_k - k)², minimum at x_k = k.
        let x = minimize(vec![0.0; 5], 200, |x, g| {
            let mut f = 0.0;
            for (k, (xi, gi)) in x.iter().zip(g.iter_mut()).enumerate() {
                let w = (k + 1) as f64 * 10.0;
                f += w * (xi - k as f64).powi(2);
                *gi = 2.0 * w * (xi - k as f64);
            }
            f
        });
        for (k, xi) in x.iter().enumerate() {
            assert!((xi - k as f64).abs() < 1e-3, "{x:?}");
        }
    }
}
