//! Re-anchoring spans after their article changed (`text_sha256` differs).
//!
//! **With the old text** ([`reanchor_by_diff`]): the old and new texts are
//! diffed (their words first, whitespace aside, then the characters of each
//! short stretch that changed) and every span is carried across the edit
//! script. A span whose own characters are all unchanged keeps its label,
//! review and id at the mapped place, whatever happened around it (a
//! reflowed article changes no word, so nothing at all). Only a span whose
//! characters were edited is looked for again, and only in the lines around
//! what replaced its words, within a few thousand characters; not found
//! there, it is an orphan. The work is bounded by the texts, never by a
//! clock: the same texts always give the same result. Labels never jump to another occurrence of the same words far
//! away. The old text comes from git history (the article's version whose
//! SHA-256 is the sidecar's `text_sha256`, see `git::old_article_text`).
//!
//! **Without it** ([`reanchor_with`], a project outside git or an old text
//! never committed) only the span list survives from the old article, so
//! each span is placed again by its `text`: among the occurrences of that
//! text in the new article (exact code points, both edges on grapheme
//! boundaries) it takes the one that best fits its neighbours.
//!
//! 1. **Anchors.** A span whose text occurs exactly once in the new article
//!    (and which no other span at a different old extent shares) has only one
//!    possible place. Of those, the longest run that keeps the old order
//!    (a longest non-decreasing subsequence, as in patience diff) is placed
//!    first: these are the context the other spans are measured against.
//! 2. **In place.** A span whose text still stands at its old offsets,
//!    in the old order between the anchors, keeps them: the edit was
//!    elsewhere (an edited first "Hà Nội" must not take the second's place
//!    and push its label on to the third).
//! 3. **The rest**, in old order. A span's expected offset is its old offset
//!    shifted by the displacement of the last span placed before it (or of
//!    the next anchor when nothing is placed yet). Occurrences that keep the
//!    old order (after the last in-order span, before the next anchor) are
//!    tried first, nearest to the expected offset first; then any occurrence,
//!    nearest first. An occurrence is refused when it would cross a span
//!    already placed, or land on the exact extent of a span that had a
//!    different extent before. A span with no acceptable occurrence is an
//!    orphan: it is returned, never dropped.
//!
//! Cost: one Aho–Corasick pass over the new text finds every occurrence of
//! every distinct span text (linear in the text plus the occurrences), then
//! `O(n log n)` in the number of spans for the placement (plus the refused
//! candidates tried, which are few unless spans crowd one spot).

use super::span::Span;
use super::text::Text;
use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// The outcome: every input span is in exactly one of `placed` or `orphans`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reanchored {
    /// Spans with their new offsets (all other fields unchanged), in sidecar
    /// order `(start, end, label)`.
    pub placed: Vec<Span>,
    /// Spans whose text could not be placed, unchanged, in input order.
    pub orphans: Vec<Span>,
    /// How many placed spans got offsets different from their old ones.
    pub moved: usize,
    /// Placed spans whose own text was edited and that were found again
    /// elsewhere (by [`reanchor_by_diff`]; every moved span for
    /// [`reanchor_with`], which cannot tell): what to show the user.
    pub searched: Vec<Span>,
}

impl Reanchored {
    /// True when every span kept its offsets: nothing to confirm.
    pub fn is_unchanged(&self) -> bool {
        self.orphans.is_empty() && self.moved == 0
    }
}

/// Knobs for [`reanchor_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Allow placements that cross already placed spans (for projects with
    /// `overlap = "any"`). Off by default: spans may nest, never cross.
    pub allow_crossing: bool,
}

/// Re-places `old_spans` in `new_text`; spans may nest but never cross.
pub fn reanchor(old_spans: &[Span], new_text: &Text) -> Reanchored {
    reanchor_with(old_spans, new_text, Options::default())
}

pub fn reanchor_with(old_spans: &[Span], new_text: &Text, opts: Options) -> Reanchored {
    let n = old_spans.len();
    // Old order: start, outer before inner, then label and id for determinism.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&old_spans[a], &old_spans[b]);
        (x.start, Reverse(x.end), &x.label, x.id).cmp(&(y.start, Reverse(y.end), &y.label, y.id))
    });

    // Distinct texts → pattern ids; spans with an empty text cannot be placed.
    let mut pat_ids: HashMap<&str, usize> = HashMap::new();
    let mut patterns: Vec<&str> = Vec::new();
    let mut pat_of: Vec<Option<usize>> = vec![None; n];
    // Per pattern: the old extent of its spans, or None if they differ.
    let mut pat_extent: Vec<Option<(usize, usize)>> = Vec::new();
    for (i, s) in old_spans.iter().enumerate() {
        if s.text.is_empty() {
            continue;
        }
        let p = *pat_ids.entry(s.text.as_str()).or_insert_with(|| {
            patterns.push(s.text.as_str());
            pat_extent.push(Some((s.start, s.end)));
            patterns.len() - 1
        });
        if pat_extent[p] != Some((s.start, s.end)) {
            pat_extent[p] = None;
        }
        pat_of[i] = Some(p);
    }
    let pat_chars: Vec<usize> = patterns.iter().map(|p| p.chars().count()).collect();
    let occ = occurrences(&patterns, &pat_chars, new_text);

    let mut placer = Placer::new(opts);
    // new[k]: the new extent of the span at order position k.
    let mut new: Vec<Option<(usize, usize)>> = vec![None; n];
    let mut is_anchor = vec![false; n];

    // 1. Anchors: unique occurrence, longest order-keeping run. A text
    // found once is the strongest evidence there is; it comes first.
    let candidates: Vec<(usize, usize)> = order
        .iter()
        .enumerate()
        .filter_map(|(k, &i)| {
            let p = pat_of[i]?;
            (occ[p].len() == 1 && pat_extent[p].is_some()).then(|| (k, occ[p][0]))
        })
        .collect();
    for ci in longest_non_decreasing(&candidates) {
        let (k, start) = candidates[ci];
        let s = &old_spans[order[k]];
        let end = start + pat_chars[pat_of[order[k]].expect("anchors have text")];
        if placer.try_place(start, end, (s.start, s.end)) {
            new[k] = Some((start, end));
            is_anchor[k] = true;
        }
    }

    // 2. In place: a span whose words still stand at its old offsets, in
    // the old order between the anchors, keeps them (the edit was
    // elsewhere). Another occurrence of its words is no better a guess,
    // and taking one would push the spans after it along. After the
    // anchors: a shift can bring the same words to an old offset by chance
    // (an insertion before two "Nội"), and a unique text must not lose its
    // place to that.
    let mut anchor_after = vec![usize::MAX; n];
    let mut next = usize::MAX;
    for k in (0..n).rev() {
        anchor_after[k] = next;
        if let Some((st, _)) = new[k] {
            next = st;
        }
    }
    let mut placed_before = 0usize;
    for (k, &i) in order.iter().enumerate() {
        if let Some((st, _)) = new[k] {
            placed_before = st;
            continue;
        }
        let s = &old_spans[i];
        let Some(p) = pat_of[i] else { continue };
        if s.end.checked_sub(s.start) == Some(pat_chars[p])
            && (placed_before..=anchor_after[k]).contains(&s.start)
            && occ[p].binary_search(&s.start).is_ok()
            && placer.try_place(s.start, s.end, (s.start, s.end))
        {
            new[k] = Some((s.start, s.end));
            is_anchor[k] = true;
            placed_before = s.start;
        }
    }
    // next_anchor[k]: the new start of the first anchor after position k.
    let mut next_anchor = vec![None; n + 1];
    for k in (0..n).rev() {
        next_anchor[k] = if is_anchor[k] {
            new[k].map(|(s, _)| (k, s))
        } else {
            next_anchor[k + 1]
        };
    }

    // 3. Everything else, in old order.
    let mut frontier = 0usize; // new start of the last span placed in order
    let mut last_delta: Option<i64> = None;
    for k in 0..n {
        let i = order[k];
        let s = &old_spans[i];
        if let Some((ns, _)) = new[k] {
            frontier = frontier.max(ns);
            last_delta = Some(ns as i64 - s.start as i64);
            continue;
        }
        let Some(p) = pat_of[i] else { continue };
        let len = pat_chars[p];
        let upcoming = next_anchor[k + 1];
        let delta = last_delta
            .or_else(|| upcoming.map(|(ak, ns)| ns as i64 - old_spans[order[ak]].start as i64))
            .unwrap_or(0);
        let expected = (s.start as i64 + delta).max(0) as usize;
        let hi = upcoming.map_or(usize::MAX, |(_, ns)| ns);
        let old_extent = (s.start, s.end);
        let list = &occ[p];
        let mut accept = |start: usize| placer.try_place(start, start + len, old_extent);
        let found = if frontier <= hi {
            nearest(list, expected, frontier, hi, &mut accept).map(|st| (st, true))
        } else {
            None
        }
        .or_else(|| nearest(list, expected, 0, usize::MAX, &mut accept).map(|st| (st, false)));
        if let Some((start, in_order)) = found {
            new[k] = Some((start, start + len));
            if in_order {
                frontier = frontier.max(start);
            }
            last_delta = Some(start as i64 - s.start as i64);
        }
    }

    // Results.
    let mut out = Reanchored::default();
    let mut placed_at = vec![None; n];
    for k in 0..n {
        placed_at[order[k]] = new[k];
    }
    for (i, s) in old_spans.iter().enumerate() {
        match placed_at[i] {
            Some((start, end)) => {
                if (start, end) != (s.start, s.end) {
                    out.moved += 1;
                }
                let mut t = s.clone();
                t.start = start;
                t.end = end;
                out.placed.push(t);
            }
            None => out.orphans.push(s.clone()),
        }
    }
    out.placed
        .sort_by(|a, b| (a.start, a.end, &a.label, a.id).cmp(&(b.start, b.end, &b.label, b.id)));
    let old_at: HashMap<super::ids::SpanId, (usize, usize)> =
        old_spans.iter().map(|s| (s.id, (s.start, s.end))).collect();
    out.searched = out
        .placed
        .iter()
        .filter(|s| old_at.get(&s.id) != Some(&(s.start, s.end)))
        .cloned()
        .collect();
    out
}

/// Re-places `old_spans`, made on `old_text`, in `new_text` through a diff
/// of the two texts (see the module comment).
pub fn reanchor_by_diff(
    old_spans: &[Span],
    old_text: &Text,
    new_text: &Text,
    opts: Options,
) -> Reanchored {
    let map = EditMap::new(old_text.as_str(), new_text.as_str());
    let mut placer = Placer::new(opts);
    let mut out = Reanchored::default();
    let mut edited: Vec<&Span> = Vec::new();
    // Untouched spans that moved with none of their surroundings (one side
    // of two swapped names): `(old start, index in placed)`.
    let mut lone: Vec<(usize, usize)> = Vec::new();
    // Untouched spans first: they keep their place whatever else moved.
    for s in old_spans {
        let kept = map.exact(s.start, s.end).filter(|&(a, b)| {
            new_text.is_grapheme_boundary(a)
                && new_text.is_grapheme_boundary(b)
                && new_text.slice(a, b) == s.text
        });
        match kept {
            Some((a, b)) => {
                // The map keeps order and nesting: untouched spans stand to
                // each other as they did, so they are not checked again.
                placer.place(a, b, (s.start, s.end));
                if (a, b) != (s.start, s.end) {
                    out.moved += 1;
                    if map.alone(s.start, s.end) {
                        lone.push((s.start, out.placed.len()));
                    }
                }
                out.placed.push(Span {
                    start: a,
                    end: b,
                    ..s.clone()
                });
            }
            None => edited.push(s),
        }
    }
    // (old start, span) of what the user is shown before accepting.
    let mut searched: Vec<(usize, Span)> = Vec::new();
    // Edited spans: their text, inside what replaced their surroundings,
    // nearest the place their start maps to.
    let bytes = new_text.as_str();
    for s in edited {
        let len = s.text.chars().count();
        let near = map.near(s.start);
        let (lo, hi) = map.window(s.start, s.end);
        // Out to the ends of the lines around what replaced its words (a
        // name swapped with another within its sentence is found), but
        // never far: a long line (a whole article on one) is searched only
        // around the span's place, which also keeps this linear.
        let reach = SEARCH_REACH + len;
        let (far_lo, far_hi) = (
            near.saturating_sub(reach),
            (near + reach).min(new_text.len_chars()),
        );
        let lo = line_start(new_text, lo.clamp(far_lo, far_hi), far_lo);
        let hi = line_end(new_text, hi.clamp(far_lo, far_hi), far_hi);
        let mut found: Vec<usize> = Vec::new();
        if !s.text.is_empty() && lo < hi {
            let (blo, bhi) = (new_text.byte_of(lo), new_text.byte_of(hi));
            let window = &bytes[blo..bhi];
            let mut from = 0;
            while let Some(i) = window[from..].find(s.text.as_str()) {
                let at = new_text.char_of_byte(blo + from + i);
                if new_text.is_grapheme_boundary(at) && new_text.is_grapheme_boundary(at + len) {
                    found.push(at);
                }
                from += i + window[from + i..].chars().next().map_or(1, char::len_utf8);
            }
        }
        found.sort_by_key(|&at| at.abs_diff(near));
        match found
            .into_iter()
            .find(|&at| placer.try_place(at, at + len, (s.start, s.end)))
        {
            Some(at) => {
                let t = Span {
                    start: at,
                    end: at + len,
                    ..s.clone()
                };
                if (t.start, t.end) != (s.start, s.end) {
                    out.moved += 1;
                    searched.push((s.start, t.clone()));
                }
                out.placed.push(t);
            }
            None => out.orphans.push(s.clone()),
        }
    }
    // Which side of a swap the diff kept whole is chance: an untouched span
    // that moved alone and now stands on the other side of a span found
    // again is shown too.
    let found: Vec<(usize, usize)> = searched.iter().map(|(o, t)| (*o, t.start)).collect();
    for k in crossed(&found, &lone, &out.placed) {
        searched.push((lone[k].0, out.placed[lone[k].1].clone()));
    }
    searched.sort_by(|(x, a), (y, b)| (x, &a.label, a.id).cmp(&(y, &b.label, b.id)));
    out.searched = searched.into_iter().map(|(_, t)| t).collect();
    out.placed
        .sort_by(|a, b| (a.start, a.end, &a.label, a.id).cmp(&(b.start, b.end, &b.label, b.id)));
    out
}

/// Indices into `lone` (`(old start, index in placed)`) of the spans whose
/// order with one of `found` (`(old start, new start)`) was reversed.
fn crossed(found: &[(usize, usize)], lone: &[(usize, usize)], placed: &[Span]) -> Vec<usize> {
    if found.is_empty() || lone.is_empty() {
        return Vec::new();
    }
    let mut by_old = found.to_vec();
    by_old.sort_unstable();
    // Latest new start among found spans before each point, earliest
    // among those after.
    let max_before: Vec<usize> = by_old
        .iter()
        .scan(0, |m, &(_, n)| {
            *m = (*m).max(n);
            Some(*m)
        })
        .collect();
    let mut min_after: Vec<usize> = by_old
        .iter()
        .rev()
        .scan(usize::MAX, |m, &(_, n)| {
            *m = (*m).min(n);
            Some(*m)
        })
        .collect();
    min_after.reverse();
    (0..lone.len())
        .filter(|&k| {
            let (o, n) = (lone[k].0, placed[lone[k].1].start);
            let before = by_old.partition_point(|&(fo, _)| fo < o);
            let after = by_old.partition_point(|&(fo, _)| fo <= o);
            (before > 0 && max_before[before - 1] > n)
                || min_after.get(after).is_some_and(|&m| m < n)
        })
        .collect()
}

/// A changed stretch of at most this many chars (both sides together) is
/// diffed again char by char, so that an edit inside a word leaves the
/// rest of its sentence mapped. A longer one stays unmapped and its spans
/// are looked for near their place: this size, never a clock, bounds the
/// work, so the same texts always give the same map.
const REFINE_MAX: usize = 4096;

/// How far (in chars, beyond its own length) from its mapped place an
/// edited span is looked for.
const SEARCH_REACH: usize = 2000;

/// Where each unchanged character of the old text is in the new one: the
/// equal runs of a diff, `(old start, new start, length)` in chars,
/// ascending in both texts.
struct EditMap {
    runs: Vec<(usize, usize, usize)>,
    /// The changed stretches, `(old range, new range)` in chars, ascending:
    /// an edited span is looked for in its stretch, and never beyond what
    /// replaced its own words.
    blocks: Vec<(Range<usize>, Range<usize>)>,
    new_len: usize,
}

/// One word or punctuation mark of a text (a UAX #29 word segment that is
/// not whitespace): what the diff compares.
struct Word {
    bytes: Range<usize>,
    chars: Range<usize>,
}

/// The words of `s`, in order. Whitespace is left out, so that a text
/// whose line breaks moved (a reflowed article) has the same words.
fn words(s: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut c = 0;
    for (b, seg) in s.split_word_bound_indices() {
        let n = seg.chars().count();
        if !seg.chars().all(char::is_whitespace) {
            out.push(Word {
                bytes: b..b + seg.len(),
                chars: c..c + n,
            });
        }
        c += n;
    }
    out
}

/// The equal stretches of a diff, `(before, after, length)` in tokens.
fn equal_runs(diff: &imara_diff::Diff, before: usize, after: usize) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    for h in diff.hunks() {
        out.push((i, j, h.before.start as usize - i));
        (i, j) = (h.before.end as usize, h.after.end as usize);
    }
    out.push((i, j, before - i));
    debug_assert_eq!(after - j, before - i);
    out.retain(|r| r.2 > 0);
    out
}

impl EditMap {
    /// Words first (whitespace aside: fast and exact on a long article with
    /// a few edits or with its lines rewrapped), then the characters of
    /// each short changed stretch, so that an edit inside a word leaves the
    /// rest of the sentence mapped. Both diffs are bounded by their inputs
    /// (`imara_diff`'s heuristics, [`REFINE_MAX`]), never by time.
    fn new(old: &str, new: &str) -> EditMap {
        // The common start and end are unchanged by definition: strip them
        // first, so that one edit never moves a span outside it (a diff
        // alone may align repeated text on either side of an insertion).
        let pre = common_prefix(old.as_bytes(), new.as_bytes(), old);
        let (o, n) = (&old[pre..], &new[pre..]);
        let suf = common_suffix(o.as_bytes(), n.as_bytes(), o);
        let (o, n) = (&o[..o.len() - suf], &n[..n.len() - suf]);
        let pre_chars = old[..pre].chars().count();
        let (o_chars, n_chars) = (o.chars().count(), n.chars().count());
        let suf_chars = old[old.len() - suf..].chars().count();
        let mut map = EditMap::middle(o, n);
        for r in &mut map.runs {
            r.0 += pre_chars;
            r.1 += pre_chars;
        }
        let shift = |r: &Range<usize>| r.start + pre_chars..r.end + pre_chars;
        let mut all = EditMap {
            runs: Vec::with_capacity(map.runs.len() + 2),
            blocks: map
                .blocks
                .iter()
                .map(|(a, b)| (shift(a), shift(b)))
                .collect(),
            new_len: pre_chars + n_chars + suf_chars,
        };
        all.push(0, 0, pre_chars);
        for &(a, b, l) in &map.runs {
            all.push(a, b, l);
        }
        all.push(pre_chars + o_chars, pre_chars + n_chars, suf_chars);
        all
    }

    fn middle(old: &str, new: &str) -> EditMap {
        use imara_diff::{Algorithm, Diff, InternedInput};
        let (ow, nw) = (words(old), words(new));
        let mut input: InternedInput<&str> = InternedInput::default();
        input.update_before(ow.iter().map(|w| &old[w.bytes.clone()]));
        input.update_after(nw.iter().map(|w| &new[w.bytes.clone()]));
        // Histogram aligns the rarest words first: a name that occurs once
        // holds its place, and repeated ones are aligned around it.
        let diff = Diff::compute(Algorithm::Histogram, &input);
        let mut map = EditMap {
            runs: Vec::new(),
            blocks: Vec::new(),
            new_len: new.chars().count(),
        };
        // (byte, char) where the text after the last equal word starts.
        let (mut o_at, mut n_at) = ((0, 0), (0, 0));
        for (i, j, len) in equal_runs(&diff, ow.len(), nw.len()) {
            for k in 0..len {
                let (a, b) = (&ow[i + k], &nw[j + k]);
                map.stretch(
                    old,
                    new,
                    (o_at, (a.bytes.start, a.chars.start)),
                    (n_at, (b.bytes.start, b.chars.start)),
                );
                map.push(a.chars.start, b.chars.start, a.chars.len());
                (o_at, n_at) = ((a.bytes.end, a.chars.end), (b.bytes.end, b.chars.end));
            }
        }
        let ends = (
            (old.len(), o_at.1 + old[o_at.0..].chars().count()),
            (new.len(), map.new_len),
        );
        map.stretch(old, new, (o_at, ends.0), (n_at, ends.1));
        map
    }

    /// Maps the text between two equal words (or an end of the text),
    /// `(byte, char)` from and to on each side: whole when it is the same
    /// on both sides (whitespace kept), else a changed stretch whose equal
    /// chars are mapped when it is short.
    fn stretch(
        &mut self,
        old: &str,
        new: &str,
        (o0, o1): ((usize, usize), (usize, usize)),
        (n0, n1): ((usize, usize), (usize, usize)),
    ) {
        use imara_diff::{Algorithm, Diff, InternedInput};
        let (a, b) = (&old[o0.0..o1.0], &new[n0.0..n1.0]);
        if a == b {
            self.push(o0.1, n0.1, o1.1 - o0.1);
            return;
        }
        self.blocks.push((o0.1..o1.1, n0.1..n1.1));
        let (la, lb) = (o1.1 - o0.1, n1.1 - n0.1);
        if la == 0 || lb == 0 || la + lb > REFINE_MAX {
            return;
        }
        let mut input: InternedInput<char> = InternedInput::default();
        input.update_before(a.chars());
        input.update_after(b.chars());
        let diff = Diff::compute(Algorithm::Myers, &input);
        for (i, j, len) in equal_runs(&diff, la, lb) {
            self.push(o0.1 + i, n0.1 + j, len);
        }
    }

    fn push(&mut self, o: usize, n: usize, len: usize) {
        if len == 0 {
            return;
        }
        if let Some(last) = self.runs.last_mut()
            && last.0 + last.2 == o
            && last.1 + last.2 == n
        {
            last.2 += len;
            return;
        }
        self.runs.push((o, n, len));
    }

    /// The run holding old char `c`, if `c` is unchanged.
    fn run_of(&self, c: usize) -> Option<&(usize, usize, usize)> {
        let i = self.runs.partition_point(|r| r.0 + r.2 <= c);
        self.runs.get(i).filter(|r| r.0 <= c)
    }

    /// `[start, end)` in the new text when every char of it is unchanged
    /// and still side by side.
    fn exact(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let r = self.run_of(start)?;
        (end <= r.0 + r.2).then(|| (r.1 + start - r.0, r.1 + end - r.0))
    }

    /// Whether `[start, end)` is mapped whole while the chars on both
    /// sides of it are not mapped with it (edited, or mapped elsewhere).
    fn alone(&self, start: usize, end: usize) -> bool {
        self.run_of(start)
            .is_some_and(|r| r.0 == start && r.0 + r.2 == end)
    }

    /// Old position `c` in the new text, or, if its char changed, the end
    /// of the unchanged text before it.
    fn floor(&self, c: usize) -> usize {
        if let Some(r) = self.run_of(c) {
            return r.1 + c - r.0;
        }
        let i = self.runs.partition_point(|r| r.0 + r.2 <= c);
        i.checked_sub(1)
            .map_or(0, |j| self.runs[j].1 + self.runs[j].2)
    }

    /// Where old position `c` most likely is in the new text: mapped when
    /// unchanged; else the same share of the way through what replaced its
    /// block, measured from the last unchanged character before it.
    fn near(&self, c: usize) -> usize {
        if self.run_of(c).is_some() {
            return self.floor(c);
        }
        let i = self.blocks.partition_point(|(o, _)| o.end < c);
        match self.blocks.get(i).filter(|(o, _)| o.start <= c) {
            Some((o, n)) => {
                // Unmapped inside the block: interpolate from the nearest
                // mapped char before it (or the block's start).
                let from = self.floor(c).max(n.start);
                let mapped_from = self
                    .runs
                    .partition_point(|r| r.0 + r.2 <= c)
                    .checked_sub(1)
                    .map_or(o.start, |j| (self.runs[j].0 + self.runs[j].2).max(o.start));
                let left_old = o.end.saturating_sub(mapped_from).max(1);
                let left_new = n.end.saturating_sub(from);
                from + (c - mapped_from.min(c)) * left_new / left_old
            }
            None => self.floor(c),
        }
    }

    /// Where in the new text to look for `[start, end)` of the old text
    /// when its characters were edited: what replaced the changed stretch
    /// it is in (with what is unchanged around it when it reaches beyond).
    fn window(&self, start: usize, end: usize) -> (usize, usize) {
        let block = |c: usize| {
            let i = self.blocks.partition_point(|(o, _)| o.end < c);
            self.blocks
                .get(i)
                .filter(|(o, _)| o.start <= c && c <= o.end)
                .map(|(_, n)| n.clone())
        };
        let lo = block(start).map_or(self.floor(start), |n| n.start.min(self.floor(start)));
        let hi = block(end).map_or(self.ceil(end), |n| n.end.max(self.ceil(end)));
        (lo, hi.max(lo))
    }

    /// Old end position `c` in the new text, or, if the char before it
    /// changed, the start of the unchanged text after it.
    fn ceil(&self, c: usize) -> usize {
        if c > 0
            && let Some(r) = self.run_of(c - 1)
        {
            return r.1 + c - r.0;
        }
        let i = self.runs.partition_point(|r| r.0 + r.2 <= c);
        self.runs.get(i).map_or(self.new_len, |r| r.1)
    }
}

/// The start of the line holding char `at` of `t`, or `limit` (at most
/// `at`) if that is nearer.
fn line_start(t: &Text, at: usize, limit: usize) -> usize {
    let (lb, ab) = (t.byte_of(limit), t.byte_of(at));
    t.as_str()[lb..ab]
        .rfind('\n')
        .map_or(limit, |i| t.char_of_byte(lb + i + 1))
}

/// The end of the line holding char `at` of `t` (before its line break),
/// or `limit` (at least `at`) if that is nearer.
fn line_end(t: &Text, at: usize, limit: usize) -> usize {
    let (ab, lb) = (t.byte_of(at), t.byte_of(limit));
    t.as_str()[ab..lb]
        .find('\n')
        .map_or(limit, |i| t.char_of_byte(ab + i))
}

/// Bytes at the start of `a` and `b` that are equal, backed off to a char
/// boundary of `s` (which is `a`).
fn common_prefix(a: &[u8], b: &[u8], s: &str) -> usize {
    let mut n = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    n
}

/// Bytes at the end of `a` and `b` that are equal, backed off so that
/// `s.len() - n` is a char boundary of `s` (which is `a`).
fn common_suffix(a: &[u8], b: &[u8], s: &str) -> usize {
    let mut n = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    while !s.is_char_boundary(s.len() - n) {
        n -= 1;
    }
    n
}

/// Tries the starts in `list` (sorted) that lie in `[lo, hi]`, nearest to
/// `expected` first (the earlier one on a tie); returns the first accepted.
fn nearest(
    list: &[usize],
    expected: usize,
    lo: usize,
    hi: usize,
    accept: &mut impl FnMut(usize) -> bool,
) -> Option<usize> {
    let first = list.partition_point(|&x| x < lo);
    let last = list.partition_point(|&x| x <= hi);
    if first >= last {
        return None;
    }
    let window = &list[first..last];
    let mid = window.partition_point(|&x| x < expected);
    let (mut l, mut r) = (mid, mid); // left candidates are window[..l], right ones window[r..]
    loop {
        let left = l.checked_sub(1).map(|j| window[j]);
        let right = window.get(r).copied();
        let pick = match (left, right) {
            (None, None) => return None,
            (Some(a), None) => Err(a),
            (None, Some(b)) => Ok(b),
            (Some(a), Some(b)) => {
                if expected - a <= b - expected {
                    Err(a)
                } else {
                    Ok(b)
                }
            }
        };
        let x = match pick {
            Err(a) => {
                l -= 1;
                a
            }
            Ok(b) => {
                r += 1;
                b
            }
        };
        if accept(x) {
            return Some(x);
        }
    }
}

/// Indices into `items` of a longest subsequence whose second components do
/// not decrease (items are already in first-component order).
fn longest_non_decreasing(items: &[(usize, usize)]) -> Vec<usize> {
    let mut tails: Vec<usize> = Vec::new(); // indices; values non-decreasing
    let mut prev: Vec<Option<usize>> = vec![None; items.len()];
    for (i, &(_, v)) in items.iter().enumerate() {
        let pos = tails.partition_point(|&t| items[t].1 <= v);
        prev[i] = pos.checked_sub(1).map(|p| tails[p]);
        if pos == tails.len() {
            tails.push(i);
        } else {
            tails[pos] = i;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut cur = tails.last().copied();
    while let Some(i) = cur {
        out.push(i);
        cur = prev[i];
    }
    out.reverse();
    out
}

/// The spans placed so far, with the queries placement needs.
struct Placer {
    opts: Options,
    /// `(start, Reverse(end))`: outer spans first for equal starts.
    by_start: BTreeSet<(usize, Reverse<usize>)>,
    /// `(end, Reverse(start))`.
    by_end: BTreeSet<(usize, Reverse<usize>)>,
    /// New extent → the old extent of the spans placed there.
    extents: HashMap<(usize, usize), (usize, usize)>,
}

impl Placer {
    fn new(opts: Options) -> Self {
        Placer {
            opts,
            by_start: BTreeSet::new(),
            by_end: BTreeSet::new(),
            extents: HashMap::new(),
        }
    }

    fn try_place(&mut self, start: usize, end: usize, old: (usize, usize)) -> bool {
        if self.extents.get(&(start, end)).is_some_and(|&o| o != old) {
            return false;
        }
        if !self.opts.allow_crossing && self.crosses_any(start, end) {
            return false;
        }
        self.place(start, end, old);
        true
    }

    fn place(&mut self, start: usize, end: usize, old: (usize, usize)) {
        self.extents.insert((start, end), old);
        self.by_start.insert((start, Reverse(end)));
        self.by_end.insert((end, Reverse(start)));
    }

    /// Whether `[a, b)` crosses a placed span. Placed spans never cross each
    /// other (a laminar family), so each walk visits only the outermost
    /// spans inside `(a, b)`, skipping what they contain.
    fn crosses_any(&self, a: usize, b: usize) -> bool {
        // A span starting strictly inside and ending after b.
        let mut cur = a + 1;
        while cur < b {
            let Some(&(s, Reverse(e))) = self.by_start.range((cur, Reverse(usize::MAX))..).next()
            else {
                break;
            };
            if s >= b {
                break;
            }
            if e > b {
                return true;
            }
            cur = e.max(s + 1);
        }
        // A span ending strictly inside and starting before a.
        let mut cur = b - 1;
        while cur > a {
            let Some(&(e, Reverse(s))) = self.by_end.range(..=(cur, Reverse(0))).next_back() else {
                break;
            };
            if e <= a {
                break;
            }
            if s < a {
                return true;
            }
            cur = s.min(e - 1);
        }
        false
    }
}

/// For each pattern, the char offsets where it occurs in `text` with both
/// edges on grapheme boundaries, ascending. Overlapping occurrences count.
fn occurrences(patterns: &[&str], pat_chars: &[usize], text: &Text) -> Vec<Vec<usize>> {
    let mut occ = vec![Vec::new(); patterns.len()];
    if patterns.is_empty() {
        return occ;
    }
    let ac = AhoCorasick::new(patterns);
    let bytes = text.as_str().as_bytes();
    let mut chars = 0usize; // chars whose first byte is in bytes[..=i]
    let mut state = 0u32;
    for (i, &b) in bytes.iter().enumerate() {
        if b & 0xC0 != 0x80 {
            chars += 1;
        }
        state = ac.step(state, b);
        let mut node = state;
        while node != NONE {
            for &p in &ac.out[node as usize] {
                // A match of valid UTF-8 in valid UTF-8 ends on a char
                // boundary, so `chars` is its end offset.
                let end = chars;
                let start = end - pat_chars[p as usize];
                debug_assert!(i + 1 >= patterns[p as usize].len());
                if text.is_grapheme_boundary(start) && text.is_grapheme_boundary(end) {
                    occ[p as usize].push(start);
                }
            }
            node = ac.dict[node as usize];
        }
    }
    occ
}

const NONE: u32 = u32::MAX;

/// A byte-level Aho–Corasick automaton (sparse transitions, failure links).
struct AhoCorasick {
    root: [u32; 256],
    next: Vec<Vec<(u8, u32)>>,
    fail: Vec<u32>,
    /// Patterns ending exactly at a node.
    out: Vec<Vec<u32>>,
    /// The nearest node along the failure chain that has output, or NONE.
    dict: Vec<u32>,
}

impl AhoCorasick {
    fn new(patterns: &[&str]) -> Self {
        let mut next: Vec<Vec<(u8, u32)>> = vec![Vec::new()];
        let mut out: Vec<Vec<u32>> = vec![Vec::new()];
        for (p, pat) in patterns.iter().enumerate() {
            let mut node = 0usize;
            for &b in pat.as_bytes() {
                node = match next[node].binary_search_by_key(&b, |&(c, _)| c) {
                    Ok(j) => next[node][j].1 as usize,
                    Err(j) => {
                        let id = next.len();
                        next[node].insert(j, (b, id as u32));
                        next.push(Vec::new());
                        out.push(Vec::new());
                        id
                    }
                };
            }
            out[node].push(p as u32);
        }
        let mut root = [0u32; 256];
        for &(b, v) in &next[0] {
            root[b as usize] = v;
        }
        let mut ac = AhoCorasick {
            root,
            fail: vec![0; next.len()],
            dict: vec![NONE; next.len()],
            next,
            out,
        };
        let mut queue = std::collections::VecDeque::new();
        for &(_, v) in &ac.next[0] {
            queue.push_back(v);
        }
        while let Some(u) = queue.pop_front() {
            let children = ac.next[u as usize].clone();
            for (b, v) in children {
                let f = ac.step(ac.fail[u as usize], b);
                ac.fail[v as usize] = f;
                ac.dict[v as usize] = if ac.out[f as usize].is_empty() {
                    ac.dict[f as usize]
                } else {
                    f
                };
                queue.push_back(v);
            }
        }
        ac
    }

    fn goto(&self, state: u32, b: u8) -> Option<u32> {
        if state == 0 {
            return Some(self.root[b as usize]);
        }
        let t = &self.next[state as usize];
        t.binary_search_by_key(&b, |&(c, _)| c).ok().map(|j| t[j].1)
    }

    fn step(&self, mut state: u32, b: u8) -> u32 {
        loop {
            if let Some(s) = self.goto(state, b) {
                return s;
            }
            state = self.fail[state as usize];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn span(id: u64, text: &Text, start: usize, end: usize, label: &str) -> Span {
        Span {
            id: crate::ids::SpanId(id),
            start,
            end,
            label: label.into(),
            text: text.slice(start, end).into(),
            annotator: Some("lan".into()),
            review: None,
            reviewer: None,
            details: Default::default(),
        }
    }

    /// A span over the `nth` occurrence (0-based) of `needle` in `text`.
    fn span_on(id: u64, text: &Text, needle: &str, nth: usize, label: &str) -> Span {
        let b = text
            .as_str()
            .match_indices(needle)
            .nth(nth)
            .unwrap_or_else(|| panic!("{needle:?} #{nth} not in text"))
            .0;
        let start = text.char_of_byte(b);
        span(id, text, start, start + needle.chars().count(), label)
    }

    /// Issue 25, item 8: the first of three "Hà Nội" is edited away and
    /// the old text is lost (no git, no cache). The two still standing at
    /// their offsets keep their labels; the edited one is the orphan, and
    /// nothing is called moved.
    #[test]
    fn spans_whose_words_still_stand_at_their_offsets_keep_them() {
        let old = Text::new(
            "Mở đầu. Hà Nội là một. Giữa đoạn văn dài. Hà Nội là hai. Cuối đoạn. Hà Nội là ba.",
        );
        let spans = [
            span_on(1, &old, "Hà Nội", 0, "PER"),
            span_on(2, &old, "Hà Nội", 1, "ORG"),
            span_on(3, &old, "Hà Nội", 2, "LOC"),
        ];
        let new = Text::new(
            "Mở đầu. Thủ đô là một. Giữa đoạn văn dài. Hà Nội là hai. Cuối đoạn. Hà Nội là ba.",
        );
        let r = reanchor(&spans, &new);
        assert_sound(&spans, &r, &new);
        let placed: Vec<(&str, usize)> = r
            .placed
            .iter()
            .map(|s| (s.label.as_str(), s.start))
            .collect();
        assert_eq!(placed, [("ORG", spans[1].start), ("LOC", spans[2].start)]);
        assert_eq!(r.orphans.len(), 1);
        assert_eq!(r.orphans[0].label, "PER");
        assert_eq!(r.moved, 0);
        assert!(r.searched.is_empty(), "{:?}", r.searched);
    }

    fn assert_sound(input: &[Span], r: &Reanchored, text: &Text) {
        for s in &r.placed {
            assert_eq!(text.slice(s.start, s.end), s.text, "span {}", s.id);
            assert!(text.is_grapheme_boundary(s.start) && text.is_grapheme_boundary(s.end));
        }
        for (i, a) in r.placed.iter().enumerate() {
            for b in &r.placed[i + 1..] {
                assert!(
                    !crate::span::crosses(a.range(), b.range()),
                    "{} and {} cross",
                    a.id,
                    b.id
                );
            }
        }
        let mut ids: Vec<u64> = r.placed.iter().chain(&r.orphans).map(|s| s.id.0).collect();
        ids.sort_unstable();
        let mut want: Vec<u64> = input.iter().map(|s| s.id.0).collect();
        want.sort_unstable();
        assert_eq!(ids, want, "every span is placed or orphaned, once");
    }

    fn by_id(r: &Reanchored, id: u64) -> &Span {
        r.placed.iter().find(|s| s.id.0 == id).expect("placed")
    }

    const OLD: &str =
        "Tổng Bí thư Nguyễn Phú Trọng làm việc với Ban Đối ngoại Trung ương tại Hà Nội.";

    #[test]
    fn unchanged_text_changes_nothing() {
        let t = Text::new(OLD);
        let spans = vec![
            span_on(1, &t, "Nguyễn Phú Trọng", 0, "PER"),
            span_on(2, &t, "Ban Đối ngoại Trung ương", 0, "ORG"),
            span_on(3, &t, "Hà Nội", 0, "LOC"),
        ];
        let r = reanchor(&spans, &t);
        assert!(r.is_unchanged());
        assert_eq!(r.placed, spans);
    }

    #[test]
    fn insertion_before_shifts_every_span_and_keeps_every_field() {
        let old = Text::new(OLD);
        let mut per = span_on(1, &old, "Nguyễn Phú Trọng", 0, "PER");
        per.review = Some(crate::review::Decision::accepted());
        per.reviewer = Some("minh".into());
        per.details.insert("confidence".into(), Value::from(0.5));
        let spans = vec![per.clone(), span_on(2, &old, "Hà Nội", 0, "LOC")];
        let new = Text::new(format!("(Ảnh: TTXVN) Hôm nay, {OLD}"));
        let r = reanchor(&spans, &new);
        assert_sound(&spans, &r, &new);
        assert!(r.orphans.is_empty());
        assert_eq!(r.moved, 2);
        let shift = "(Ảnh: TTXVN) Hôm nay, ".chars().count();
        let p = by_id(&r, 1);
        assert_eq!((p.start, p.end), (per.start + shift, per.end + shift));
        assert_eq!(
            (&p.review, &p.reviewer, &p.details),
            (&per.review, &per.reviewer, &per.details)
        );
        assert_eq!(
            (&p.label, &p.annotator, &p.text),
            (&per.label, &per.annotator, &per.text)
        );
    }

    #[test]
    fn deletion_between_spans_moves_the_later_ones_back() {
        let old = Text::new(OLD);
        let spans = vec![
            span_on(1, &old, "Nguyễn Phú Trọng", 0, "PER"),
            span_on(2, &old, "Ban Đối ngoại Trung ương", 0, "ORG"),
        ];
        let new = Text::new(OLD.replace(" làm việc với", ""));
        let r = reanchor(&spans, &new);
        assert_sound(&spans, &r, &new);
        assert!(r.orphans.is_empty());
        assert_eq!(r.moved, 1);
        assert_eq!(by_id(&r, 1).start, spans[0].start);
        assert_eq!(
            new.slice(by_id(&r, 2).start, by_id(&r, 2).end),
            "Ban Đối ngoại Trung ương"
        );
    }

    #[test]
    fn a_changed_word_inside_a_span_makes_it_an_orphan() {
        let old = Text::new(OLD);
        let spans = vec![
            span_on(1, &old, "Nguyễn Phú Trọng", 0, "PER"),
            span_on(2, &old, "Ban Đối ngoại Trung ương", 0, "ORG"),
        ];
        let new = Text::new(OLD.replace("Đối ngoại", "Tuyên giáo"));
        let r = reanchor(&spans, &new);
        assert_sound(&spans, &r, &new);
        assert_eq!(
            r.orphans,
            vec![spans[1].clone()],
            "kept unchanged, not dropped"
        );
        assert_eq!(by_id(&r, 1).start, spans[0].start);
    }

    #[test]
    fn a_span_whose_text_now_splits_a_grapheme_is_an_orphan() {
        let old = Text::new("Ha Noi");
        let spans = vec![span(1, &old, 0, 2, "LOC")];
        // "Ha" now continues with a combining grave: "Hà" in NFD.
        let new = Text::new("Ha\u{300} Noi");
        let r = reanchor(&spans, &new);
        assert_eq!(r.orphans.len(), 1);
    }

    #[test]
    fn repeated_surface_strings_stay_in_order() {
        let org = "Ban Đối ngoại Trung ương";
        let para = |i: usize| format!("Đoạn {i}: đồng chí làm việc với {org}; ");
        let old_s: String = (0..8).map(para).collect();
        let old = Text::new(old_s.clone());
        let spans: Vec<Span> = (0..8)
            .map(|i| span_on(i as u64 + 1, &old, org, i, "ORG"))
            .collect();
        // A long insertion before everything (longer than a paragraph) and a
        // deletion in the middle.
        let new_s = format!(
            "{}{}",
            "Tin mới. ".repeat(20),
            old_s.replace("đồng chí làm việc", "làm việc")
        );
        let new = Text::new(new_s.clone());
        let r = reanchor(&spans, &new);
        assert_sound(&spans, &r, &new);
        assert!(r.orphans.is_empty());
        let starts: Vec<usize> = (1..=8).map(|id| by_id(&r, id).start).collect();
        let truth: Vec<usize> = new_s
            .match_indices(org)
            .map(|(b, _)| new.char_of_byte(b))
            .collect();
        assert_eq!(starts, truth, "span k lands on occurrence k");
    }

    #[test]
    fn a_unique_neighbour_disambiguates_a_repeated_string() {
        // Only the second "Hà Nội" is annotated; a big insertion would make the
        // first occurrence the nearest, but the unique PER before it says by
        // how much the text moved.
        let old_s = "Hà Nội ... Ông Lê Hoài Trung đến Hà Nội hôm qua.";
        let old = Text::new(old_s);
        let spans = vec![
            span_on(1, &old, "Lê Hoài Trung", 0, "PER"),
            span_on(2, &old, "Hà Nội", 1, "LOC"),
        ];
        let new_s = format!("Mở đầu dài dòng. {old_s}");
        let new = Text::new(new_s.clone());
        let r = reanchor(&spans, &new);
        assert_sound(&spans, &r, &new);
        let want = new.char_of_byte(new_s.match_indices("Hà Nội").nth(1).unwrap().0);
        assert_eq!(by_id(&r, 2).start, want);
    }

    #[test]
    fn nested_spans_stay_nested() {
        let old = Text::new(OLD);
        let spans = vec![
            span_on(1, &old, "Ban Đối ngoại Trung ương", 0, "ORG"),
            span_on(2, &old, "Trung ương", 0, "ORG"),
        ];
        let new = Text::new(format!("Trung ương. {OLD}"));
        let r = reanchor(&spans, &new);
        assert_sound(&spans, &r, &new);
        let (o, i) = (by_id(&r, 1), by_id(&r, 2));
        assert!(
            o.start <= i.start && i.end <= o.end,
            "inner follows its outer span"
        );
    }

    #[test]
    fn a_placement_that_would_cross_is_refused() {
        // "b c" can only go where it would cross "a b".
        let old = Text::new("a b c");
        let spans = vec![span(1, &old, 0, 3, "X"), span(2, &old, 2, 5, "Y")];
        let new = Text::new("a b c");
        let r = reanchor(&spans, &new);
        assert_sound(&spans, &r, &new);
        assert_eq!(r.orphans.len(), 1);
        let r = reanchor_with(
            &spans,
            &new,
            Options {
                allow_crossing: true,
            },
        );
        assert!(r.orphans.is_empty());
    }

    #[test]
    fn two_spans_do_not_collapse_onto_one_occurrence() {
        let old = Text::new("Hà Nội và Hà Nội");
        let spans = vec![
            span_on(1, &old, "Hà Nội", 0, "LOC"),
            span_on(2, &old, "Hà Nội", 1, "ORG"),
        ];
        let new = Text::new("chỉ còn Hà Nội");
        let r = reanchor(&spans, &new);
        assert_sound(&spans, &r, &new);
        assert_eq!((r.placed.len(), r.orphans.len()), (1, 1));
    }

    #[test]
    fn empty_text_spans_are_orphans() {
        let t = Text::new("abc");
        let mut s = span(1, &t, 0, 1, "X");
        s.text.clear();
        let r = reanchor(&[s], &t);
        assert_eq!(r.orphans.len(), 1);
    }

    #[test]
    fn overlapping_occurrences_are_found() {
        let old = Text::new("xaaa");
        let spans = vec![span(1, &old, 2, 4, "X")];
        let new = Text::new("aaa");
        let r = reanchor(&spans, &new);
        assert_eq!((by_id(&r, 1).start, by_id(&r, 1).end), (1, 3));
    }

    #[test]
    fn big_article_is_fast() {
        let org = "Ban Đối ngoại Trung ương";
        let para = "Văn bản dài về chính trị, kinh tế, xã hội của Việt Nam. ";
        let mut s = String::new();
        let mut spans = Vec::new();
        for i in 0..5_000 {
            s.push_str(para);
            s.push_str(&format!("Ông Nguyễn Văn {i} "));
            s.push_str(org);
            s.push_str(". ");
        }
        let old = Text::new(s.clone());
        for (i, (b, m)) in s.match_indices(org).enumerate() {
            let st = old.char_of_byte(b);
            spans.push(span(i as u64 + 1, &old, st, st + m.chars().count(), "ORG"));
        }
        for (i, (b, m)) in s.match_indices("Nguyễn Văn ").enumerate() {
            let st = old.char_of_byte(b);
            spans.push(span(
                10_000 + i as u64,
                &old,
                st,
                st + m.chars().count() + 1,
                "PER",
            ));
        }
        let new = Text::new(format!("Lời dẫn. {s}"));
        let r = reanchor(&spans, &new);
        assert_eq!(r.orphans.len(), 0);
        assert_eq!(r.moved, spans.len());
    }

    #[test]
    fn aho_corasick_finds_every_occurrence() {
        let pats = ["he", "she", "his", "hers", "ớ"];
        let chars: Vec<usize> = pats.iter().map(|p| p.chars().count()).collect();
        let occ = occurrences(&pats, &chars, &Text::new("ushers ớ his she"));
        assert_eq!(
            occ,
            vec![vec![2, 14], vec![1, 13], vec![9], vec![2], vec![7]]
        );
    }

    #[test]
    fn longest_run_is_found() {
        let items = [(0, 5), (1, 1), (2, 2), (3, 9), (4, 2), (5, 3)];
        assert_eq!(longest_non_decreasing(&items), vec![1, 2, 4, 5]);
    }

    // ---------------------------------------------------------------- proptest

    /// Texts over a small alphabet (so strings repeat), with NFD marks.
    fn arb_text() -> impl Strategy<Value = String> {
        let atoms = prop::sample::select(vec![
            "a",
            "b",
            "ơ",
            "e\u{302}\u{301}",
            " ",
            "Hà",
            "Nội",
            ".",
            "\r\n",
            "👍",
        ]);
        prop::collection::vec(atoms, 0..80).prop_map(|v| v.concat())
    }

    /// Random spans on grapheme boundaries of `t` (possibly crossing, possibly
    /// duplicated: the function must cope with any input).
    fn spans_for(t: &Text, raw: &[(usize, usize)]) -> Vec<Span> {
        let n = t.len_chars();
        if n == 0 {
            return Vec::new();
        }
        raw.iter()
            .enumerate()
            .filter_map(|(i, &(a, len))| {
                let start = t.floor_grapheme(a % n);
                let mut end = start;
                for _ in 0..=(len % 6) {
                    end = t.next_grapheme(end);
                }
                (end > start).then(|| span(i as u64 + 1, t, start, end, ["A", "B"][i % 2]))
            })
            .collect()
    }

    fn edit(old: &str, at: usize, del: usize, ins: &str) -> String {
        let t = Text::new(old);
        let a = t.floor_grapheme(at.min(t.len_chars()));
        let b = t.floor_grapheme((a + del).min(t.len_chars()));
        format!("{}{}{}", t.slice(0, a), ins, t.slice(b, t.len_chars()))
    }

    /// The example: the first of three `Hà Nội` is replaced by
    /// `Thủ đô` (same length). The other two keep their labels.
    #[test]
    fn by_diff_a_replaced_word_leaves_the_other_occurrences_their_labels() {
        let old = Text::new(
            "Mở đầu. Hà Nội là một. Giữa đoạn văn dài. Hà Nội là hai. Cuối đoạn. Hà Nội là ba.",
        );
        let new = Text::new(
            "Mở đầu. Thủ đô là một. Giữa đoạn văn dài. Hà Nội là hai. Cuối đoạn. Hà Nội là ba.",
        );
        let spans = vec![
            span_on(1, &old, "Hà Nội", 0, "PER"),
            span_on(2, &old, "Hà Nội", 1, "ORG"),
            span_on(3, &old, "Hà Nội", 2, "LOC"),
        ];
        let r = reanchor_by_diff(&spans, &old, &new, Options::default());
        assert_sound(&spans, &r, &new);
        assert_eq!(
            (by_id(&r, 2).start, by_id(&r, 2).label.as_ref() as &str),
            (spans[1].start, "ORG")
        );
        assert_eq!(
            (by_id(&r, 3).start, by_id(&r, 3).label.as_ref() as &str),
            (spans[2].start, "LOC")
        );
        assert_eq!(r.orphans.len(), 1);
        assert_eq!(r.orphans[0].id.0, 1, "the edited span is the orphan");
        assert_eq!(r.moved, 0);
        assert!(r.searched.is_empty());
    }

    /// Deleting the first of two occurrences shifts everything after it;
    /// the second keeps its own label, shifted, never the first's.
    #[test]
    fn by_diff_a_deleted_occurrence_does_not_pass_its_label_on() {
        let old = Text::new("Hồ Chí Minh nói. Rồi đến Hồ Chí Minh, và Việt Nam.");
        let new = Text::new("Ông nói. Rồi đến Hồ Chí Minh, và Việt Nam.");
        let mut spans = vec![
            span_on(1, &old, "Hồ Chí Minh", 0, "PER"),
            span_on(2, &old, "Hồ Chí Minh", 1, "LOC"),
            span_on(3, &old, "Việt Nam", 0, "LOC"),
        ];
        spans[1].review = Some(crate::review::Decision::accepted());
        let r = reanchor_by_diff(&spans, &old, &new, Options::default());
        assert_sound(&spans, &r, &new);
        let loc = by_id(&r, 2);
        assert_eq!(new.slice(loc.start, loc.end), "Hồ Chí Minh");
        assert_eq!(loc.review, Some(crate::review::Decision::accepted()));
        assert_eq!(r.orphans.iter().map(|s| s.id.0).collect::<Vec<_>>(), [1]);
        assert_eq!(r.moved, 2);
    }

    /// A span whose own text was edited is looked for only where its text
    /// was: nearby it is found, far away it is not.
    #[test]
    fn by_diff_an_edited_span_is_looked_for_only_in_its_place() {
        let old = Text::new("Lan ở Hà  Nội.\nCuối cùng Hà Nội.");
        // The double space inside the span is fixed: its text is now found
        // in the same place.
        let new = Text::new("Lan ở Hà Nội.\nCuối cùng Hà Nội.");
        let spans = vec![span(1, &old, 6, 13, "LOC")];
        let r = reanchor_by_diff(&spans, &old, &new, Options::default());
        assert!(r.orphans.len() == 1, "its text \"Hà  Nội\" is gone: {r:?}");
        // The span's text kept, a word inserted inside it: an orphan, not
        // the other `Hà Nội` on the next line.
        let old = Text::new("Lan ở Hà Nội.\nCuối cùng Hà Nội.");
        let new = Text::new("Lan ở Hà thành Nội.\nCuối cùng Hà Nội.");
        let spans = vec![
            span(1, &old, 6, 12, "LOC"),
            span_on(2, &old, "Cuối", 0, "MISC"),
        ];
        let r = reanchor_by_diff(&spans, &old, &new, Options::default());
        assert_eq!(r.orphans.iter().map(|s| s.id.0).collect::<Vec<_>>(), [1]);
        // Retyped in place (deleted and written again): found there.
        let new = Text::new("Lan ở Hà Nội!\nCuối cùng Hà Nội.");
        let old_line = Text::new("Lan ở Hà Nội.\nCuối cùng Hà Nội.");
        let spans = vec![span(1, &old_line, 6, 12, "LOC")];
        let r = reanchor_by_diff(&spans, &old_line, &new, Options::default());
        assert_eq!(by_id(&r, 1).start, 6);
        assert!(
            r.searched.is_empty(),
            "found in its own place: nothing to show"
        );
        // Two names swapped: what the diff did not keep whole is found
        // again in the edited lines, and listed for the user.
        let old = Text::new("Đi từ Hà Nội đến Đà Nẵng.\nCuối.");
        let new = Text::new("Đi từ Đà Nẵng đến Hà Nội.\nCuối.");
        let spans = vec![
            span_on(1, &old, "Hà Nội", 0, "LOC"),
            span_on(2, &old, "Đà Nẵng", 0, "ORG"),
        ];
        let r = reanchor_by_diff(&spans, &old, &new, Options::default());
        assert_sound(&spans, &r, &new);
        assert!(r.orphans.is_empty());
        assert_eq!(new.slice(by_id(&r, 1).start, by_id(&r, 1).end), "Hà Nội");
        assert_eq!(new.slice(by_id(&r, 2).start, by_id(&r, 2).end), "Đà Nẵng");
        // Both are shown, whichever of them the diff kept whole.
        let shown: Vec<u64> = r.searched.iter().map(|s| s.id.0).collect();
        assert_eq!(shown, [1, 2]);
        // The other line is beyond reach: a name edited away on line 1 is
        // not taken from line 2.
        let old = Text::new("Đi từ Hà Nội.\nVề Hà Nội.");
        let new = Text::new("Đi từ Huế.\nVề Hà Nội.");
        let spans = vec![span_on(1, &old, "Hà Nội", 0, "LOC")];
        let r = reanchor_by_diff(&spans, &old, &new, Options::default());
        assert_eq!(r.orphans.len(), 1);
    }

    /// A reflowed article (every sentence on its own line): every line
    /// changed, the words did not, so every span stays on its own words,
    /// however busy the machine (no clock decides how far the diff goes).
    #[test]
    fn by_diff_a_reflowed_article_keeps_every_span_in_place() {
        let unit = "Tổng Bí thư Nguyễn Phú Trọng làm việc tại Hà Nội. ";
        let old = Text::new(unit.repeat(1500));
        let new = Text::new(unit.repeat(1500).replace("Hà Nội. ", "Hà Nội.\n"));
        let spans: Vec<Span> = (0..1500)
            .map(|i| span_on(i as u64 + 1, &old, "Nguyễn Phú Trọng", i, "PER"))
            .collect();
        let r = reanchor_by_diff(&spans, &old, &new, Options::default());
        assert!(r.orphans.is_empty());
        assert_eq!(r.moved, 0);
        assert_eq!(r.placed, spans);
    }

    /// A reflowed article in which one name was also replaced and one
    /// sentence inserted: the replaced span alone is an orphan, every other
    /// span stays on its own words with its id, shifted by the insertion.
    #[test]
    fn by_diff_a_reflow_with_edits_orphans_only_the_edited_span() {
        let unit = |i: usize| format!("Ông Nguyễn Phú Trọng gặp bà Lê Thị {i} tại Hà Nội. ");
        let old_s: String = (0..1500).map(unit).collect();
        let old = Text::new(old_s.clone());
        let spans: Vec<Span> = (0..1500)
            .map(|i| span_on(i as u64 + 1, &old, "Nguyễn Phú Trọng", i, "PER"))
            .collect();
        let new_s = (0..1500)
            .map(|i| match i {
                10 => format!("{}Câu mới. ", unit(i)),
                700 => unit(i).replace("Nguyễn Phú Trọng", "Tô Lâm"),
                _ => unit(i),
            })
            .collect::<String>()
            .replace("Nội. ", "Nội.\n");
        let new = Text::new(new_s);
        let r = reanchor_by_diff(&spans, &old, &new, Options::default());
        assert_sound(&spans, &r, &new);
        assert_eq!(r.orphans.iter().map(|s| s.id.0).collect::<Vec<_>>(), [701]);
        let inserted = "Câu mới. ".chars().count() as i64;
        let shortened = "Nguyễn Phú Trọng".chars().count() as i64 - "Tô Lâm".chars().count() as i64;
        for s in spans.iter().filter(|s| s.id.0 != 701) {
            let p = by_id(&r, s.id.0);
            let shift = i64::from(s.id.0 > 11) * inserted - i64::from(s.id.0 > 701) * shortened;
            let want = |c: usize| (c as i64 + shift) as usize;
            assert_eq!((p.start, p.end), (want(s.start), want(s.end)), "{}", s.id);
        }
        assert!(r.searched.is_empty());
    }

    /// Not a test: the figure in docs/RELIABILITY.md. Run by hand:
    /// `cargo test --release --lib reanchor::tests::measure -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement, run by hand in a release build"]
    fn measure_a_reflowed_5_mb_article() {
        let unit = |i: usize| {
            format!(
                "Tổng Bí thư Nguyễn Phú Trọng gặp ông Lê Văn {i} tại Hà Nội ngày {} tháng {}. ",
                i % 28 + 1,
                i % 12 + 1
            )
        };
        let old_s: String = (0..60_000).map(unit).collect();
        let old = Text::new(old_s.clone());
        let spans: Vec<Span> = (0..20_000)
            .map(|i| span_on(i as u64 + 1, &old, "Nguyễn Phú Trọng", 3 * i, "PER"))
            .collect();
        let reflowed = old_s.replace(". ", ".\n");
        let edited: String = reflowed
            .split_inclusive('\n')
            .enumerate()
            .map(|(i, l)| {
                if i % 1200 == 600 {
                    l.replace("Hà Nội", "Huế")
                } else {
                    l.to_string()
                }
            })
            .collect();
        let reversed: String = (0..60_000).rev().map(unit).collect();
        let cases = [
            ("reflowed", reflowed),
            ("reflowed, 50 edits", edited),
            ("sentences reversed", reversed),
        ];
        eprintln!("{} MB, {} spans", old_s.len() as f64 / 1e6, spans.len());
        for (name, new_s) in cases {
            let new = Text::new(new_s);
            let t = std::time::Instant::now();
            let r = reanchor_by_diff(&spans, &old, &new, Options::default());
            let took = t.elapsed();
            assert_sound(&spans, &r, &new);
            eprintln!(
                "{name}: {took:?}, {} placed, {} orphans, {} searched",
                r.placed.len(),
                r.orphans.len(),
                r.searched.len()
            );
        }
    }

    #[test]
    fn by_diff_unchanged_text_changes_nothing() {
        let t = Text::new(OLD);
        let spans = vec![
            span_on(1, &t, "Nguyễn Phú Trọng", 0, "PER"),
            span_on(2, &t, "Hà Nội", 0, "LOC"),
        ];
        let r = reanchor_by_diff(&spans, &t, &t, Options::default());
        assert!(r.is_unchanged());
        assert_eq!(r.placed, spans);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any edit: every span is placed or orphaned once, placed spans
        /// match the text, and a span the edit did not touch is carried
        /// exactly by the edit's shift.
        #[test]
        fn by_diff_untouched_spans_shift_with_the_edit(
            old_s in arb_text(),
            raw in prop::collection::vec((0usize..1000, 0usize..6), 0..12),
            at in 0usize..100,
            del in 0usize..10,
            ins in arb_text(),
        ) {
            let old = Text::new(old_s.clone());
            // A sidecar's spans nest but never cross (nor share an extent).
            let mut spans: Vec<Span> = Vec::new();
            for s in spans_for(&old, &raw) {
                if spans.iter().all(|o| {
                    !crate::span::crosses(o.range(), s.range()) && o.range() != s.range()
                }) {
                    spans.push(s);
                }
            }
            let new_s = edit(&old_s, at, del, &ins);
            let new = Text::new(new_s.clone());
            let r = reanchor_by_diff(&spans, &old, &new, Options::default());
            assert_sound(&spans, &r, &new);
            // The edit in chars: [a, a + d) replaced by i chars.
            let n_old = old_s.chars().count();
            let a = old_s.chars().zip(new_s.chars()).take_while(|(x, y)| x == y).count();
            let suffix = old_s.chars().rev().zip(new_s.chars().rev())
                .take_while(|(x, y)| x == y).count().min(n_old.min(new_s.chars().count()) - a); // never overlapping the common start
            let d = n_old - a - suffix;
            let shift = new_s.chars().count() as i64 - n_old as i64;
            for s in &spans {
                let (ns, ne) = if s.end <= a {
                    (s.start, s.end)
                } else if s.start >= n_old - suffix {
                    ((s.start as i64 + shift) as usize, (s.end as i64 + shift) as usize)
                } else {
                    continue; // touched by the edit
                };
                if new.is_grapheme_boundary(ns) && new.is_grapheme_boundary(ne) {
                    let p = r.placed.iter().find(|p| p.id == s.id);
                    prop_assert_eq!(p.map(|p| (p.start, p.end)), Some((ns, ne)), "span {} {:?}", s.id, s.text);
                }
            }
            let _ = d;
        }

        #[test]
        fn placed_spans_match_the_text_and_none_is_lost(
            old_s in arb_text(),
            raw in prop::collection::vec((0usize..1000, 0usize..6), 0..12),
            at in 0usize..100,
            del in 0usize..10,
            ins in arb_text(),
        ) {
            let old = Text::new(old_s.clone());
            let spans = spans_for(&old, &raw);
            let new = Text::new(edit(&old_s, at, del, &ins));
            let r = reanchor(&spans, &new);
            assert_sound(&spans, &r, &new);
        }

        #[test]
        fn crossing_queries_agree_with_brute_force(
            tries in prop::collection::vec((0usize..60, 1usize..20), 1..40),
            queries in prop::collection::vec((0usize..60, 1usize..20), 1..20),
        ) {
            let mut placer = Placer::new(Options::default());
            let mut placed: Vec<(usize, usize)> = Vec::new();
            for (i, &(a, len)) in tries.iter().enumerate() {
                let ok = placer.try_place(a, a + len, (i, i));
                let crosses = placed.iter().any(|&(s, e)| crate::span::crosses(s..e, a..a + len));
                let same = placed.contains(&(a, a + len));
                prop_assert_eq!(ok, !crosses && !same);
                if ok {
                    placed.push((a, a + len));
                }
            }
            for &(a, len) in &queries {
                let brute = placed.iter().any(|&(s, e)| crate::span::crosses(s..e, a..a + len));
                prop_assert_eq!(placer.crosses_any(a, a + len), brute);
            }
        }

        #[test]
        fn unique_texts_follow_an_edit_elsewhere_exactly(
            old_s in arb_text(),
            raw in prop::collection::vec((0usize..1000, 0usize..6), 0..12),
            at in 0usize..100,
            ins in "[0-9]{1,12}",
        ) {
            // Insert digits (which no span contains) at a point outside every
            // span; then every span whose text occurs once in the new text
            // must land exactly at its old place shifted by the insertion.
            let old = Text::new(old_s.clone());
            let spans = spans_for(&old, &raw);
            let a = old.floor_grapheme(at.min(old.len_chars()));
            prop_assume!(spans.iter().all(|s| a <= s.start || s.end <= a));
            // Non-crossing input only: crossing inputs must lose one of a pair.
            for (i, x) in spans.iter().enumerate() {
                for y in &spans[i + 1..] {
                    prop_assume!(!crate::span::crosses(x.range(), y.range()));
                }
            }
            let new_s = edit(&old_s, a, 0, &ins);
            let new = Text::new(new_s.clone());
            let r = reanchor(&spans, &new);
            assert_sound(&spans, &r, &new);
            let shift = ins.chars().count();
            for s in &spans {
                let count = new_s.match_indices(s.text.as_str()).count();
                let overlapping = (0..new_s.len())
                    .filter(|&b| new_s.is_char_boundary(b) && new_s[b..].starts_with(s.text.as_str()))
                    .count();
                if count == 1 && overlapping == 1 {
                    let p = r.placed.iter().find(|p| p.id == s.id);
                    let p = p.expect("a span with a unique text is placed");
                    let want = if s.start >= a { s.start + shift } else { s.start };
                    prop_assert_eq!(p.start, want);
                }
            }
        }
    }
}
