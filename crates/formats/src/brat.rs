//! brat standoff: `<stem>.txt` (the article text), `<stem>.ann` with one
//! `T` line per span (`T1<TAB>LABEL START END<TAB>text`, code-point
//! offsets), and `annotation.conf` listing every entity label. A span that
//! holds a line break is written as fragments split at the break (the way
//! brat itself stores such spans) and read back as one span.

use super::import::safe_file_name;
use super::{
    Article, Context, Files, Format, InRelation, InSpan, Incoming, PartSummary, Place, Rendered,
};
use nhan_model::schema::{Overlap, RelationType};
use nhan_model::text::Text;
use std::fmt::Write;
use std::path::{Path, PathBuf};

pub struct Brat;

/// The file that lists the labels, in each part's folder.
const CONF: &str = "annotation.conf";

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r')
}

/// The fragments of a span's text between line breaks: char offsets from
/// `start` (the span's first char) and each fragment's text.
fn fragments(span: &str, start: usize) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut from: Option<(usize, usize)> = None;
    let mut k = start;
    for (i, c) in span.char_indices() {
        match (is_break(c), from) {
            (true, Some((f, fb))) => {
                out.push((f, k, &span[fb..i]));
                from = None;
            }
            (false, None) => from = Some((k, i)),
            _ => {}
        }
        k += 1;
    }
    if let Some((f, fb)) = from {
        out.push((f, k, &span[fb..]));
    }
    out
}

pub fn ann(d: &Article) -> String {
    ann_with_losses(d, &mut Vec::new())
}

/// The `.ann` file: the `T` lines, the `R` lines, then the spans' attributes and notes;
/// what brat cannot hold is said in `lost`.
pub fn ann_with_losses(d: &Article, lost: &mut Vec<String>) -> String {
    let mut out = String::new();
    for (k, s) in d.spans.iter().enumerate() {
        let frags = fragments(d.doc.text().slice(s.start, s.end), s.start);
        // Written piece by piece: `format!` and joins for each of a
        // project's million spans were most of this format's own time.
        let _ = write!(out, "T{}\t{} ", k + 1, s.label);
        for (i, (a, b, _)) in frags.iter().enumerate() {
            let sep = if i > 0 { ";" } else { "" };
            let _ = write!(out, "{sep}{a} {b}");
        }
        out.push('\t');
        for (i, (_, _, t)) in frags.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(t);
        }
        out.push('\n');
    }
    for (n, r) in super::relations::exported(d).iter().enumerate() {
        // A symmetric type is declared so in annotation.conf; its lines
        // are brat's all the same.
        let _ = writeln!(
            out,
            "R{}\t{} Arg1:T{} Arg2:T{}\t",
            n + 1,
            r.rel.label,
            r.from + 1,
            r.to + 1
        );
    }
    let mut why = Vec::new();
    let (mut next_attr, mut next_note) = (0, 0);
    for (k, s) in d.spans.iter().enumerate() {
        super::notes::brat_lines(s, k + 1, &mut next_attr, &mut next_note, &mut out, &mut why);
    }
    if nhan_model::attrs::article_note(d.doc.extra()).is_some() {
        why.push("the article note (brat notes belong to an annotation)".into());
    }
    lost.extend(
        why.into_iter()
            .map(|w| format!("{}: {w}", d.doc.file_name())),
    );
    out
}

pub fn annotation_conf(labels: &[String], overlap: Overlap) -> String {
    annotation_conf_with(labels, overlap, &[], "")
}

/// `annotation.conf` with its relation types and `[attributes]` section.
pub fn annotation_conf_with(
    labels: &[String],
    overlap: Overlap,
    relations: &[RelationType],
    attributes: &str,
) -> String {
    let mut s =
        String::from("# Written by nhan export: the entity labels of this dataset.\n[entities]\n");
    for l in labels {
        s.push_str(l);
        s.push('\n');
    }
    s.push_str("\n[relations]\n");
    // An end that takes any label is brat's <ENTITY>; several are `A|B`.
    let ends = |l: &Option<Vec<String>>| l.as_ref().map_or("<ENTITY>".into(), |v| v.join("|"));
    for t in relations {
        let _ = write!(
            s,
            "{}\tArg1:{}, Arg2:{}",
            t.name,
            ends(&t.from),
            ends(&t.to)
        );
        if t.symmetric {
            s.push_str(", <REL-TYPE>:symmetric");
        }
        s.push('\n');
    }
    match overlap {
        Overlap::None => {}
        Overlap::Nested => {
            s.push_str("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:contain\n")
        }
        Overlap::Any => s.push_str("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n"),
    }
    s.push_str("\n[events]\n\n[attributes]\n");
    s.push_str(attributes);
    s
}

impl Format for Brat {
    fn name(&self) -> &'static str {
        "brat"
    }

    fn flat(&self) -> bool {
        false
    }

    fn holds_relations(&self) -> bool {
        true
    }

    fn start_part(&self, place: &Place, files: &mut dyn Files) {
        files.declare(&place.path(CONF));
    }

    fn render(&self, d: &Article, _cx: &Context, out: &mut Rendered) {
        let text = d.doc.text().as_str().as_bytes().to_vec();
        out.own.push((format!("{}.txt", d.stem()), text));
        let ann = ann_with_losses(d, &mut out.fields_lost);
        out.own
            .push((format!("{}.ann", d.stem()), ann.into_bytes()));
    }

    fn finish(&self, cx: &Context, parts: &[PartSummary], files: &mut dyn Files) {
        let seen = |name: &str| -> Vec<String> {
            let mut v: Vec<String> = (parts.iter().flat_map(|p| &p.docs))
                .flat_map(|d| &d.attr_values)
                .filter(|(k, _)| k == name)
                .map(|(_, x)| x.clone())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let attributes = super::notes::brat_conf(&cx.schema, &seen);
        let conf = annotation_conf_with(&cx.labels, cx.overlap, &cx.schema.relations, &attributes);
        for p in parts {
            let place = Place {
                name: &p.name,
                split: cx.split,
            };
            files.write(&place.path(CONF), conf.as_bytes());
        }
    }

    fn import(&self, path: &Path) -> Result<Vec<Incoming>, Vec<String>> {
        let mut anns = Vec::new();
        collect_anns(path, &mut anns)
            .map_err(|e| vec![format!("{}: cannot read: {e}", path.display())])?;
        if anns.is_empty() {
            return Err(vec![format!(
                "{}: no .ann file here; give brat .ann files or folders holding them",
                path.display()
            )]);
        }
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for a in anns {
            match read_pair(&a) {
                Ok(inc) => out.push(inc),
                Err(e) => problems.extend(e),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }
}

fn collect_anns(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            if e.is_dir() {
                collect_anns(&e, out)?;
            } else if e.extension().is_some_and(|x| x == "ann") {
                out.push(e);
            }
        }
        return Ok(());
    }
    match path.extension().and_then(|x| x.to_str()) {
        Some("txt") => out.push(path.with_extension("ann")),
        _ => out.push(path.to_path_buf()),
    }
    Ok(())
}

/// A brat relation line, `R1<TAB>TYPE Arg1:T3 Arg2:T2<TAB>`: its type and
/// its two ends' `T` ids.
fn relation_line(line: &str) -> Option<(String, String, String)> {
    let mid = line.split('\t').nth(1)?;
    let mut words = mid.split(' ');
    let label = words.next().filter(|l| !l.is_empty())?;
    let a = words.next()?.strip_prefix("Arg1:")?;
    let b = words.next()?.strip_prefix("Arg2:")?;
    words
        .next()
        .is_none()
        .then(|| (label.to_string(), a.to_string(), b.to_string()))
}

fn read_pair(ann_path: &Path) -> Result<Incoming, Vec<String>> {
    let shown = ann_path.display().to_string();
    let txt_path = ann_path.with_extension("txt");
    let read =
        |p: &Path| std::fs::read(p).map_err(|e| vec![format!("{}: cannot read: {e}", p.display())]);
    let txt_bytes = read(&txt_path)?;
    let text = Text::from_file_bytes(&txt_bytes).map_err(|e| {
        vec![format!(
            "{}:{}: not UTF-8; convert the file to UTF-8",
            txt_path.display(),
            e.line
        )]
    })?;
    let ann_bytes = read(ann_path)?;
    let ann = String::from_utf8(ann_bytes).map_err(|_| vec![format!("{shown}: not UTF-8")])?;
    let stem = ann_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file_name = safe_file_name(&stem).ok_or_else(|| {
        vec![format!(
            "{shown}: {stem:?} cannot be an article file name (one plain name, at most 254 bytes); rename the files"
        )]
    })?;

    let mut spans = Vec::new();
    let mut problems = Vec::new();
    let mut ignored = 0;
    // Attributes and notes, put on their spans once every `T` line is read.
    let mut extras = Vec::new();
    let mut ids: std::collections::HashMap<String, usize> = Default::default();
    // `R` lines, tied to their spans once every `T` line is read.
    let mut rels: Vec<(String, String, String, String)> = Vec::new();
    for (i, line) in ann.lines().enumerate() {
        let n = i + 1;
        let at = format!("{shown}:{n}");
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with('R') {
            match relation_line(line) {
                Some((label, a, b)) => rels.push((at, label, a, b)),
                None => problems.push(format!(
                    "{at}: not a brat relation (ID<TAB>TYPE Arg1:T1 Arg2:T2)"
                )),
            }
            continue;
        }
        if !line.starts_with('T') {
            match super::notes::parse_brat(line) {
                Some(Ok(x)) => extras.push((at, x)),
                Some(Err(e)) => problems.push(format!("{at}: {e}")),
                None => ignored += 1,
            }
            continue;
        }
        let mut cols = line.splitn(3, '\t');
        let (id, mid, given) = (cols.next(), cols.next(), cols.next());
        let Some(mid) = mid else {
            problems.push(format!(
                "{at}: not a brat line (ID<TAB>TYPE START END<TAB>TEXT)"
            ));
            continue;
        };
        let Some((label, offs)) = mid.split_once(' ') else {
            problems.push(format!("{at}: {mid:?} has no offsets (TYPE START END)"));
            continue;
        };
        let mut frags = Vec::new();
        let mut bad = false;
        for f in offs.split(';') {
            let nums: Vec<Option<usize>> = f.split(' ').map(|x| x.parse().ok()).collect();
            match nums.as_slice() {
                [Some(a), Some(b)] => frags.push((*a, *b)),
                _ => bad = true,
            }
        }
        if bad || frags.is_empty() {
            problems.push(format!(
                "{at}: {offs:?} are not offsets (START END, or fragments START END;START END)"
            ));
            continue;
        }
        if let Some((a, b)) = frags.iter().find(|(a, b)| a >= b) {
            problems.push(format!(
                "{at}: the fragment {a} {b} runs backwards or is empty; each fragment is START END with START below END"
            ));
            continue;
        }
        let (start, end) = (frags[0].0, frags[frags.len() - 1].1);
        let mut text_given = given.map(String::from);
        if frags.len() > 1 {
            let n_chars = text.len_chars();
            let joined_by_breaks = frags.windows(2).all(|w| {
                w[0].0 < w[0].1 && w[0].1 <= w[1].0 && w[1].0 <= n_chars && {
                    let gap = text.slice(w[0].1, w[1].0);
                    gap.chars().any(is_break) && gap.chars().all(char::is_whitespace)
                }
            });
            if !joined_by_breaks || end > n_chars {
                problems.push(format!(
                    "{at}: a discontinuous span ({offs}); nhan keeps only spans whose fragments are split by line breaks"
                ));
                continue;
            }
            // brat joins fragment texts with a space: compare like with like.
            let expect: Vec<&str> = frags.iter().map(|(a, b)| text.slice(*a, *b)).collect();
            if given == Some(expect.join(" ").as_str()) {
                text_given = Some(text.slice(start, end).to_string());
            }
        }
        if let Some(id) = id {
            ids.insert(id.to_string(), spans.len());
        }
        spans.push(InSpan {
            id: None,
            start,
            end,
            label: label.into(),
            annotator: None,
            text: text_given,
            at,
            review: None,
            reviewer: None,
            fields: Default::default(),
        });
    }
    for (at, x) in extras {
        let target = match &x {
            super::notes::BratExtra::Attr { target, .. }
            | super::notes::BratExtra::Note { target, .. } => target,
        };
        match ids.get(target) {
            Some(&i) => super::notes::put_brat(&mut spans[i].fields, x),
            None => problems.push(format!(
                "{at}: refers to {target}, which is no entity (T line) of this file"
            )),
        }
    }
    let mut relations = Vec::new();
    for (at, label, a, b) in rels {
        match (ids.get(&a), ids.get(&b)) {
            (Some(&from), Some(&to)) => relations.push(InRelation {
                id: None,
                from,
                to,
                label,
                annotator: None,
                review: None,
                reviewer: None,
                at,
            }),
            _ => problems.push(format!(
                "{at}: joins {a} and {b}, which are not both entities (T lines) of this file"
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let notes = if ignored > 0 {
        vec![format!(
            "{shown}: {ignored} line(s) that are not entities, relations, attributes or notes (events, normalisations) were not imported"
        )]
    } else {
        Vec::new()
    };
    Ok(Incoming {
        at: shown,
        file_name,
        text: text.as_str().to_string(),
        spans,
        relations,
        status: None,
        notes,
        rejected: Vec::new(),
        note: None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn fragments_split_at_each_run_of_line_breaks_with_char_offsets() {
        // The span starts at char 10; "Ễ" and "ố" are one char each (NFC),
        // "e\u{301}" two (NFD).
        let span = "\nỄ ố\r\nTrung e\u{301}\n";
        assert_eq!(
            super::fragments(span, 10),
            vec![(11, 14, "Ễ ố"), (16, 24, "Trung e\u{301}")]
        );
        assert_eq!(super::fragments("ab", 3), vec![(3, 5, "ab")]);
        assert!(super::fragments("\r\n", 0).is_empty());
    }
}
