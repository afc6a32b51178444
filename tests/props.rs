//! Property tests over random text and random key sequences.

mod support;

use nhan::core::document::Document;
use nhan::core::sidecar::Sidecar;
use nhan::core::span::crosses;
use nhan::core::text::Text;
use nhan::core::tokens::Tokens;
use nhan::view::wrap::{GlyphKind, Layout};
use proptest::prelude::*;
use support::Harness;
use unicode_normalization::UnicodeNormalization;

/// Words as they come in the corpus and beyond: Vietnamese (NFC and NFD),
/// CJK, emoji with modifiers and ZWJ, punctuation, NBSP, newlines.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Nguyễn".to_string()),
        Just("Nguyễn".nfd().collect::<String>()),
        Just("Trọng".to_string()),
        Just("Ủy".nfd().collect::<String>()),
        Just("ban".to_string()),
        Just("34-NQ/TW".to_string()),
        Just("越南".to_string()),
        Just("👍🏽".to_string()),
        Just("👩‍👩‍👧".to_string()),
        Just("“Đảng”,".to_string()),
        Just("Hà\u{a0}Nội".to_string()),
        Just(".".to_string()),
        "[a-zA-Z]{1,8}",
    ]
}

fn sep() -> impl Strategy<Value = String> {
    prop_oneof![4 => Just(" ".to_string()), 1 => Just("\n".to_string()), 1 => Just("\r\n\r\n".to_string()), 1 => Just("\t".to_string())]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec((word(), sep()), 1..40)
        .prop_map(|v| v.into_iter().map(|(w, s)| w + &s).collect())
}

fn key() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "h",
        "l",
        "j",
        "k",
        "g",
        "G",
        "v",
        "H",
        "L",
        ",",
        ".",
        "o",
        "1",
        "2",
        "3",
        "x",
        "u",
        "ctrl-r",
        "]",
        "[",
        "*",
        "D",
        "esc",
        "pagedown",
        "pageup",
        "shift-left",
        "shift-right",
    ])
}

fn check_invariants(h: &Harness) -> Result<(), TestCaseError> {
    let art = h.app.state.article().unwrap();
    let doc = &art.doc;
    let spans: Vec<_> = doc.spans().iter().collect();
    for s in &spans {
        prop_assert!(s.start < s.end && s.end <= doc.text().len_chars());
        prop_assert!(
            doc.text().is_grapheme_boundary(s.start),
            "span {} starts inside a grapheme",
            s.id
        );
        prop_assert!(
            doc.text().is_grapheme_boundary(s.end),
            "span {} ends inside a grapheme",
            s.id
        );
        prop_assert_eq!(&s.text, doc.text().slice(s.start, s.end));
    }
    for a in &spans {
        for b in &spans {
            prop_assert!(
                !crosses(a.range(), b.range()),
                "{:?} crosses {:?}",
                a.range(),
                b.range()
            );
            prop_assert!(
                a.id == b.id || a.range() != b.range(),
                "two spans share an extent"
            );
        }
    }
    if let Some(sel) = art.selection {
        prop_assert!(sel.start < sel.end);
        prop_assert!(
            doc.text().is_grapheme_boundary(sel.start) && doc.text().is_grapheme_boundary(sel.end)
        );
    }
    prop_assert!(doc.text().is_grapheme_boundary(art.cursor));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random key sequences never split a grapheme or cross spans; the disk
    /// always matches memory; undoing everything restores the start.
    #[test]
    fn random_keys_keep_every_invariant(t in text(), keys in prop::collection::vec(key(), 1..60), w in 5u16..80) {
        let mut h = Harness::with_config(&[("a", "")], Default::default(), (w, 12));
        std::fs::write(h.dir.path().join("articles/a.txt"), &t).unwrap();
        let project = nhan::core::project::Project::open(h.dir.path()).unwrap();
        h.app = nhan::runtime::App::new(project, Default::default(), (w, 12));
        h.keys("enter");
        for k in &keys {
            h.keys(k);
            check_invariants(&h)?;
        }
        // Save → load is the identity.
        if let Some(disk) = h.on_disk("a") {
            let mem = h.app.state.article().unwrap().doc.to_sidecar();
            prop_assert_eq!(disk, mem);
        }
        for _ in 0..keys.len() * 2 {
            h.keys("u");
        }
        let art = h.app.state.article().unwrap();
        prop_assert_eq!(art.doc.spans().len(), 0);
    }

    /// Offsets agree with a plain `Vec<char>` reference.
    #[test]
    fn offsets_agree_with_a_char_index(t in text()) {
        let chars: Vec<char> = t.chars().collect();
        let text = Text::new(t.clone());
        prop_assert_eq!(text.len_chars(), chars.len());
        for i in 0..=chars.len() {
            let reference: String = chars[..i].iter().collect();
            prop_assert_eq!(text.byte_of(i), reference.len());
            prop_assert_eq!(text.char_of_byte(reference.len()), i);
        }
        // Grapheme steps visit exactly the boundaries.
        let mut c = 0;
        while c < chars.len() {
            let n = text.next_grapheme(c);
            prop_assert!(n > c);
            prop_assert_eq!(text.prev_grapheme(n), c);
            c = n;
        }
    }

    /// Tokens are never whitespace and cover every other character.
    #[test]
    fn tokens_cover_all_but_whitespace(t in text()) {
        let text = Text::new(t.clone());
        let toks = Tokens::new(&text);
        let mut covered = vec![false; text.len_chars()];
        for r in toks.iter() {
            let s = text.slice(r.start, r.end);
            prop_assert!(!s.chars().all(char::is_whitespace));
            for c in r { covered[c] = true; }
        }
        for (i, ch) in t.chars().enumerate() {
            prop_assert!(covered[i] || ch.is_whitespace(), "char {i} {ch:?} is in no token");
        }
    }

    /// Every grapheme is laid out exactly once, in order, and rows fit the
    /// width except for hanging spaces and single glyphs wider than it.
    #[test]
    fn layout_shows_everything_once(t in text(), w in 1u16..60) {
        let text = Text::new(t.clone());
        let doc = Document::new("a.txt", text, "");
        let l = Layout::new(&doc, w);
        let mut next = 0u32;
        for r in 0..l.rows() {
            let row = l.row(r);
            for g in &row {
                if matches!(g.kind, GlyphKind::Grapheme | GlyphKind::Newline) {
                    prop_assert_eq!(g.start, next);
                    next = g.end;
                }
            }
            let visible: Vec<_> = row.iter().filter(|g| g.kind == GlyphKind::Grapheme && !doc.text().slice(g.start as usize, g.end as usize).trim().is_empty()).collect();
            if visible.len() > 1 {
                let last = visible[visible.len() - 1];
                prop_assert!(last.col + last.width <= w, "row {r} overflows: {:?}", row);
            }
        }
        prop_assert_eq!(next as usize, doc.text().len_chars());
    }

    /// Writing a sidecar and reading it back gives the same sidecar, and the
    /// same bytes when written again.
    #[test]
    fn sidecar_round_trip(t in text(), cuts in prop::collection::vec((0usize..200, 1usize..20, 0usize..3), 0..20)) {
        let text = Text::new(t);
        let mut doc = Document::new("a.txt", text, "abc");
        for (s, len, l) in cuts {
            let n = doc.text().len_chars();
            let s = doc.text().floor_grapheme(s % n.max(1));
            let e = doc.text().floor_grapheme((s + len).min(n));
            if s < e && doc.check_new_extent(s, e, nhan::core::schema::Overlap::Nested, None).is_ok() && doc.spans().with_extent(s, e).is_none() {
                let sp = doc.make_span(s, e, ["PER", "ORG", "LOC"][l], Some("lan \"x\""));
                doc.apply(&nhan::core::edit::Edit::Add(sp));
            }
        }
        let json = doc.to_sidecar().to_json();
        let back = Sidecar::parse(json.as_bytes(), "a.json").unwrap();
        prop_assert_eq!(&back, &doc.to_sidecar());
        prop_assert_eq!(back.to_json(), json);
    }
}

#[test]
fn the_sample_sidecars_are_written_back_byte_for_byte() {
    let sample = support::sample::sample_copy();
    let project = nhan::core::project::Project::open(sample.path()).unwrap();
    for a in project.articles.iter() {
        let path = project.sidecar_path(&a.stem);
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let loaded = project.load(&a.file_name).unwrap();
        assert!(loaded.read_only.is_none(), "{:?}", loaded.read_only);
        assert_eq!(
            loaded.doc.to_sidecar().to_json().as_bytes(),
            bytes.as_slice(),
            "{}",
            path.display()
        );
    }
}
