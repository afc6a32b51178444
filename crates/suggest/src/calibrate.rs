//! Scores as chances: a recommender's raw score mapped to how often its
//! suggestions with that score were right, fitted on held-out folds of the
//! project's own gold (isotonic regression: the map never decreases, so
//! the order of suggestions is kept).

/// A non-decreasing step map from raw score to the share found right.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Isotonic {
    /// `(lowest raw score of the step, chance)`, by raw score.
    steps: Vec<(f32, f32)>,
}

/// Fewer held-out proposals than this: the scores are left as they are
/// (a map from a handful of points would say more than it knows).
pub const MIN_POINTS: usize = 20;

impl Isotonic {
    /// Pool-adjacent-violators over `(raw score, was it right)`; `None`
    /// when there are too few points to say anything.
    pub fn fit(points: &[(f32, bool)]) -> Option<Isotonic> {
        if points.len() < MIN_POINTS {
            return None;
        }
        let mut sorted: Vec<(f32, bool)> = points.to_vec();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Blocks of (lowest score, right, count), means non-decreasing.
        let mut blocks: Vec<(f32, f64, f64)> = Vec::new();
        for (x, right) in sorted {
            let y = f64::from(u8::from(right));
            match blocks.last_mut() {
                // Equal scores must get one value.
                Some(last) if last.0 == x => {
                    last.1 += y;
                    last.2 += 1.0;
                }
                _ => blocks.push((x, y, 1.0)),
            }
            while blocks.len() > 1 {
                let (b, a) = (blocks[blocks.len() - 1], blocks[blocks.len() - 2]);
                if a.1 / a.2 <= b.1 / b.2 {
                    break;
                }
                blocks.pop();
                let last = blocks.last_mut().expect("two blocks");
                last.1 += b.1;
                last.2 += b.2;
            }
        }
        // One pseudo-count each way: a step of three right of three is
        // not a certainty.
        let steps = blocks
            .into_iter()
            .map(|(x, right, n)| (x, ((right + 0.5) / (n + 1.0)) as f32))
            .collect();
        Some(Isotonic { steps })
    }

    /// The chance for a raw score (below the lowest step: the first).
    pub fn apply(&self, raw: f32) -> f32 {
        let i = self.steps.partition_point(|s| s.0 <= raw);
        self.steps[i.saturating_sub(1)].1
    }
}

/// The maps of a project's recommenders as cached in
/// `.nhan/cache/calibration.json`, with the key of the gold and settings
/// they were fitted on: fitting retrains every recommender once per inner
/// fold, so a reopened project reads them instead.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cached {
    pub key: String,
    pub maps: std::collections::BTreeMap<String, Vec<(f32, f32)>>,
}

impl Cached {
    pub fn new<'a>(
        key: &str,
        maps: impl IntoIterator<Item = (&'a String, &'a Isotonic)>,
    ) -> Cached {
        Cached {
            key: key.to_string(),
            maps: maps
                .into_iter()
                .map(|(n, m)| (n.clone(), m.steps.clone()))
                .collect(),
        }
    }

    /// The maps in `bytes` if they were fitted for `key`. The file is input
    /// (a clone may carry one): a map that is not a non-decreasing step
    /// map to chances is refused, and the caller fits them again.
    pub fn read(bytes: &[u8], key: &str) -> Option<std::collections::HashMap<String, Isotonic>> {
        let c: Cached = serde_json::from_slice(bytes).ok()?;
        if c.key != key {
            return None;
        }
        let mut out = std::collections::HashMap::new();
        for (name, steps) in c.maps {
            let sound = !steps.is_empty()
                && steps
                    .iter()
                    .all(|&(x, p)| x.is_finite() && (0.0..=1.0).contains(&p))
                && steps
                    .windows(2)
                    .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1);
            if !sound {
                return None;
            }
            out.insert(name, Isotonic { steps });
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_follows_the_share_right_and_never_decreases() {
        let mut pts = Vec::new();
        // Raw 0.95: right 6 times in 10; raw 0.6: right 9 in 10 (a
        // violation, pooled); raw 0.99: right 10 in 10.
        for i in 0..10 {
            pts.push((0.95, i < 6));
            pts.push((0.6, i < 9));
            pts.push((0.99, true));
        }
        let m = Isotonic::fit(&pts).unwrap();
        let pooled = (15.0 + 0.5) / 21.0;
        assert!((m.apply(0.6) - pooled).abs() < 1e-6, "{m:?}");
        assert!((m.apply(0.95) - pooled).abs() < 1e-6);
        assert!((m.apply(0.99) - 10.5 / 11.0).abs() < 1e-6);
        assert!(
            (m.apply(0.1) - pooled).abs() < 1e-6,
            "below: the first step"
        );
        assert!(m.apply(0.7) <= m.apply(0.99));
        assert!(Isotonic::fit(&pts[..MIN_POINTS - 1]).is_none());
    }

    #[test]
    fn cached_maps_read_back_only_for_their_key_and_when_sound() {
        let pts: Vec<(f32, bool)> = (0..30).map(|i| (i as f32 / 30.0, i % 3 != 0)).collect();
        let m = Isotonic::fit(&pts).unwrap();
        let name = "tagger".to_string();
        let c = Cached::new("k1", [(&name, &m)]);
        let b = serde_json::to_vec(&c).unwrap();
        assert_eq!(Cached::read(&b, "k1").unwrap()["tagger"], m);
        assert!(Cached::read(&b, "k2").is_none(), "other gold");
        let mut bad = c.clone();
        bad.maps.insert("x".into(), vec![(0.1, 0.9), (0.5, 0.2)]);
        assert!(Cached::read(&serde_json::to_vec(&bad).unwrap(), "k1").is_none());
        bad.maps.insert("x".into(), vec![(0.1, 7.0)]);
        assert!(Cached::read(&serde_json::to_vec(&bad).unwrap(), "k1").is_none());
        assert!(Cached::read(b"{oops", "k1").is_none());
    }
}
