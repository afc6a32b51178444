//! JSON strings written by hand, byte for byte as serde_json writes them:
//! the sidecar writer and the JSON-lines exports use it for speed, and their
//! output must not change by a byte between the two ways of writing.

/// Appends `s` as a JSON string: only `"`, `\\` and control characters
/// escaped (`\n`, `\r`, `\t`, `\b`, `\f` by name, the others as `\u00XX`),
/// everything else (Vietnamese included) as UTF-8.
pub fn push_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[from..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 15)]);
        } else {
            out.extend_from_slice(esc);
        }
        from = i + 1;
    }
    out.extend_from_slice(&bytes[from..]);
    out.push(b'"');
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
    }
}
