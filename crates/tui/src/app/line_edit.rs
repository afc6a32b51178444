//! A one-line text editor for prompts (a span's note, an attribute value):
//! the cursor moves and deletes by grapheme cluster, so an NFD `ễ` (`e` and
//! two combining marks) is one step and never split; nothing is normalised.

use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineEdit {
    text: String,
    /// Byte offset in `text`, always on a grapheme boundary.
    cursor: usize,
}

impl LineEdit {
    /// An editor holding `text`, the cursor at its end.
    pub fn new(text: &str) -> LineEdit {
        LineEdit {
            text: text.to_string(),
            cursor: text.len(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text before and after the cursor (for drawing it).
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.cursor)
    }

    /// Inserts typed or pasted text; line breaks and other control
    /// characters become spaces (the line stays one line).
    pub fn insert(&mut self, s: &str) {
        let clean: String = s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        self.text.insert_str(self.cursor, &clean);
        self.cursor += clean.len();
        // A combining mark typed after a letter joins its cluster: the
        // cursor stays after the whole cluster.
        self.cursor = self.boundary_at_or_after(self.cursor);
    }

    pub fn left(&mut self) {
        self.cursor = self.text[..self.cursor]
            .grapheme_indices(true)
            .next_back()
            .map_or(0, |(i, _)| i);
    }

    pub fn right(&mut self) {
        self.cursor += self.text[self.cursor..]
            .graphemes(true)
            .next()
            .map_or(0, str::len);
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.len();
    }

    /// Deletes the grapheme before the cursor.
    pub fn backspace(&mut self) {
        let to = self.cursor;
        self.left();
        self.text.replace_range(self.cursor..to, "");
    }

    /// Deletes the grapheme after the cursor.
    pub fn delete(&mut self) {
        let n = self.text[self.cursor..]
            .graphemes(true)
            .next()
            .map_or(0, str::len);
        self.text.replace_range(self.cursor..self.cursor + n, "");
    }

    fn boundary_at_or_after(&self, b: usize) -> usize {
        let mut at = 0;
        for g in self.text.graphemes(true) {
            if at >= b {
                return at;
            }
            at += g.len();
        }
        self.text.len()
    }

    /// Handles an editing key; false if the key is not one.
    pub fn key(&mut self, key: super::keys::Key) -> bool {
        use super::keys::Code;
        match key.code {
            Code::Left => self.left(),
            Code::Right => self.right(),
            Code::Home => self.home(),
            Code::End => self.end(),
            Code::Backspace => self.backspace(),
            Code::Delete => self.delete(),
            Code::Char('a') if key.mods.ctrl => self.home(),
            Code::Char('e') if key.mods.ctrl => self.end(),
            Code::Char('u') if key.mods.ctrl => {
                self.text.replace_range(..self.cursor, "");
                self.cursor = 0;
            }
            _ => match key.typed() {
                Some(c) => self.insert(c.encode_utf8(&mut [0; 4])),
                None => return false,
            },
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_clusters_are_one_step_and_stay_nfd() {
        // "Nguyễn" in NFD: e + circumflex + tilde.
        let mut e = LineEdit::new("Nguye\u{302}\u{303}n");
        e.left();
        e.left();
        assert_eq!(e.split(), ("Nguy", "e\u{302}\u{303}n"));
        e.backspace();
        assert_eq!(e.text(), "Ngue\u{302}\u{303}n");
        e.right();
        e.backspace();
        assert_eq!(e.text(), "Ngun");
    }

    #[test]
    fn combining_marks_typed_one_by_one_join_their_letter() {
        let mut e = LineEdit::default();
        for c in ["e", "\u{302}", "\u{303}"] {
            e.insert(c);
        }
        assert_eq!(e.text(), "e\u{302}\u{303}");
        e.left();
        assert_eq!(e.split().0, "");
    }

    #[test]
    fn pasted_line_breaks_become_spaces() {
        let mut e = LineEdit::new("a");
        e.home();
        e.insert("x\ny\r\n");
        assert_eq!(e.text(), "x y  a");
        assert_eq!(e.split().1, "a");
    }
}
