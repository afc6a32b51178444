//! brat standoff: `<stem>.txt` (the article text), `<stem>.ann` with one
//! `T` line per span (`T1<TAB>LABEL START END<TAB>text`, code-point
//! offsets), and `annotation.conf` listing every entity label. A span that
//! holds a line break is written as fragments split at the break (the way
//! brat itself stores such spans) and read back as one span.

use super::import::safe_file_name;
use super::{Article, Context, Files, Format, InSpan, Incoming, PartSummary, Place, Rendered};
use crate::core::schema::Overlap;
use crate::core::text::Text;
use std::path::{Path, PathBuf};

pub struct Brat;

/// The file that lists the labels, in each part's folder.
const CONF: &str = "annotation.conf";

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r')
}

/// The fragments of `[start, end)` between line breaks.
fn fragments(text: &Text, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from: Option<usize> = None;
    for (k, c) in text.slice(start, end).chars().enumerate() {
        let i = start + k;
        match (is_break(c), from) {
            (true, Some(f)) => {
                out.push((f, i));
                from = None;
            }
            (false, None) => from = Some(i),
            _ => {}
        }
    }
    if let Some(f) = from {
        out.push((f, end));
    }
    out
}

pub fn ann(d: &Article) -> String {
    let mut out = String::new();
    for (k, s) in d.spans.iter().enumerate() {
        let frags = fragments(&d.doc.text, s.start, s.end);
        let offs: Vec<String> = frags.iter().map(|(a, b)| format!("{a} {b}")).collect();
        let texts: Vec<&str> = frags
            .iter()
            .map(|(a, b)| d.doc.text.slice(*a, *b))
            .collect();
        out.push_str(&format!(
            "T{}\t{} {}\t{}\n",
            k + 1,
            s.label,
            offs.join(";"),
            texts.join(" ")
        ));
    }
    out
}

pub fn annotation_conf(labels: &[String], overlap: Overlap) -> String {
    let mut s =
        String::from("# Written by nhan export: the entity labels of this dataset.\n[entities]\n");
    for l in labels {
        s.push_str(l);
        s.push('\n');
    }
    s.push_str("\n[relations]\n");
    match overlap {
        Overlap::None => {}
        Overlap::Nested => {
            s.push_str("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:contain\n")
        }
        Overlap::Any => s.push_str("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n"),
    }
    s.push_str("\n[events]\n\n[attributes]\n");
    s
}

impl Format for Brat {
    fn name(&self) -> &'static str {
        "brat"
    }

    fn flat(&self) -> bool {
        false
    }

    fn start_part(&self, place: &Place, files: &mut dyn Files) {
        files.declare(&place.path(CONF));
    }

    fn render(&self, d: &Article, _cx: &Context, out: &mut Rendered) {
        let text = d.doc.text.as_str().as_bytes().to_vec();
        out.own.push((format!("{}.txt", d.stem()), text));
        out.own
            .push((format!("{}.ann", d.stem()), ann(d).into_bytes()));
    }

    fn finish(&self, cx: &Context, parts: &[PartSummary], files: &mut dyn Files) {
        let conf = annotation_conf(&cx.labels, cx.overlap);
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
            "{shown}: {stem:?} cannot be an article file name; rename the files"
        )]
    })?;

    let mut spans = Vec::new();
    let mut problems = Vec::new();
    let mut ignored = 0;
    for (i, line) in ann.lines().enumerate() {
        let n = i + 1;
        let at = format!("{shown}:{n}");
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with('T') {
            ignored += 1;
            continue;
        }
        let mut cols = line.splitn(3, '\t');
        let (_id, mid, given) = (cols.next(), cols.next(), cols.next());
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
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let notes = if ignored > 0 {
        vec![format!(
            "{shown}: {ignored} line(s) that are not entities (relations, events, attributes, notes) were not imported"
        )]
    } else {
        Vec::new()
    };
    Ok(Incoming {
        at: shown,
        file_name,
        text: text.as_str().to_string(),
        spans,
        status: None,
        notes,
        rejected: Vec::new(),
    })
}
