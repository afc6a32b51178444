//! A small markup for tests and examples: `[Nguyễn Phú Trọng]{PER} làm việc`.
//! Brackets nest; `\[` `\]` `\\` are literal.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    pub text: String,
    /// `(start, end, label)` in chars, sorted like a sidecar.
    pub spans: Vec<(usize, usize, String)>,
}

/// Why markup does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkupError {
    #[error("dangling \\")]
    DanglingEscape,
    #[error("] without [")]
    CloseWithoutOpen,
    #[error("] must be followed by {{LABEL}}")]
    NoLabel,
    #[error("unclosed [")]
    Unclosed,
}

pub fn parse(src: &str) -> Result<Marked, MarkupError> {
    let mut text = String::new();
    let mut n = 0;
    let mut open = Vec::new();
    let mut spans = Vec::new();
    let mut it = src.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => {
                let e = it.next().ok_or(MarkupError::DanglingEscape)?;
                text.push(e);
                n += 1;
            }
            '[' => open.push(n),
            ']' => {
                let start = open.pop().ok_or(MarkupError::CloseWithoutOpen)?;
                if it.next() != Some('{') {
                    return Err(MarkupError::NoLabel);
                }
                let label: String = it.by_ref().take_while(|&c| c != '}').collect();
                spans.push((start, n, label));
            }
            _ => {
                text.push(c);
                n += 1;
            }
        }
    }
    if !open.is_empty() {
        return Err(MarkupError::Unclosed);
    }
    spans.sort();
    Ok(Marked { text, spans })
}

/// The inverse of `parse`, for readable assertions.
pub fn render(text: &str, spans: &[(usize, usize, String)]) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    for i in 0..=chars.len() {
        // Closings at i: innermost (latest start) first.
        let mut closing: Vec<&(usize, usize, String)> = spans.iter().filter(|s| s.1 == i).collect();
        closing.sort_by_key(|s| std::cmp::Reverse(s.0));
        for s in closing {
            out.push_str(&format!("]{{{}}}", s.2));
        }
        let mut opening: Vec<&(usize, usize, String)> = spans.iter().filter(|s| s.0 == i).collect();
        opening.sort_by_key(|s| std::cmp::Reverse(s.1));
        for _ in opening {
            out.push('[');
        }
        if let Some(&c) = chars.get(i) {
            if matches!(c, '[' | ']' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_round_trip() {
        let src = "[Ủy ban nhân dân [Thành phố Hồ Chí Minh]{LOC}]{ORG} họp";
        let m = parse(src).unwrap();
        assert_eq!(m.text, "Ủy ban nhân dân Thành phố Hồ Chí Minh họp");
        assert_eq!(m.spans, [(0, 37, "ORG".into()), (16, 37, "LOC".into())]);
        assert_eq!(render(&m.text, &m.spans), src);
    }
}
