//! Counting chars in UTF-8 bytes without decoding them: a char starts at
//! every byte that is not a continuation byte (`0b10xx_xxxx`). The text
//! model and the exporters both walk bytes this way, eight at a time.

/// Bit 7 of each of the eight bytes of a little-endian word.
pub const HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether `b` starts a char (is not a continuation byte).
#[inline]
pub fn is_char_start(b: u8) -> bool {
    (b as i8) >= -64
}

/// Bit 7 of each byte of `w` (eight bytes, little-endian) that starts a char.
#[inline]
pub fn char_starts(w: u64) -> u64 {
    // Bit 7 set and bit 6 clear: a continuation byte.
    !(w & !(w << 1)) & HIGH
}

/// How many chars start in `bytes`.
pub fn count_chars(bytes: &[u8]) -> usize {
    let mut words = bytes.chunks_exact(8);
    let mut n = 0;
    for w in &mut words {
        let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
        n += char_starts(w).count_ones() as usize;
    }
    n + words
        .remainder()
        .iter()
        .filter(|&&b| is_char_start(b))
        .count()
}

/// Byte offset of the `n`-th char start at or after byte `b` (itself a char
/// start), counting `b` as the 0th; the length of `bytes` if there are fewer.
#[inline]
pub fn skip_chars(bytes: &[u8], mut b: usize, mut n: usize) -> usize {
    while n >= 8 && b + 8 <= bytes.len() {
        let w = u64::from_le_bytes(bytes[b..b + 8].try_into().expect("8 bytes"));
        let starts = char_starts(w).count_ones() as usize;
        if starts > n {
            break;
        }
        n -= starts;
        b += 8;
    }
    while b < bytes.len() {
        if is_char_start(bytes[b]) {
            if n == 0 {
                return b;
            }
            n -= 1;
        }
        b += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn counts_and_skips_agree_with_std(s in "\\PC{0,40}", n in 0usize..50) {
            let b = s.as_bytes();
            proptest::prop_assert_eq!(count_chars(b), s.chars().count());
            let want = s.char_indices().nth(n).map_or(b.len(), |(i, _)| i);
            proptest::prop_assert_eq!(skip_chars(b, 0, n), want);
        }
    }
}
