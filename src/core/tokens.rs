//! Tokens are UAX #29 word segments that are not whitespace: words and single
//! punctuation marks. They are what the cursor and selections step over.

use super::text::Text;
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, Default)]
pub struct Tokens {
    /// Char ranges, sorted and disjoint.
    ranges: Vec<(u32, u32)>,
}

impl Tokens {
    pub fn new(text: &Text) -> Self {
        let mut ranges = Vec::new();
        let mut c = 0u32;
        for seg in text.as_str().split_word_bounds() {
            let n = seg.chars().count() as u32;
            if !seg.chars().all(char::is_whitespace) {
                ranges.push((c, c + n));
            }
            c += n;
        }
        Tokens { ranges }
    }

    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn get(&self, i: usize) -> Range<usize> {
        let (s, e) = self.ranges[i];
        s as usize..e as usize
    }

    pub fn iter(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.ranges.iter().map(|&(s, e)| s as usize..e as usize)
    }

    /// Index of the first token whose end is after `c`: the token holding
    /// `c`, or the next one if `c` is in whitespace.
    pub fn at_or_after(&self, c: usize) -> Option<usize> {
        let i = self.ranges.partition_point(|&(_, e)| e as usize <= c);
        (i < self.ranges.len()).then_some(i)
    }

    /// Index of the token holding `c`, if `c` is inside one.
    pub fn containing(&self, c: usize) -> Option<usize> {
        self.at_or_after(c)
            .filter(|&i| self.ranges[i].0 as usize <= c)
    }

    /// Index of the last token starting before `c`.
    pub fn before(&self, c: usize) -> Option<usize> {
        self.ranges
            .partition_point(|&(s, _)| (s as usize) < c)
            .checked_sub(1)
    }

    /// Tokens overlapping `[start, end)`.
    pub fn overlapping(&self, start: usize, end: usize) -> Range<usize> {
        let lo = self.ranges.partition_point(|&(_, e)| e as usize <= start);
        let hi = self.ranges.partition_point(|&(s, _)| (s as usize) < end);
        lo..hi.max(lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        let t = Text::new(s);
        Tokens::new(&t)
            .iter()
            .map(|r| t.slice(r.start, r.end).to_string())
            .collect()
    }

    #[test]
    fn vietnamese_words_and_punctuation() {
        assert_eq!(
            words("Nghị quyết số 34-NQ/TW, “Đảng”."),
            [
                "Nghị", "quyết", "số", "34", "-", "NQ", "/", "TW", ",", "“", "Đảng", "”", "."
            ]
        );
    }

    #[test]
    fn nbsp_and_newlines_are_never_tokens() {
        assert_eq!(words("Hà\u{a0}Nội\r\n\nx"), ["Hà", "Nội", "x"]);
    }

    #[test]
    fn nfd_word_is_one_token() {
        let s = "Nguye\u{302}\u{303}n Phu\u{301}";
        assert_eq!(words(s), ["Nguye\u{302}\u{303}n", "Phu\u{301}"]);
    }

    #[test]
    fn lookups() {
        let t = Text::new("ab  cd e");
        let k = Tokens::new(&t);
        assert_eq!(k.at_or_after(2), Some(1));
        assert_eq!(k.containing(2), None);
        assert_eq!(k.containing(5), Some(1));
        assert_eq!(k.before(4), Some(0));
        assert_eq!(k.before(0), None);
        assert_eq!(k.overlapping(1, 5), 0..2);
    }
}
