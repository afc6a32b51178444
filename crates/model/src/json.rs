//! JSON strings written by hand, byte for byte as serde_json writes them:
//! the sidecar writer and the JSON-lines exports use it for speed, and their
//! output must not change by a byte between the two ways of writing.

/// Appends `s` as a JSON string: only `"`, `\\` and control characters
/// escaped (`\n`, `\r`, `\t`, `\b`, `\f` by name, the others as `\u00XX`),
/// everything else (Vietnamese included) as UTF-8.
pub fn push_str(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut from = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes a step while none of them needs escaping, as in most
        // text: a whole article's text is written this way.
        if let Some(w) = bytes.get(i..i + 8)
            && !may_need_escape(u64::from_le_bytes(w.try_into().expect("8 bytes")))
        {
            i += 8;
            continue;
        }
        let b = bytes[i];
        i += 1;
        if needs_escape(b) {
            out.extend_from_slice(&bytes[from..i - 1]);
            out.extend_from_slice(escape(b).as_slice());
            from = i;
        }
    }
    out.extend_from_slice(&bytes[from..]);
    out.push(b'"');
}

/// Whether a JSON string escapes this byte: a quote, a backslash or a
/// control character.
pub fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// False only when no byte of `w` [`needs_escape`] (it may be true when
/// none does; the caller then looks at each byte).
fn may_need_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `v` is zero, or below n: the borrow of the subtraction
    // reaches its top bit, which was clear.
    let below = |v: u64, n: u64| v.wrapping_sub(ONES * n) & !v & HIGH;
    below(w, 0x20) | below(w ^ (ONES * 0x22), 1) | below(w ^ (ONES * 0x5c), 1) != 0
}

/// How a JSON string writes a byte that [`needs_escape`], as serde_json
/// does: `\n`, `\r`, `\t`, `\b`, `\f`, `\"` and `\\` by name, the
/// others as `\u00XX`.
pub fn escape(b: u8) -> Escape {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = |c: u8| Escape {
        bytes: [b'\\', c, 0, 0, 0, 0],
        len: 2,
    };
    match b {
        b'"' => short(b'"'),
        b'\\' => short(b'\\'),
        b'\n' => short(b'n'),
        b'\r' => short(b'r'),
        b'\t' => short(b't'),
        0x08 => short(b'b'),
        0x0c => short(b'f'),
        _ => Escape {
            bytes: [
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ],
            len: 6,
        },
    }
}

/// An escaped byte, at most six bytes long.
pub struct Escape {
    bytes: [u8; 6],
    len: usize,
}

impl Escape {
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn the_same_bytes_as_serde_json(s in "[\\x00-\\x7f\"\\\\ễ😀\u{2028}\u{7f}\u{85}]{0,30}|\\PC{0,20}") {
            let mut mine = Vec::new();
            super::push_str(&mut mine, &s);
            proptest::prop_assert_eq!(mine, serde_json::to_vec(&s).unwrap());
        }

        #[test]
        fn no_byte_to_escape_is_skipped_eight_at_a_time(w in proptest::prelude::any::<[u8; 8]>()) {
            let any = w.iter().any(|&b| super::needs_escape(b));
            proptest::prop_assert!(!any || super::may_need_escape(u64::from_le_bytes(w)));
        }
    }
}
