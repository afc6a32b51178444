//! Where a span may begin and end: never on whitespace (a mouse drag that
//! starts on a space, a character step past a word's end), and never
//! across a blank line, which would merge two paragraphs' sentences into
//! one in a CoNLL export (unless the schema allows it).

use super::text::Text;

/// `[start, end)` without whitespace at either edge; `None` when nothing
/// but whitespace is left. Edges stay on grapheme boundaries.
pub fn trim(text: &Text, start: usize, end: usize) -> Option<(usize, usize)> {
    let s = text.slice(start, end);
    let lead = s.chars().take_while(|c| c.is_whitespace()).count();
    if lead == s.chars().count() {
        return None;
    }
    let trail = s.chars().rev().take_while(|c| c.is_whitespace()).count();
    let (mut a, mut b) = (start + lead, end - trail);
    // A combining mark on a space belongs to the space's grapheme: keep
    // the edge on a boundary by giving the whole grapheme back.
    while a > start && !text.is_grapheme_boundary(a) {
        a -= 1;
    }
    while b < end && !text.is_grapheme_boundary(b) {
        b += 1;
    }
    Some((a, b))
}

/// Whether `[start, end)` holds a blank line: two line breaks with only
/// whitespace between them.
pub fn crosses_blank_line(text: &Text, start: usize, end: usize) -> bool {
    let mut breaks = 0;
    for c in text.slice(start, end).chars() {
        match c {
            '\n' => {
                breaks += 1;
                if breaks == 2 {
                    return true;
                }
            }
            c if c.is_whitespace() => {}
            _ => breaks = 0,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_leave_whitespace_out() {
        let t = Text::new(" Hà Nội \n");
        assert_eq!(trim(&t, 0, 9), Some((1, 7)));
        assert_eq!(trim(&t, 7, 9), None);
        assert_eq!(trim(&t, 1, 3), Some((1, 3)));
    }

    #[test]
    fn a_blank_line_is_two_breaks_with_only_spaces_between() {
        let t = Text::new("Một.\n\nTheo QĐND. Hai.\n \r\nBa.\nBốn");
        assert!(crosses_blank_line(&t, 0, 10));
        assert!(!crosses_blank_line(&t, 6, 16));
        assert!(crosses_blank_line(&t, 15, 25));
        let n = t.len_chars();
        assert!(!crosses_blank_line(&t, n - 7, n));
    }
}
