//! What an article file that nhan cannot use probably is, and how to fix it.
//!
//! nhan reads articles as UTF-8 only (the offsets contract depends on it), so
//! for anything else it says what the file probably is and names a command
//! that converts it. The guesses are heuristics and the messages say so:
//!
//! - **UTF-16/UTF-32**: a byte-order mark, or NUL bytes in every other
//!   position (ASCII text in UTF-16).
//! - **Binary**: a known file signature (PDF, ZIP/DOCX, …), NUL bytes, or
//!   many control bytes.
//! - **Damaged UTF-8**: mostly valid multi-byte UTF-8 with a few bad bytes.
//! - **Vietnamese legacy encodings** (Windows-1258, TCVN3/ABC, VNI): the
//!   bytes are decoded with each table and the decoding whose words are most
//!   often well-formed Vietnamese syllables wins (mis-decoded text gives
//!   words like `Vieät`, `ViÖt`, `Viờũt`, which are not syllables).
//! - **Latin-1 / Windows-1252** when nothing else fits.
//!
//! [`problem_for_text`] covers files that are valid UTF-8 but still odd:
//! empty, blank, NUL bytes, U+FFFD replacement characters.

use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// What the bytes probably are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Valid UTF-8: nothing to convert.
    Utf8,
    /// Mostly UTF-8 with some invalid bytes: damaged, or mixed encodings.
    DamagedUtf8 {
        /// Byte offset of the first invalid byte.
        first_bad: usize,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// How many invalid sequences there are.
        bad: usize,
    },
    Utf16 {
        big_endian: bool,
    },
    Utf32 {
        big_endian: bool,
    },
    /// Not text; `what` names the format when a signature is recognised.
    Binary {
        what: Option<&'static str>,
    },
    Windows1258,
    /// TCVN 5712 (VN3, the "ABC" .Vn fonts).
    Tcvn3,
    /// VNI Windows (the "VNI-Times" fonts).
    Vni,
    /// Latin-1 / Windows-1252: the fallback for any other 8-bit text.
    Latin1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Diagnosis {
    pub kind: Kind,
}

impl Diagnosis {
    /// The `iconv -f` name that converts this encoding, when iconv can.
    pub fn iconv_name(&self) -> Option<&'static str> {
        match self.kind {
            Kind::Utf16 { big_endian: false } => Some("UTF-16LE"),
            Kind::Utf16 { big_endian: true } => Some("UTF-16BE"),
            Kind::Utf32 { big_endian: false } => Some("UTF-32LE"),
            Kind::Utf32 { big_endian: true } => Some("UTF-32BE"),
            Kind::Windows1258 => Some("WINDOWS-1258"),
            Kind::Tcvn3 => Some("TCVN"),
            Kind::Latin1 => Some("WINDOWS-1252"),
            Kind::Utf8 | Kind::DamagedUtf8 { .. } | Kind::Binary { .. } | Kind::Vni => None,
        }
    }

    /// One line naming the file, what it probably is and how to fix it,
    /// with `file` (as the user should type it) in the suggested command.
    /// The command is the whole fix: it converts into a temporary file and
    /// then replaces the original with it (a converted copy left next to
    /// the original would leave the article as broken as before, and in
    /// `articles/` a `.txt` copy would be a second article).
    pub fn message(&self, file: &str) -> String {
        format!("{file}: {}", self.problem(file))
    }

    fn problem(&self, file: &str) -> String {
        let q = shell_quote(file);
        let out = shell_quote(&converted_name(file));
        let replace = format!("mv {out} {q}");
        let iconv = |from: &str| format!("iconv -f {from} -t UTF-8 {q} > {out} && {replace}");
        match self.kind {
            Kind::Utf8 => "valid UTF-8".into(),
            Kind::DamagedUtf8 {
                first_bad,
                line,
                bad,
            } => format!(
                "mostly UTF-8, but {bad} byte sequence{} not (the first at byte {first_bad}, line {line}): \
                 the file is probably damaged or mixes encodings; fix those bytes, or drop them with \
                 `iconv -f UTF-8 -t UTF-8 -c {q} > {out} && {replace}` (the bad bytes are lost)",
                if bad == 1 { " is" } else { "s are" }
            ),
            Kind::Utf16 { big_endian } | Kind::Utf32 { big_endian } => {
                let name = self.iconv_name().unwrap_or("UTF-16");
                let which = if matches!(self.kind, Kind::Utf16 { .. }) {
                    "UTF-16"
                } else {
                    "UTF-32"
                };
                let order = if big_endian {
                    "big-endian"
                } else {
                    "little-endian"
                };
                format!(
                    "probably {which} ({order}), not UTF-8; convert it: `{}`",
                    iconv(name)
                )
            }
            Kind::Binary { what: Some(what) } => format!(
                "not a text file: it looks like {what}; save or export it as plain text (UTF-8) \
                 and put that in its place"
            ),
            Kind::Binary { what: None } => format!(
                "probably not a text file (it has NUL or control bytes); \
                 put only plain-text articles (UTF-8 .txt) in articles/: move it out (`mv {q} ..`)"
            ),
            Kind::Windows1258 => format!(
                "not UTF-8: probably Vietnamese in Windows-1258; convert it: `{}`",
                iconv("WINDOWS-1258")
            ),
            Kind::Tcvn3 => format!(
                "not UTF-8: probably Vietnamese in TCVN3 (ABC); convert it: `{}`",
                iconv("TCVN")
            ),
            Kind::Vni => format!(
                "not UTF-8: probably Vietnamese in VNI (VNI-Times); iconv cannot convert VNI: use a \
                 converter such as `vietnamese-converter` or UniKey's \"Convert\" tool (VNI Windows → \
                 Unicode), save the result as UTF-8 to {out}, then replace the original: `{replace}`"
            ),
            Kind::Latin1 => format!(
                "not UTF-8: probably Latin-1/Windows-1252 (no Vietnamese legacy encoding fits); \
                 convert it: `{}`",
                iconv("WINDOWS-1252")
            ),
        }
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem("in.txt"))
    }
}

/// Where the conversion goes before it replaces the original: not a
/// `.txt` name, so that it is never listed as an article meanwhile.
fn converted_name(file: &str) -> String {
    format!("{file}.utf8")
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || "-_./+@%:,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// At most this much of a big file is looked at.
const SAMPLE: usize = 1 << 20;

/// What `bytes` (a whole article file) probably is.
pub fn diagnose(bytes: &[u8]) -> Diagnosis {
    let kind = |kind| Diagnosis { kind };
    // Byte-order marks, longest first (the UTF-32LE one starts like UTF-16LE's).
    if bytes.starts_with(b"\xFF\xFE\x00\x00") {
        return kind(Kind::Utf32 { big_endian: false });
    }
    if bytes.starts_with(b"\x00\x00\xFE\xFF") {
        return kind(Kind::Utf32 { big_endian: true });
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return kind(Kind::Utf16 { big_endian: false });
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return kind(Kind::Utf16 { big_endian: true });
    }
    if let Some(what) = signature(bytes) {
        return kind(Kind::Binary { what: Some(what) });
    }
    let sample = &bytes[..bytes.len().min(SAMPLE)];
    if let Some(big_endian) = utf16_without_bom(sample) {
        return kind(Kind::Utf16 { big_endian });
    }
    let controls = sample
        .iter()
        .filter(|&&b| matches!(b, 0x00..=0x08 | 0x0E..=0x1A | 0x1C..=0x1F | 0x7F))
        .count();
    if sample.contains(&0) || controls * 20 > sample.len() {
        return kind(Kind::Binary { what: None });
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(k) = utf8_state(body, bytes.len() - body.len()) {
        return kind(k);
    }
    kind(guess_8bit(sample))
}

/// Signatures of common non-text files someone may drop into articles/.
fn signature(b: &[u8]) -> Option<&'static str> {
    const SIGS: &[(&[u8], &str)] = &[
        (b"%PDF", "a PDF document"),
        (
            b"PK\x03\x04",
            "a ZIP archive (a .docx/.odt document is one)",
        ),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "an old Microsoft Office document (.doc)",
        ),
        (b"{\\rtf", "an RTF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"\x7FELF", "a program (ELF)"),
    ];
    SIGS.iter().find(|(s, _)| b.starts_with(s)).map(|&(_, w)| w)
}

/// `Some(big_endian)` when NULs sit in every other byte, as in UTF-16 text
/// that is mostly ASCII.
fn utf16_without_bom(sample: &[u8]) -> Option<bool> {
    let s = &sample[..sample.len().min(8192) & !1];
    let pairs = s.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zeros = |parity: usize| {
        s.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    if odd * 10 >= pairs * 3 && even * 20 <= pairs {
        Some(false)
    } else if even * 10 >= pairs * 3 && odd * 20 <= pairs {
        Some(true)
    } else {
        None
    }
}

/// `Some(Utf8)` for valid UTF-8, `Some(DamagedUtf8)` for mostly-UTF-8, `None`
/// for something else. `offset` is added to byte positions (a skipped BOM).
fn utf8_state(body: &[u8], offset: usize) -> Option<Kind> {
    let mut rest = body;
    let mut pos = 0;
    let (mut multibyte, mut bad) = (0usize, 0usize);
    let mut first_bad = None;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                multibyte += s.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(e) => {
                let ok = e.valid_up_to();
                // Safe: the prefix was just validated.
                multibyte += std::str::from_utf8(&rest[..ok])
                    .map(|s| s.chars().filter(|c| !c.is_ascii()).count())
                    .unwrap_or(0);
                bad += 1;
                first_bad.get_or_insert(pos + ok);
                let skip = ok + e.error_len().unwrap_or(rest.len() - ok);
                pos += skip;
                rest = &rest[skip..];
            }
        }
    }
    match first_bad {
        None => Some(Kind::Utf8),
        Some(at) if multibyte >= 4 * bad && multibyte >= 3 => Some(Kind::DamagedUtf8 {
            first_bad: at + offset,
            line: 1 + body[..at].iter().filter(|&&b| b == b'\n').count(),
            bad,
        }),
        Some(_) => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Legacy {
    Windows1258,
    Tcvn3,
    Vni,
}

/// Picks the Vietnamese encoding whose decoding reads best, or Latin-1.
fn guess_8bit(sample: &[u8]) -> Kind {
    let mut best: Option<(Legacy, Score)> = None;
    for enc in [Legacy::Windows1258, Legacy::Tcvn3, Legacy::Vni] {
        let s = score(&decode(sample, enc));
        if best.is_none_or(|(_, b)| s.net() > b.net()) {
            best = Some((enc, s));
        }
    }
    match best {
        Some((enc, s)) if s.good >= 1 && s.good >= 2 * s.bad => match enc {
            Legacy::Windows1258 => Kind::Windows1258,
            Legacy::Tcvn3 => Kind::Tcvn3,
            Legacy::Vni => Kind::Vni,
        },
        _ => Kind::Latin1,
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Score {
    /// Words with non-ASCII letters that are well-formed Vietnamese syllables.
    good: usize,
    /// Such words that are not, plus stray symbols, marks and controls.
    bad: usize,
}

impl Score {
    fn net(&self) -> i64 {
        self.good as i64 - self.bad as i64
    }
}

fn decode(bytes: &[u8], enc: Legacy) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 4);
    for (i, &b) in bytes.iter().enumerate() {
        if b < 0x80 {
            out.push(b as char);
            continue;
        }
        match enc {
            Legacy::Windows1258 => out.push(cp1258(b)),
            Legacy::Tcvn3 => {
                out.push(char::from_u32(TCVN[(b - 0x80) as usize] as u32).unwrap_or('\u{FFFD}'))
            }
            Legacy::Vni => {
                let after_letter = i > 0 && bytes[i - 1].is_ascii_alphabetic()
                    || out.chars().last().is_some_and(|c| "ơưƠƯ".contains(c));
                match vni(b) {
                    Vni::Letter(c) => out.push(c),
                    Vni::Marks(m) if after_letter => out.push_str(m),
                    _ => out.push(b as char),
                }
            }
        }
    }
    out
}

fn cp1258(b: u8) -> char {
    const LOW: [u16; 32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0xFFFD,
        0x2039, 0x0152, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0xFFFD, 0x203A, 0x0153, 0xFFFD, 0xFFFD, 0x0178,
    ];
    let u = match b {
        0x80..=0x9F => LOW[(b - 0x80) as usize] as u32,
        0xC3 => 0x0102,
        0xCC => 0x0300,
        0xD0 => 0x0110,
        0xD2 => 0x0309,
        0xD5 => 0x01A0,
        0xDD => 0x01AF,
        0xDE => 0x0303,
        0xE3 => 0x0103,
        0xEC => 0x0301,
        0xF0 => 0x0111,
        0xF2 => 0x0323,
        0xF5 => 0x01A1,
        0xFD => 0x01B0,
        0xFE => 0x20AB,
        _ => b as u32,
    };
    char::from_u32(u).unwrap_or('\u{FFFD}')
}

/// TCVN 5712 bytes 0x80–0xFF, as glibc's iconv `TCVN` decodes them (VN3 text
/// uses the 0xA1–0xFF part).
const TCVN: [u16; 128] = [
    0x00C0, 0x1EA2, 0x00C3, 0x00C1, 0x1EA0, 0x1EB6, 0x1EAC, 0x00C8, 0x1EBA, 0x1EBC, 0x00C9, 0x1EB8,
    0x1EC6, 0x00CC, 0x1EC8, 0x0128, 0x00CD, 0x1ECA, 0x00D2, 0x1ECE, 0x00D5, 0x00D3, 0x1ECC, 0x1ED8,
    0x1EDC, 0x1EDE, 0x1EE0, 0x1EDA, 0x1EE2, 0x00D9, 0x1EE6, 0x0168, 0x00A0, 0x0102, 0x00C2, 0x00CA,
    0x00D4, 0x01A0, 0x01AF, 0x0110, 0x0103, 0x00E2, 0x00EA, 0x00F4, 0x01A1, 0x01B0, 0x0111, 0x1EB0,
    0x0300, 0x0309, 0x0303, 0x0301, 0x0323, 0x00E0, 0x1EA3, 0x00E3, 0x00E1, 0x1EA1, 0x1EB2, 0x1EB1,
    0x1EB3, 0x1EB5, 0x1EAF, 0x1EB4, 0x1EAE, 0x1EA6, 0x1EA8, 0x1EAA, 0x1EA4, 0x1EC0, 0x1EB7, 0x1EA7,
    0x1EA9, 0x1EAB, 0x1EA5, 0x1EAD, 0x00E8, 0x1EC2, 0x1EBB, 0x1EBD, 0x00E9, 0x1EB9, 0x1EC1, 0x1EC3,
    0x1EC5, 0x1EBF, 0x1EC7, 0x00EC, 0x1EC9, 0x1EC4, 0x1EBE, 0x1ED2, 0x0129, 0x00ED, 0x1ECB, 0x00F2,
    0x1ED4, 0x1ECF, 0x00F5, 0x00F3, 0x1ECD, 0x1ED3, 0x1ED5, 0x1ED7, 0x1ED1, 0x1ED9, 0x1EDD, 0x1EDF,
    0x1EE1, 0x1EDB, 0x1EE3, 0x00F9, 0x1ED6, 0x1EE7, 0x0169, 0x00FA, 0x1EE5, 0x1EEB, 0x1EED, 0x1EEF,
    0x1EE9, 0x1EF1, 0x1EF3, 0x1EF7, 0x1EF9, 0x00FD, 0x1EF5, 0x1ED0,
];

enum Vni {
    Letter(char),
    Marks(&'static str),
    Other,
}

/// VNI Windows: a vowel is an ASCII letter followed by a byte that adds its
/// marks (`Vieät` = `Việt`); `i`-vowels, `ơ`, `ư` and `đ` are single bytes.
fn vni(b: u8) -> Vni {
    // Upper-case letters use the same byte minus 0x20.
    let (lower, upper) = (b | 0x20, b & 0x20 == 0);
    let letter = |l: char, u: char| Vni::Letter(if upper { u } else { l });
    match lower {
        0xF4 => letter('ơ', 'Ơ'),
        0xF6 => letter('ư', 'Ư'),
        0xF1 => letter('đ', 'Đ'),
        0xED => letter('í', 'Í'),
        0xEC => letter('ì', 'Ì'),
        0xE6 => letter('ỉ', 'Ỉ'),
        0xF3 => letter('ĩ', 'Ĩ'),
        0xF2 => letter('ị', 'Ị'),
        0xF9 => Vni::Marks("\u{301}"),
        0xF8 => Vni::Marks("\u{300}"),
        0xFB => Vni::Marks("\u{309}"),
        0xF5 => Vni::Marks("\u{303}"),
        0xEF => Vni::Marks("\u{323}"),
        0xE2 => Vni::Marks("\u{302}"),
        0xE1 => Vni::Marks("\u{302}\u{301}"),
        0xE0 => Vni::Marks("\u{302}\u{300}"),
        0xE5 => Vni::Marks("\u{302}\u{309}"),
        0xE3 => Vni::Marks("\u{302}\u{303}"),
        0xE4 => Vni::Marks("\u{302}\u{323}"),
        0xEA => Vni::Marks("\u{306}"),
        0xE9 => Vni::Marks("\u{306}\u{301}"),
        0xE8 => Vni::Marks("\u{306}\u{300}"),
        0xFA => Vni::Marks("\u{306}\u{309}"),
        0xFC => Vni::Marks("\u{306}\u{303}"),
        0xEB => Vni::Marks("\u{306}\u{323}"),
        _ => Vni::Other,
    }
}

fn score(text: &str) -> Score {
    let mut sc = Score::default();
    let text: String = text.nfc().collect();
    let mut word = String::new();
    let flush = |w: &mut String, sc: &mut Score| {
        if !w.is_ascii() {
            if is_syllable(w) {
                sc.good += 1;
            } else {
                sc.bad += 1;
            }
        }
        w.clear();
    };
    for c in text.chars() {
        if c.is_alphabetic() || is_mark(c) {
            word.push(c);
            continue;
        }
        flush(&mut word, &mut sc);
        let stray = c == '\u{FFFD}'
            || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0C'))
            || (('\u{A1}'..='\u{BF}').contains(&c) && !"«»°§©®±·".contains(c));
        if stray {
            sc.bad += 1;
        }
    }
    flush(&mut word, &mut sc);
    sc
}

fn is_mark(c: char) -> bool {
    ('\u{300}'..='\u{36F}').contains(&c)
}

const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// Whether `word` is a well-formed Vietnamese syllable: an initial
/// consonant, a known vowel cluster with at most one tone mark (on a vowel),
/// and a final consonant.
fn is_syllable(word: &str) -> bool {
    const INITIALS: [&str; 28] = [
        "ngh", "ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
        "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
    ];
    const FINALS: [&str; 9] = ["ch", "ng", "nh", "c", "m", "n", "p", "t", ""];
    const NUCLEI: [&str; 53] = [
        "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu",
        "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "oo", "ua", "uâ",
        "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ưu", "ươ", "ya", "yê", "iêu", "yêu", "oai",
        "oao", "oay", "oeo", "uây", "uôi", "ươi", "ươu",
    ];
    const MORE_NUCLEI: [&str; 3] = ["uya", "uyê", "uyu"];
    let lower = word.to_lowercase();
    let mut tones = 0;
    let mut prev_base: Option<char> = None;
    let mut base = String::with_capacity(lower.len());
    for c in lower.nfd() {
        if TONES.contains(&c) {
            tones += 1;
            if !prev_base.is_some_and(|b| "aeiouy".contains(b)) {
                return false;
            }
        } else {
            if !is_mark(c) {
                prev_base = Some(c);
            }
            base.push(c);
        }
    }
    if tones > 1 {
        return false;
    }
    let base: String = base.nfc().collect();
    if !base
        .chars()
        .all(|c| "abcdeghiklmnopqrstuvxyăâêôơưđ".contains(c))
    {
        return false;
    }
    INITIALS.iter().any(|ini| {
        let Some(rest) = base.strip_prefix(ini) else {
            return false;
        };
        FINALS.iter().any(|fin| {
            rest.strip_suffix(fin)
                .is_some_and(|nuc| NUCLEI.contains(&nuc) || MORE_NUCLEI.contains(&nuc))
        })
    })
}

/// `bytes` as text in whichever encoding [`diagnose`] finds, with the
/// encoding's name when it was not UTF-8 (the guess, for a message), or
/// the diagnosis when the bytes cannot be read as text (binary, damaged
/// UTF-8). A BOM is dropped; a legacy Vietnamese decoding is put in NFC,
/// as a Unicode keyboard would have typed it.
pub fn decode_text(bytes: &[u8]) -> Result<(String, Option<&'static str>), Diagnosis> {
    let d = diagnose(bytes);
    let units = |bytes: &[u8], width: usize, big: bool| -> Vec<u32> {
        bytes
            .chunks_exact(width)
            .map(|c| {
                let mut v = 0u32;
                for k in 0..width {
                    let b = if big { c[k] } else { c[width - 1 - k] };
                    v = (v << 8) | u32::from(b);
                }
                v
            })
            .collect()
    };
    let strip = |s: String| match s.strip_prefix('\u{feff}') {
        Some(r) => r.to_string(),
        None => s,
    };
    let legacy = |enc| -> String { decode(bytes, enc).nfc().collect() };
    let (text, name) = match d.kind {
        Kind::Utf8 => (String::from_utf8_lossy(bytes).into_owned(), None),
        Kind::Utf16 { big_endian } => {
            let u: Vec<u16> = units(bytes, 2, big_endian)
                .into_iter()
                .map(|u| u as u16)
                .collect();
            (String::from_utf16(&u).map_err(|_| d)?, Some("UTF-16"))
        }
        Kind::Utf32 { big_endian } => {
            let s: Option<String> = units(bytes, 4, big_endian)
                .into_iter()
                .map(char::from_u32)
                .collect();
            (s.ok_or(d)?, Some("UTF-32"))
        }
        Kind::Windows1258 => (legacy(Legacy::Windows1258), Some("Windows-1258")),
        Kind::Tcvn3 => (legacy(Legacy::Tcvn3), Some("TCVN3")),
        Kind::Vni => (legacy(Legacy::Vni), Some("VNI")),
        Kind::Latin1 => (
            bytes.iter().map(|&b| char::from(b)).collect(),
            Some("Latin-1"),
        ),
        Kind::DamagedUtf8 { .. } | Kind::Binary { .. } => return Err(d),
    };
    Ok((strip(text), name))
}

/// Why a valid UTF-8 article is still a problem (or worth a warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    /// The file has no characters at all.
    Empty,
    /// Only spaces and line breaks: nothing to annotate.
    Blank,
    /// NUL characters: a binary file, or a UTF-16 file read badly.
    Nul { count: usize, first_line: usize },
    /// U+FFFD: converted earlier from another encoding, with losses.
    Replacement { count: usize, first_line: usize },
}

impl TextProblem {
    pub fn message(&self) -> String {
        match *self {
            TextProblem::Empty => "empty file: nothing to annotate".into(),
            TextProblem::Blank => "only whitespace: nothing to annotate".into(),
            TextProblem::Nul { count, first_line } => format!(
                "{count} NUL character{}, the first on line {first_line}: probably binary or a broken \
                 conversion; remove them with `tr -d '\\000' < in.txt > out.txt` if the rest is text",
                if count == 1 { "" } else { "s" }
            ),
            TextProblem::Replacement { count, first_line } => format!(
                "{count} U+FFFD replacement character{} (�), the first on line {first_line}: the file was \
                 probably converted from another encoding with losses; convert the original again",
                if count == 1 { "" } else { "s" }
            ),
        }
    }
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// The most serious problem of an article's decoded text (BOM already
/// dropped), or `None` when it is fine.
pub fn problem_for_text(text: &str) -> Option<TextProblem> {
    if text.is_empty() {
        return Some(TextProblem::Empty);
    }
    if text.chars().all(char::is_whitespace) {
        return Some(TextProblem::Blank);
    }
    let find = |c: char| -> Option<(usize, usize)> {
        let first = text.find(c)?;
        let line = 1 + text[..first].bytes().filter(|&b| b == b'\n').count();
        Some((text.matches(c).count(), line))
    };
    if let Some((count, first_line)) = find('\0') {
        return Some(TextProblem::Nul { count, first_line });
    }
    if let Some((count, first_line)) = find('\u{FFFD}') {
        return Some(TextProblem::Replacement { count, first_line });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SENTENCE: &str = "Tổng Bí thư Nguyễn Phú Trọng làm việc với Ban Đối ngoại Trung ương";

    /// `SENTENCE` in Windows-1258 (tones as combining bytes after the
    /// vowel: ổ = ô 0xF4 + hook 0xD2), as `iconv -t WINDOWS-1258` writes it.
    const CP1258: &[u8] =
        b"T\xf4\xd2ng B\xed th\xfd Nguy\xea\xden Ph\xfa Tro\xf2ng l\xe0m vi\xea\xf2c \
v\xf5\xeci Ban \xd0\xf4\xeci ngoa\xf2i Trung \xfd\xf5ng";

    /// `SENTENCE` in TCVN3 (one byte per toned vowel: ổ = 0xDD), as
    /// `iconv -t TCVN` writes it.
    const TCVN3: &[u8] = b"T\xe6ng B\xdd th\xad Nguy\xd4n Ph\xf3 Tr\xe4ng l\xb5m vi\xd6c v\xed\
i Ban \xa7\xe8i ngo\xb9i Trung \xad\xacng";

    /// `SENTENCE` in VNI, by hand: a vowel is a letter plus a mark byte
    /// (`Vieät`), ơ/ư/đ are 0xF4/0xF6/0xF1.
    const VNI: &[u8] =
        b"To\xe5ng B\xed th\xf6 Nguye\xe3n Phu\xf9 Tro\xefng la\xf8m vie\xe4c v\xf4\xf9i \
Ban \xd1o\xe1i ngoa\xefi Trung \xf6\xf4ng";

    #[test]
    fn the_tables_decode_the_crafted_bytes() {
        assert_eq!(
            decode(CP1258, Legacy::Windows1258)
                .nfc()
                .collect::<String>(),
            SENTENCE
        );
        assert_eq!(decode(TCVN3, Legacy::Tcvn3), SENTENCE);
        assert_eq!(decode(VNI, Legacy::Vni).nfc().collect::<String>(), SENTENCE);
    }

    #[test]
    fn viet_nam_in_each_legacy_encoding() {
        assert_eq!(diagnose(b"Vi\xea\xf2t Nam").kind, Kind::Windows1258);
        assert_eq!(diagnose(b"Vi\xd6t Nam").kind, Kind::Tcvn3);
        assert_eq!(diagnose(b"Vie\xe4t Nam").kind, Kind::Vni);
    }

    #[test]
    fn vietnamese_sentences_in_each_legacy_encoding() {
        assert_eq!(diagnose(CP1258).kind, Kind::Windows1258);
        assert_eq!(diagnose(TCVN3).kind, Kind::Tcvn3);
        assert_eq!(diagnose(VNI).kind, Kind::Vni);
        // Upper case in VNI: VIỆT NAM.
        assert_eq!(diagnose(b"VIE\xc4T NAM").kind, Kind::Vni);
    }

    #[test]
    fn messages_name_the_fix() {
        let m = diagnose(CP1258).message("articles/bai 1.txt");
        assert!(m.contains("probably"), "{m}");
        assert!(
            m.contains(
                "iconv -f WINDOWS-1258 -t UTF-8 'articles/bai 1.txt' > 'articles/bai 1.txt.utf8' \
                 && mv 'articles/bai 1.txt.utf8' 'articles/bai 1.txt'"
            ),
            "{m}"
        );
        let m = diagnose(TCVN3).message("a.txt");
        assert!(
            m.contains("TCVN3")
                && m.contains("iconv -f TCVN -t UTF-8 a.txt > a.txt.utf8 && mv a.txt.utf8 a.txt"),
            "{m}"
        );
        let m = diagnose(VNI).message("a.txt");
        assert!(
            m.contains("VNI") && m.contains("vietnamese-converter") && m.contains("iconv cannot"),
            "{m}"
        );
        assert!(!m.contains("iconv -f"), "{m}");
        assert!(m.contains("mv a.txt.utf8 a.txt"), "{m}");
    }

    #[test]
    fn every_message_names_the_file_and_the_binary_ones_too() {
        for bytes in [
            &b"%PDF-1.7\n\xe2\xe3"[..],
            b"PK\x03\x04rest",
            b"\x01\x02\x03abc\x00\x00\xff\xfe\x00\x05",
            CP1258,
            TCVN3,
            VNI,
        ] {
            let m = diagnose(bytes).message("articles/bài 1.txt");
            assert!(m.starts_with("articles/bài 1.txt: "), "{m}");
        }
        let m = diagnose(b"\x01\x02\x03abc\x00\x00\xff\xfe\x00\x05").message("articles/x.txt");
        assert!(m.contains("move it out"), "{m}");
    }

    /// The suggested command, run for real, leaves the article itself in
    /// UTF-8 and nothing else behind.
    #[test]
    fn the_suggested_command_fixes_the_article_in_place() {
        let ok = std::process::Command::new("iconv")
            .arg("--version")
            .output();
        if ok.is_err() {
            return; // no iconv on this machine: nothing to run
        }
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("bài 1.txt");
        std::fs::write(&file, CP1258).unwrap();
        let m = diagnose(CP1258).message(&file.display().to_string());
        let cmd = m.split('`').nth(1).expect("a command in backquotes");
        let st = std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .status()
            .unwrap();
        assert!(st.success(), "{cmd}");
        let fixed = std::fs::read(&file).unwrap();
        assert!(std::str::from_utf8(&fixed).is_ok());
        assert_eq!(
            std::fs::read_dir(d.path()).unwrap().count(),
            1,
            "no copy left beside it"
        );
    }

    #[test]
    fn western_latin1_is_the_fallback() {
        // "Café crème à la française, naïve Straße" in Latin-1.
        let d = diagnose(
            b"Caf\xe9 cr\xe8me \xe0 la fran\xe7aise, na\xefve Stra\xdfe, f\xfcr M\xe4dchen",
        );
        assert_eq!(d.kind, Kind::Latin1);
        assert!(d.to_string().contains("iconv -f WINDOWS-1252"));
    }

    #[test]
    fn decode_text_reads_every_encoding_it_detects_and_refuses_binary() {
        assert_eq!(
            decode_text(CP1258).unwrap(),
            (SENTENCE.into(), Some("Windows-1258"))
        );
        assert_eq!(
            decode_text(TCVN3).unwrap(),
            (SENTENCE.into(), Some("TCVN3"))
        );
        assert_eq!(decode_text(VNI).unwrap(), (SENTENCE.into(), Some("VNI")));
        let mut le = vec![0xFF, 0xFE];
        le.extend(SENTENCE.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode_text(&le).unwrap(), (SENTENCE.into(), Some("UTF-16")));
        let bom = [b"\xEF\xBB\xBF".as_slice(), SENTENCE.as_bytes()].concat();
        assert_eq!(decode_text(&bom).unwrap(), (SENTENCE.into(), None));
        assert!(decode_text(b"%PDF-1.4 ...").is_err());
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let le: Vec<u8> = "Việt Nam"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let be: Vec<u8> = "Việt Nam"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        assert_eq!(diagnose(&le).kind, Kind::Utf16 { big_endian: false });
        assert_eq!(diagnose(&be).kind, Kind::Utf16 { big_endian: true });
        let mut bom = vec![0xFF, 0xFE];
        bom.extend(&le);
        let d = diagnose(&bom);
        assert_eq!(d.kind, Kind::Utf16 { big_endian: false });
        assert!(
            d.message("x.txt")
                .contains("iconv -f UTF-16LE -t UTF-8 x.txt > x.txt.utf8 && mv x.txt.utf8 x.txt")
        );
        assert_eq!(
            diagnose(b"\xFF\xFE\x00\x00a\x00\x00\x00").kind,
            Kind::Utf32 { big_endian: false }
        );
    }

    #[test]
    fn binary_files() {
        assert_eq!(
            diagnose(b"%PDF-1.7\n\xe2\xe3").kind,
            Kind::Binary {
                what: Some("a PDF document")
            }
        );
        assert!(diagnose(b"PK\x03\x04rest").to_string().contains(".docx"));
        assert_eq!(
            diagnose(b"\x01\x02\x03abc\x00\x00\xff\xfe\x00\x05").kind,
            Kind::Binary { what: None }
        );
        let noisy: Vec<u8> = (0..1000u32)
            .map(|i| if i % 7 == 0 { 3 } else { b'a' })
            .collect();
        assert_eq!(diagnose(&noisy).kind, Kind::Binary { what: None });
    }

    #[test]
    fn utf8_and_damaged_utf8() {
        assert_eq!(diagnose(SENTENCE.as_bytes()).kind, Kind::Utf8);
        assert_eq!(diagnose(b"\xEF\xBB\xBFabc").kind, Kind::Utf8);
        let mut damaged = SENTENCE.as_bytes().to_vec();
        damaged.extend(b"\nx\xff");
        match diagnose(&damaged).kind {
            Kind::DamagedUtf8 {
                first_bad,
                line,
                bad,
            } => assert_eq!((first_bad, line, bad), (SENTENCE.len() + 2, 2, 1)),
            k => panic!("{k:?}"),
        }
        // Cut in the middle of a character.
        let cut = &SENTENCE.as_bytes()[..SENTENCE.rfind('ư').unwrap() + 1];
        assert!(matches!(diagnose(cut).kind, Kind::DamagedUtf8 { .. }));
    }

    #[test]
    fn syllables() {
        for w in [
            "việt",
            "Nguyễn",
            "nghiêng",
            "quốc",
            "giữa",
            "khuỷu",
            "trường",
            "đối",
            "xoong",
        ] {
            assert!(is_syllable(w), "{w}");
        }
        for w in ["vieät", "viờũt", "café", "fỹr", "ǹ", "viöt", "ăă"] {
            assert!(!is_syllable(w), "{w}");
        }
    }

    #[test]
    fn text_problems() {
        assert_eq!(problem_for_text(""), Some(TextProblem::Empty));
        assert_eq!(problem_for_text(" \r\n\t"), Some(TextProblem::Blank));
        assert_eq!(
            problem_for_text("a\nb\0c\0"),
            Some(TextProblem::Nul {
                count: 2,
                first_line: 2
            })
        );
        let r = problem_for_text("ok\n\nVi\u{FFFD}t").unwrap();
        assert_eq!(
            r,
            TextProblem::Replacement {
                count: 1,
                first_line: 3
            }
        );
        assert!(r.to_string().contains("line 3"));
        assert_eq!(problem_for_text(SENTENCE), None);
        assert!(
            TextProblem::Nul {
                count: 1,
                first_line: 1
            }
            .message()
            .contains("tr -d")
        );
    }

    /// A test-only encoder: the inverse of `decode`, by search (one or two
    /// bytes per character; `?` for what the encoding cannot hold).
    fn encode(s: &str, enc: Legacy) -> Vec<u8> {
        let mut memo: std::collections::HashMap<char, Vec<u8>> = Default::default();
        let mut out = Vec::new();
        for c in s.nfc() {
            if c.is_ascii() {
                out.push(c as u8);
                continue;
            }
            let bytes = memo.entry(c).or_insert_with(|| {
                let want = c.to_string();
                let dec = |b: &[u8]| decode(b, enc).nfc().collect::<String>();
                if let Some(b) = (0x80..=0xFFu8).find(|&b| dec(&[b]) == want) {
                    return vec![b];
                }
                for first in 0x41..=0xFFu8 {
                    for second in 0x80..=0xFFu8 {
                        if dec(&[first, second]) == want {
                            return vec![first, second];
                        }
                    }
                }
                vec![b'?']
            });
            out.extend_from_slice(bytes);
        }
        out
    }

    #[test]
    fn a_real_article_in_each_legacy_encoding() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../articles/2022-08-08-tong-bi-thu-lam-viec-voi-ban-doi-ngoai-trung-uong.txt"
        );
        let Ok(article) = std::fs::read_to_string(path) else {
            return; // the sample corpus is not there (a packaged crate)
        };
        let article: String = article.chars().take(3000).collect();
        for (enc, kind) in [
            (Legacy::Windows1258, Kind::Windows1258),
            (Legacy::Tcvn3, Kind::Tcvn3),
            (Legacy::Vni, Kind::Vni),
        ] {
            let bytes = encode(&article, enc);
            assert_eq!(diagnose(&bytes).kind, kind, "{enc:?}");
        }
    }

    proptest! {
        #[test]
        fn diagnose_never_panics_and_valid_utf8_is_utf8(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let d = diagnose(&bytes);
            let _ = d.message("x.txt");
            if std::str::from_utf8(&bytes).is_ok() && !bytes.contains(&0) && signature(&bytes).is_none()
                && utf16_without_bom(&bytes).is_none()
                && !bytes.starts_with(b"\xFF\xFE") && !bytes.starts_with(b"\xFE\xFF")
                && !matches!(d.kind, Kind::Binary { .. })
            {
                prop_assert_eq!(d.kind, Kind::Utf8);
            }
        }

        #[test]
        fn utf8_text_is_never_called_legacy(s in "\\PC{0,200}") {
            let k = diagnose(s.as_bytes()).kind;
            prop_assert!(!matches!(k, Kind::Windows1258 | Kind::Tcvn3 | Kind::Vni | Kind::Latin1), "{:?}", k);
        }
    }
}
