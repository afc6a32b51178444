//! `nhan import --format text`: unannotated texts become articles. Unlike
//! the annotated formats (all or nothing), each text stands alone: what
//! cannot be read is skipped and the summary says why, so that one broken
//! file among a thousand does not hold the others back. Nothing in the
//! project is overwritten: a name already taken gets a suffix, and a text
//! already in the project is not added twice.

use super::{ImportArgs, user};
use crate::error::FormatsError;
use nhan_model::sidecar::sha256_hex;
use nhan_store::atomic::write_atomic;
use nhan_store::encoding;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

/// One text found in the input, before it gets its article name.
struct Found {
    /// Where it comes from: `file` or `file:line`.
    at: String,
    /// The name it asks for, before cleaning (a file stem, `stem-row`).
    wanted: String,
    text: String,
    /// The encoding it was converted from, when not UTF-8.
    converted: Option<&'static str>,
}

/// What was read: the texts, and what was skipped with why.
#[derive(Default)]
struct Reading {
    found: Vec<Found>,
    skipped: Vec<String>,
}

/// A name safe as a file name on every system: letters and digits (NFC)
/// kept, anything else one `-`, at most 80 characters, never empty or
/// hidden.
pub fn clean_name(wanted: &str) -> String {
    let mut out = String::new();
    for c in wanted.nfc() {
        if c.is_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out: String = out.trim_matches('-').chars().take(80).collect();
    out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        out = "text".into();
    }
    out
}

/// Reads `bytes` as text, or says why not.
fn decode(bytes: &[u8], at: &str) -> Result<(String, Option<&'static str>), FormatsError> {
    let (text, converted) =
        encoding::decode_text(bytes).map_err(|diagnosis| FormatsError::Encoding {
            at: at.to_string(),
            diagnosis,
        })?;
    if let Some(problem) = encoding::problem_for_text(&text) {
        let at = at.to_string();
        return Err(FormatsError::Text { at, problem });
    }
    Ok((text, converted))
}

fn extension(p: &Path) -> String {
    p.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Reading {
    fn path(&mut self, p: &Path) {
        let shown = p.display().to_string();
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) => return self.skipped.push(format!("{shown}: cannot read: {e}")),
        };
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = match std::fs::read_dir(p) {
                Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
                Err(e) => return self.skipped.push(format!("{shown}: cannot read: {e}")),
            };
            entries.sort();
            for e in entries {
                let hidden = e
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                if !hidden {
                    self.path(&e);
                }
            }
            return;
        }
        let bytes = match std::fs::read(p) {
            Ok(b) => b,
            Err(e) => return self.skipped.push(format!("{shown}: cannot read: {e}")),
        };
        match extension(p).as_str() {
            "txt" | "text" | "md" => match decode(&bytes, &shown) {
                Ok((text, converted)) => self.found.push(Found {
                    at: shown,
                    wanted: stem(p),
                    text,
                    converted,
                }),
                Err(why) => self.skipped.push(why.to_string()),
            },
            "jsonl" | "ndjson" | "json" => self.json_lines(p, &bytes),
            "csv" | "tsv" => self.csv(p, &bytes),
            _ => self.skipped.push(format!(
                "{shown}: not a text file nhan imports (.txt, .jsonl with a \"text\" field, .csv with a text column)"
            )),
        }
    }

    /// Text of a whole input file (JSON lines, CSV): UTF-8 or a detected encoding.
    fn whole(&mut self, p: &Path, bytes: &[u8]) -> Option<String> {
        let shown = p.display().to_string();
        match encoding::decode_text(bytes) {
            Ok((s, _)) => Some(s),
            Err(d) => {
                self.skipped.push(d.message(&shown));
                None
            }
        }
    }

    /// doccano's and Label Studio's unlabelled exports: one JSON object a
    /// line with a `text` field (a JSON array of such objects also works).
    fn json_lines(&mut self, p: &Path, bytes: &[u8]) {
        let shown = p.display().to_string();
        let Some(src) = self.whole(p, bytes) else {
            return;
        };
        let rows: Vec<(usize, Result<serde_json::Value, FormatsError>)> =
            match serde_json::from_str::<Vec<serde_json::Value>>(&src) {
                Ok(items) => items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (i + 1, Ok(v)))
                    .collect(),
                Err(_) => src
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| !l.trim().is_empty())
                    .map(|(i, l)| {
                        (
                            i + 1,
                            serde_json::from_str(l).map_err(|e| FormatsError::NotJson(Arc::new(e))),
                        )
                    })
                    .collect(),
            };
        let width = rows.len().to_string().len();
        for (n, v) in rows {
            let at = format!("{shown}:{n}");
            let v = match v {
                Ok(v) => v,
                Err(e) => {
                    self.skipped.push(format!("{at}: {e}"));
                    continue;
                }
            };
            // Label Studio puts the task's text under `data`.
            let text = v
                .get("text")
                .or_else(|| v.get("data").and_then(|d| d.get("text")));
            let Some(text) = text.and_then(|t| t.as_str()) else {
                self.skipped
                    .push(format!("{at}: no \"text\" field holding a string"));
                continue;
            };
            if let Some(p) = encoding::problem_for_text(text) {
                self.skipped.push(format!("{at}: {p}"));
                continue;
            }
            let id = v
                .get("id")
                .filter(|i| i.is_string() || i.is_u64())
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string));
            let wanted = match id {
                Some(id) => format!("{}-{id}", stem(p)),
                None => format!("{}-{n:0width$}", stem(p)),
            };
            self.found.push(Found {
                at,
                wanted,
                text: text.to_string(),
                converted: None,
            });
        }
    }

    /// A CSV (or TSV) file with a header: the column named `text` (any
    /// case; else `content`, `body`, `sentence`; else the only column).
    fn csv(&mut self, p: &Path, bytes: &[u8]) {
        let shown = p.display().to_string();
        let Some(src) = self.whole(p, bytes) else {
            return;
        };
        let sep = if extension(p) == "tsv" { '\t' } else { ',' };
        let rows = match parse_csv(&src, sep) {
            Ok(r) => r,
            Err((line, why)) => return self.skipped.push(format!("{shown}:{line}: {why}")),
        };
        let Some(((_, header), body)) = rows.split_first() else {
            return self.skipped.push(format!("{shown}: empty file"));
        };
        let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
        let col = ["text", "content", "body", "sentence"]
            .iter()
            .find_map(|w| names.iter().position(|n| n == w))
            .or((names.len() == 1).then_some(0));
        let Some(col) = col else {
            return self.skipped.push(format!(
                "{shown}:1: no column named text (the header has {}); name the column of texts \"text\"",
                header.join(", ")
            ));
        };
        let id = names.iter().position(|n| n == "id");
        let width = body.len().to_string().len();
        for (k, (line, row)) in body.iter().enumerate() {
            let at = format!("{shown}:{line}");
            let Some(text) = row.get(col) else {
                self.skipped
                    .push(format!("{at}: the row has no {} column", header[col]));
                continue;
            };
            if let Some(p) = encoding::problem_for_text(text) {
                self.skipped.push(format!("{at}: {p}"));
                continue;
            }
            let wanted = match id.and_then(|i| row.get(i)).filter(|s| !s.is_empty()) {
                Some(id) => format!("{}-{id}", stem(p)),
                None => format!("{}-{:0width$}", stem(p), k + 1),
            };
            self.found.push(Found {
                at,
                wanted,
                text: text.clone(),
                converted: None,
            });
        }
    }
}

/// A CSV record: the line it starts on, its fields.
type Row = (usize, Vec<String>);

/// RFC 4180 records with the line each starts on: fields may be quoted,
/// a quoted field may hold separators, line breaks and `""`.
pub fn parse_csv(src: &str, sep: char) -> Result<Vec<Row>, (usize, String)> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut row_line = 1;
    let mut chars = src.chars().peekable();
    let mut quoted = false;
    let mut quote_line = 0;
    let mut any = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                quoted = true;
                quote_line = line;
                any = true;
            }
            c if c == sep => {
                row.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if any || !field.is_empty() {
                    row.push(std::mem::take(&mut field));
                    rows.push((row_line, std::mem::take(&mut row)));
                }
                any = false;
                line += 1;
                row_line = line;
            }
            c => {
                field.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err((
            quote_line,
            "a quoted field is never closed (a \" is missing)".into(),
        ));
    }
    if any || !field.is_empty() {
        row.push(field);
        rows.push((row_line, row));
    }
    Ok(rows)
}

/// `nhan import --format text PATH...`.
pub fn import(project_dir: &Path, args: &ImportArgs, err: &mut dyn Write) -> anyhow::Result<()> {
    let mut reading = Reading::default();
    for p in &args.paths {
        reading.path(p);
    }
    let articles = project_dir.join("articles");
    // Names and texts already in the project: never overwritten, never added twice.
    let mut taken: HashSet<String> = HashSet::new();
    let mut texts: HashMap<String, String> = HashMap::new();
    // Through the root handle: a clone's `articles/x.txt -> /elsewhere`
    // is neither read nor counted.
    let listed =
        nhan_store::root::Root::open(project_dir).and_then(|r| r.dir(Path::new("articles"), false));
    if let Ok(dir) = listed {
        for (name, _) in dir.entries().unwrap_or_default() {
            if let Some(stem) = name.strip_suffix(".txt") {
                taken.insert(stem.to_lowercase());
                if let Ok(b) = dir.read(Path::new(&name)) {
                    texts.insert(sha256_hex(&b), format!("articles/{name}"));
                }
            }
        }
    }
    let readable = reading.found.len();
    let mut to_write = Vec::new();
    let mut notes = Vec::new();
    let mut skipped = reading.skipped;
    for f in reading.found {
        let sha = sha256_hex(f.text.as_bytes());
        if let Some(first) = texts.get(&sha) {
            skipped.push(format!("{}: the same text as {first}", f.at));
            continue;
        }
        let base = clean_name(&f.wanted);
        let mut name = base.clone();
        let mut n = 2;
        // Case-insensitive file systems (macOS, Windows) would make two
        // names that differ only in case one file.
        while taken.contains(&name.to_lowercase()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        taken.insert(name.to_lowercase());
        let file = format!("{name}.txt");
        texts.insert(sha, format!("articles/{file}"));
        if let Some(enc) = f.converted {
            notes.push(format!(
                "{}: read as {enc} (a guess from its bytes), written as UTF-8",
                f.at
            ));
        }
        to_write.push((file, f.text));
    }
    if !to_write.is_empty() {
        // Made through no symlink (the error names the folder).
        nhan_store::root::Root::open(project_dir)
            .and_then(|r| r.dir(Path::new("articles"), true))
            .map_err(|e| user(format!("cannot create the articles folder: {e}")))?;
        let _lock = nhan_store::lock::acquire(project_dir).map_err(|held| {
            user(format!(
                "nothing was imported: {held}; quit the other nhan, then import again"
            ))
        })?;
        for (file, text) in &to_write {
            let a = articles.join(file);
            write_atomic(&a, text.as_bytes())
                .map_err(|e| user(format!("{}: cannot write: {e}", a.display())))?;
        }
    }
    for n in &notes {
        writeln!(err, "note: {n}")?;
    }
    writeln!(
        err,
        "imported {} texts as articles into {} (status todo)",
        to_write.len(),
        articles.display()
    )?;
    if !skipped.is_empty() {
        writeln!(err, "skipped {}:", skipped.len())?;
        for s in &skipped {
            writeln!(err, "  {s}")?;
        }
    }
    if readable == 0 {
        return Err(user(
            "no text was imported; give .txt files or folders, JSON lines with a \"text\" field, or a CSV with a text column",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_may_be_quoted_across_lines() {
        let rows = parse_csv("id,text\n1,\"Hà Nội, \"\"thủ đô\"\"\nmới\"\n2,Huế\r\n", ',').unwrap();
        assert_eq!(
            rows,
            vec![
                (1, vec!["id".to_string(), "text".into()]),
                (2, vec!["1".into(), "Hà Nội, \"thủ đô\"\nmới".into()]),
                (4, vec!["2".into(), "Huế".into()]),
            ]
        );
        assert_eq!(parse_csv("a\n\"open", ',').unwrap_err().0, 2);
    }

    #[test]
    fn names_are_safe_file_names() {
        assert_eq!(clean_name("../../etc/passwd"), "etc-passwd");
        assert_eq!(clean_name("Hà Nội 2024"), "Hà-Nội-2024");
        assert_eq!(clean_name(".hidden"), "hidden");
        assert_eq!(clean_name("///"), "text");
        assert_eq!(clean_name(&"a".repeat(300)).chars().count(), 80);
    }
}
