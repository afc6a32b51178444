//! What the command line prints of user data (annotator names, labels,
//! article text, file names) must not drive the terminal: an ESC sequence
//! in a label could recolour, move the cursor or retitle the window. Every
//! control character is shown escaped instead, the way Rust writes it.

use std::borrow::Cow;

/// Characters that change what a terminal shows without being shown: the
/// C0 and C1 controls, DEL, and the bidirectional overrides that make text
/// read differently from what it holds.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape_with(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_here = |c: char| is_unsafe(c) && !(keep_newlines && c == '\n');
    if !s.chars().any(unsafe_here) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !unsafe_here(c) {
            out.push(c);
            continue;
        }
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// One line of output: every control character escaped, newlines too.
pub fn line(s: &str) -> Cow<'_, str> {
    escape_with(s, false)
}

/// A message of several lines: control characters escaped, newlines kept.
pub fn lines(s: &str) -> Cow<'_, str> {
    escape_with(s, true)
}

/// A command as a shell would read it back: each word with its control
/// characters escaped, and quoted when it holds a space or a character the
/// shell treats specially, so that what is shown is all that runs (a word
/// such as `"\r\u{1b}[2K..."` cannot overwrite the rest of the line).
pub fn command(words: &[String]) -> String {
    let plain = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_alphanumeric() || "-_./=:,+@%".contains(c))
    };
    let shown: Vec<String> = words
        .iter()
        .map(|w| {
            let w = line(w);
            if plain(&w) {
                w.into_owned()
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        })
        .collect();
    shown.join(" ")
}

/// `1 article`, `2 articles`.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_is_shown_whole_and_quoted() {
        let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(command(&w(&["python3", "ok.py"])), "python3 ok.py");
        assert_eq!(
            command(&w(&["sh", "-c", "touch /tmp/x; exec x", "\r\u{1b}[2Kok"])),
            "sh -c 'touch /tmp/x; exec x' '\\r\\u{1b}[2Kok'"
        );
        assert_eq!(command(&w(&["it's"])), "'it'\\''s'");
    }

    #[test]
    fn controls_are_shown_not_obeyed() {
        assert_eq!(line("\x1b[31mRED\x07"), "\\u{1b}[31mRED\\u{7}");
        assert_eq!(line("a\tb\r\nc\u{9b}"), "a\\tb\\r\\nc\\u{9b}");
        assert_eq!(line("abc\u{202e}cba"), "abc\\u{202e}cba");
        assert_eq!(lines("one\n\x1b]0;title\x07"), "one\n\\u{1b}]0;title\\u{7}");
    }

    #[test]
    fn ordinary_text_is_untouched_and_not_copied() {
        let s = "Nguyễn Phú Trọng “Hà Nội” 😀";
        assert!(matches!(line(s), Cow::Borrowed(x) if x == s));
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1u32, "article", "articles"), "1 article");
        assert_eq!(count(0u32, "article", "articles"), "0 articles");
        assert_eq!(count(2u64, "problem", "problems"), "2 problems");
    }
}
