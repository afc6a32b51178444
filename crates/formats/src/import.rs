//! Import: articles parsed from some format are checked against their own
//! text and the project, then written as `articles/<name>.txt` and
//! `annotations/<stem>.json` through the core sidecar writer. Nothing is
//! written unless every input is sound; nothing is overwritten without
//! `--force`.

use super::args::Offsets;
use super::{ImportArgs, quote, user};
use nhan_model::document::Document;
use nhan_model::edit::Edit;
use nhan_model::ids::{RelationId, SpanId};
use nhan_model::record::{List, Record};
use nhan_model::review::Decision;
use nhan_model::schema::{Overlap, Schema};
use nhan_model::sidecar::sha256_hex;
use nhan_model::span::{crosses, overlaps};
use nhan_model::status::Status;
use nhan_model::text::Text;
use nhan_store::atomic::write_atomic;
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;

/// A span as an input gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct InSpan {
    /// The id the input gives the span, when it gives one nhan can keep.
    pub id: Option<SpanId>,
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub annotator: Option<String>,
    /// The text the input says the span holds, when it says one (brat).
    pub text: Option<String>,
    /// Where the input gives it: `file:line`.
    pub at: String,
    /// The review decision the input records (`accepted`, `fixed`), if any.
    pub review: Option<String>,
    pub reviewer: Option<String>,
    /// The span's note and attributes (`note`, `attrs`), as the sidecar
    /// keeps them.
    pub fields: nhan_model::details::Details,
}

/// A relation as an input gives it: its ends are indices into the
/// article's `Incoming::spans`.
#[derive(Debug, Clone, PartialEq)]
pub struct InRelation {
    /// The id the input gives the relation, when it gives one nhan can keep.
    pub id: Option<RelationId>,
    pub from: usize,
    pub to: usize,
    pub label: String,
    /// Who made and who decided it, when the input says (Label Studio's
    /// `meta`, Prodigy's relation fields).
    pub annotator: Option<String>,
    pub review: Option<String>,
    pub reviewer: Option<String>,
    /// Where the input gives it: `file:line`.
    pub at: String,
}

/// An article as an input gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// Where the input gives it: `file` or `file:line`.
    pub at: String,
    /// The article's file name in the project, e.g. `x.txt`.
    pub file_name: String,
    pub text: String,
    pub spans: Vec<InSpan>,
    /// Relations between those spans (formats that hold them).
    pub relations: Vec<InRelation>,
    pub status: Option<Status>,
    /// Things the format read but nhan does not keep (relations, notes...).
    pub notes: Vec<String>,
    /// Spans the input records as rejected (kept in the sidecar's
    /// `rejected` list, as review keeps them).
    pub rejected: Vec<InSpan>,
    /// The article's own note.
    pub note: Option<String>,
}

/// A file name an input may give an article: one plain `.txt` name.
/// Reads an import file as UTF-8 text (a BOM dropped), with its stem; the
/// error names the file and the line of the first bad byte.
pub fn read_input(path: &std::path::Path) -> Result<(String, String), Vec<String>> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| vec![format!("{shown}: cannot read: {e}")])?;
    let src = String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
        vec![format!(
            "{shown}:{line}: not UTF-8; convert the file to UTF-8"
        )]
    })?;
    let src = match src.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => src,
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((src, stem))
}

/// Longest article file name, in bytes: its sidecar's name (`<stem>.json`,
/// one byte longer) must fit the 255 bytes a file system allows.
pub const MAX_NAME: usize = 254;

pub fn safe_file_name(name: &str) -> Option<String> {
    let name = if name.ends_with(".txt") {
        name.to_string()
    } else {
        format!("{name}.txt")
    };
    let ok = !name.starts_with('.')
        && name.len() > 4
        && name.len() <= MAX_NAME
        && !name.contains(['/', '\\', '\0'])
        && !name.chars().any(char::is_control);
    ok.then_some(name)
}

/// Why `s`'s offsets do not fit `text`, if they do not.
fn misfit(text: &Text, s: &InSpan) -> Option<String> {
    let n = text.len_chars();
    if s.start >= s.end || s.end > n {
        return Some(format!(
            "the offsets are outside the text, which has {n} characters (offsets count Unicode code points)"
        ));
    }
    if !text.is_grapheme_boundary(s.start) || !text.is_grapheme_boundary(s.end) {
        return Some("an edge splits a character (e.g. a letter from its combining accent); offsets count Unicode code points of the text as it is, not normalised".into());
    }
    let actual = text.slice(s.start, s.end);
    if let Some(t) = &s.text
        && t != actual
    {
        return Some(format!(
            "the input says the span holds {} but the text has {} there; the offsets do not match the text",
            quote(t),
            quote(actual)
        ));
    }
    None
}

/// Converts offsets in UTF-16 code units (what JavaScript and Java count)
/// into code points: a character outside the Basic Multilingual Plane
/// (most emoji) is two units but one code point.
struct Utf16 {
    /// The unit offset of each such character, in order.
    astral: Vec<usize>,
    units: usize,
}

impl Utf16 {
    fn new(text: &str) -> Self {
        let mut astral = Vec::new();
        let mut u = 0;
        for c in text.chars() {
            if c.len_utf16() == 2 {
                astral.push(u);
            }
            u += c.len_utf16();
        }
        Utf16 { astral, units: u }
    }

    /// The code point at unit `u`; `None` inside a surrogate pair or past the end.
    fn code_point(&self, u: usize) -> Option<usize> {
        if u > self.units {
            return None;
        }
        let k = self.astral.partition_point(|&a| a < u);
        if k > 0 && self.astral[k - 1] + 1 == u {
            return None;
        }
        Some(u - k)
    }

    fn span(&self, s: &InSpan) -> Option<InSpan> {
        Some(InSpan {
            start: self.code_point(s.start)?,
            end: self.code_point(s.end)?,
            ..s.clone()
        })
    }
}

fn check(inc: &Incoming, overlap: Overlap, offsets: Offsets) -> (Text, Vec<String>) {
    let text = Text::new(inc.text.as_str());
    let mut problems = Vec::new();
    let mut good: Vec<&InSpan> = Vec::new();
    let utf16 = Utf16::new(&inc.text);
    for (k, s) in inc.spans.iter().chain(&inc.rejected).enumerate() {
        let what = format!("{}: {} [{}, {})", s.at, s.label, s.start, s.end);
        if s.label.is_empty() || s.label.chars().any(char::is_whitespace) {
            problems.push(format!("{what}: the label must be one word"));
            continue;
        }
        if let Some(why) = misfit(&text, s) {
            // Tools that count UTF-16 units are off by one after each emoji:
            // say so when reading the offsets that way fits.
            let as_utf16 = offsets == Offsets::CodePoints
                && !utf16.astral.is_empty()
                && utf16.span(s).is_some_and(|u| misfit(&text, &u).is_none());
            let hint = if as_utf16 {
                "; they fit as UTF-16 code units (which count an emoji twice): import again with --offsets utf16"
            } else {
                ""
            };
            problems.push(format!("{what}: {why}{hint}"));
            continue;
        }
        // Rejected spans are records of what is not an entity: they need
        // only fit the text.
        if k >= inc.spans.len() {
            continue;
        }
        for o in &good {
            // As validate has it (`Document::problems`): one extent holds
            // one label, whatever the overlap rule.
            if (o.start, o.end) == (s.start, s.end) {
                problems.push(format!(
                    "{what}: has the extent of {} [{}, {}) from {}; one extent holds one label (keep one)",
                    o.label, o.start, o.end, o.at
                ));
                continue;
            }
            let bad = match overlap {
                Overlap::None => overlaps(o.start..o.end, s.start..s.end),
                Overlap::Nested => crosses(o.start..o.end, s.start..s.end),
                Overlap::Any => false,
            };
            if bad {
                problems.push(format!(
                    "{what}: overlaps {} [{}, {}) from {}, which nhan.toml (overlap = \"{}\") does not allow",
                    o.label,
                    o.start,
                    o.end,
                    o.at,
                    format!("{overlap:?}").to_lowercase()
                ));
            }
        }
        good.push(s);
    }
    (text, problems)
}

/// Reads every span's offsets as UTF-16 code units (`--offsets utf16`).
fn convert_utf16(inc: &mut Incoming, problems: &mut Vec<String>) {
    let utf16 = Utf16::new(&inc.text);
    for s in inc.spans.iter_mut().chain(inc.rejected.iter_mut()) {
        match utf16.span(s) {
            Some(u) => *s = u,
            None => problems.push(format!(
                "{}: {} [{}, {}): with --offsets utf16, an offset falls inside a character or past the text ({} UTF-16 units)",
                s.at, s.label, s.start, s.end, utf16.units
            )),
        }
    }
}

/// Drops spans given twice (same offsets and label), with a note: tools
/// write such duplicates, and they mean one span. A relation to a dropped
/// copy is a relation to the span kept.
fn merge_duplicates(inc: &mut Incoming) {
    let mut seen: HashMap<(usize, usize, String), (String, usize)> = HashMap::new();
    let mut notes = Vec::new();
    // Each input span's place once the copies are gone.
    let mut place = Vec::with_capacity(inc.spans.len());
    let mut kept = Vec::with_capacity(inc.spans.len());
    for s in std::mem::take(&mut inc.spans) {
        match seen.get(&(s.start, s.end, s.label.clone())) {
            Some((first, k)) => {
                notes.push(format!(
                    "{}: {} [{}, {}) is given again (first at {first}); imported once",
                    s.at, s.label, s.start, s.end
                ));
                place.push(*k);
            }
            None => {
                seen.insert(
                    (s.start, s.end, s.label.clone()),
                    (s.at.clone(), kept.len()),
                );
                place.push(kept.len());
                kept.push(s);
            }
        }
    }
    inc.spans = kept;
    for r in &mut inc.relations {
        r.from = place[r.from];
        r.to = place[r.to];
    }
    inc.notes.extend(notes);
}

fn list(v: &[String]) -> String {
    const MAX: usize = 50;
    let mut s: Vec<String> = v.iter().take(MAX).map(|p| format!("  {p}")).collect();
    if v.len() > MAX {
        s.push(format!("  ... and {} more", v.len() - MAX));
    }
    s.join("\n")
}

/// `--add-labels`: appends a `[[labels]]` table per label to `nhan.toml`
/// (written whole, with the built-in labels, when there was none), and
/// says what it did.
fn add_labels(dir: &Path, schema: &Schema, new: &BTreeSet<String>) -> anyhow::Result<String> {
    let path = dir.join("nhan.toml");
    let shown = path.display().to_string();
    let old = match nhan_store::root::read_in(dir, &path) {
        Ok(b) => Some(String::from_utf8(b).map_err(|_| {
            user(format!(
                "{shown}: is not UTF-8; save it as UTF-8 and run the import again"
            ))
        })?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        // The error names the file.
        Err(e) => return Err(user(e.to_string())),
    };
    let text = match old {
        None => {
            let labels: Vec<(String, String)> = schema
                .labels
                .iter()
                .map(|l| (l.name.clone(), l.description.clone()))
                .chain(new.iter().map(|n| (n.clone(), String::new())))
                .collect();
            nhan_model::schema::schema_text(&labels)
        }
        Some(mut s) => {
            if !s.ends_with('\n') {
                s.push('\n');
            }
            for n in new {
                s += &format!(
                    "\n# Added by nhan import --add-labels.\n[[labels]]\nname = \"{}\"\n",
                    n.replace('\\', "\\\\").replace('"', "\\\"")
                );
            }
            s
        }
    };
    // What is written must still be a schema nhan reads.
    Schema::parse(&text, &shown).map_err(|e| user(format!("nothing was imported: {e}")))?;
    write_atomic(&path, text.as_bytes())
        .map_err(|e| user(format!("{shown}: cannot write: {e}")))?;
    let v: Vec<&str> = new.iter().map(String::as_str).collect();
    Ok(format!("added to {shown}: {}", v.join(", ")))
}

pub fn write(
    project_dir: &Path,
    mut incoming: Vec<Incoming>,
    mut problems: Vec<String>,
    args: &ImportArgs,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let schema = nhan_store::project::load_schema(project_dir).map_err(|e| user(e.to_string()))?;
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut docs = Vec::new();
    let mut unknown = BTreeSet::new();
    for inc in &mut incoming {
        if args.offsets == Offsets::Utf16 {
            convert_utf16(inc, &mut problems);
        }
        merge_duplicates(inc);
    }
    for inc in &incoming {
        if let Some(prev) = seen.insert(inc.file_name.clone(), inc.at.clone()) {
            problems.push(format!(
                "{}: gives the article {} again (first at {prev}); give each article once",
                inc.at, inc.file_name
            ));
            continue;
        }
        let (text, p) = check(inc, schema.overlap, args.offsets);
        problems.extend(p);
        for s in &inc.spans {
            if schema.index_of(&s.label).is_none() {
                unknown.insert(s.label.clone());
            }
        }
        // What validate would flag is refused here, by file and line.
        for r in &inc.relations {
            let (from, to) = (&inc.spans[r.from].label, &inc.spans[r.to].label);
            let label = nhan_model::escape::line(&r.label);
            if schema.relation(&r.label).is_none() {
                problems.push(format!(
                    "{}: relation type {label} is not in nhan.toml; declare it as a [[relations]] table there",
                    r.at
                ));
            } else if !schema.fits(&r.label, from, to) {
                problems.push(format!(
                    "{}: a {label} relation may not join {from} to {to} (see its from and to in nhan.toml)",
                    r.at
                ));
            }
        }
        docs.push((inc, text));
    }
    if !problems.is_empty() {
        return Err(user(format!(
            "nothing was imported; fix the input ({} problem(s)):\n{}",
            problems.len(),
            list(&problems)
        )));
    }
    // An article is reviewed only when every span has a decision.
    let undecided: Vec<String> = docs
        .iter()
        .filter(|(inc, _)| inc.status.unwrap_or(args.status) == Status::Reviewed)
        .filter_map(|(inc, _)| {
            let n = inc.spans.iter().filter(|s| s.review.is_none()).count();
            // No format gives a decision on a relation.
            let rels = match inc.relations.len() {
                0 => String::new(),
                1 => ", 1 relation".into(),
                k => format!(", {k} relations"),
            };
            (n + inc.relations.len() > 0)
                .then(|| format!("{} ({n} of {} spans{rels})", inc.at, inc.spans.len()))
        })
        .collect();
    if !undecided.is_empty() && args.reviewer.is_none() {
        return Err(user(format!(
            "nothing was imported: {} article(s) would be reviewed with spans or relations no reviewer decided:\n{}\n\
             give --reviewer NAME to record them as accepted by NAME, or import with --status done \
             and review them in nhan",
            undecided.len(),
            list(&undecided)
        )));
    }
    if !unknown.is_empty() && !args.add_labels {
        let count = |l: &String| {
            docs.iter()
                .flat_map(|(inc, _)| &inc.spans)
                .filter(|s| &s.label == l)
                .count()
        };
        let named: Vec<String> = unknown
            .iter()
            // Labels come from the input: shown escaped, never as
            // terminal codes.
            .map(|l| format!("{} ({} spans)", nhan_model::escape::line(l), count(l)))
            .collect();
        return Err(user(format!(
            "nothing was imported: labels not in {}: {}; add them as [[labels]] there, \
             or import again with --add-labels to have them added",
            project_dir.join("nhan.toml").display(),
            named.join(", ")
        )));
    }

    let articles = project_dir.join("articles");
    let annotations = project_dir.join("annotations");
    let mut clashes = Vec::new();
    for (inc, _) in &docs {
        let a = articles.join(&inc.file_name);
        let stem = nhan_store::project::stem_of(&inc.file_name);
        let s = annotations.join(format!("{stem}.json"));
        if let Ok(old) = nhan_store::root::read_in(project_dir, &a)
            && old != inc.text.as_bytes()
        {
            clashes.push(format!(
                "{} exists with another text (from {})",
                a.display(),
                inc.at
            ));
        }
        if s.exists() {
            clashes.push(format!("{} exists (from {})", s.display(), inc.at));
        }
    }
    if !clashes.is_empty() && !args.force {
        return Err(user(format!(
            "nothing was imported; these files exist and --force was not given:\n{}",
            list(&clashes)
        )));
    }
    // A running nhan would write its own state over the imported sidecars
    // (and, before it checked the disk, did): held until the import ends.
    let _lock = nhan_store::lock::acquire(project_dir).map_err(|held| {
        user(format!(
            "nothing was imported: {held}; quit the other nhan, then import again"
        ))
    })?;
    if !unknown.is_empty() {
        let added = add_labels(project_dir, &schema, &unknown)?;
        writeln!(err, "{added}")?;
    }

    let mut n_spans = 0;
    let mut n_relations = 0;
    let mut n_rejected = 0;
    for (inc, text) in docs {
        let bytes = inc.text.as_bytes();
        let mut doc = Document::new(inc.file_name.clone(), text, sha256_hex(bytes));
        doc.apply(&Edit::SetStatus {
            before: doc.status(),
            after: inc.status.unwrap_or(args.status),
        });
        if let Some(n) = &inc.note {
            doc.apply(&Edit::SetField {
                field: nhan_model::edit::Field::Note,
                before: None,
                after: Some(n.as_str().into()),
            });
        }
        let mut spans: Vec<(usize, &InSpan)> = inc.spans.iter().enumerate().collect();
        spans.sort_by(|(_, a), (_, b)| (a.start, a.end, &a.label).cmp(&(b.start, b.end, &b.label)));
        let mut taken = std::collections::HashSet::new();
        // The id each input span got, by its place in the input.
        let mut made = vec![SpanId(0); inc.spans.len()];
        for &(k, s) in &spans {
            let mut span = doc.make_span(s.start, s.end, &s.label, s.annotator.as_deref());
            if let Some(id) = s.id.filter(|&id| id.0 != 0 && taken.insert(id)) {
                span.id = id;
            }
            span.review = s.review.as_deref().map(Decision::spelled);
            span.reviewer = s.reviewer.as_deref().map(Into::into);
            if span.review.is_none()
                && doc.status() == Status::Reviewed
                && let Some(r) = &args.reviewer
            {
                span.review = Some(Decision::accepted());
                span.reviewer = Some(r.as_str().into());
            }
            super::notes::put_fields(&mut span, &s.fields);
            made[k] = span.id;
            doc.apply(&Edit::Add(span));
        }
        n_spans += spans.len();
        n_relations += inc.relations.len();
        // The relation ids given so far (a set: an article may hold 10,000).
        let mut rel_ids = std::collections::HashSet::new();
        for r in &inc.relations {
            let mut rel =
                doc.make_relation(made[r.from], made[r.to], &r.label, r.annotator.as_deref());
            if let Some(id) = r.id.filter(|&id| id.0 != 0 && !rel_ids.contains(&id)) {
                rel.id = id;
            }
            rel_ids.insert(rel.id);
            rel.review = r.review.as_deref().map(Decision::spelled);
            rel.reviewer = r.reviewer.as_deref().map(Into::into);
            // As for spans: a reviewed article's relations are decided.
            if rel.review.is_none()
                && doc.status() == Status::Reviewed
                && let Some(who) = &args.reviewer
            {
                rel.review = Some(Decision::accepted());
                rel.reviewer = Some(who.as_str().into());
            }
            doc.apply(&Edit::add_relation(rel));
        }
        if !inc.rejected.is_empty() {
            let records: Vec<Record> = inc
                .rejected
                .iter()
                .map(|s| {
                    let span = doc.make_span(s.start, s.end, &s.label, s.annotator.as_deref());
                    let mut r = Record::rejection(&span, None);
                    r.reviewer = s.reviewer.clone();
                    r
                })
                .collect();
            n_rejected += records.len();
            doc.apply(&List::Rejected.append(&doc, records));
        }
        let a = articles.join(&inc.file_name);
        if nhan_store::root::read_in(project_dir, &a).ok().as_deref() != Some(bytes) {
            nhan_store::atomic::write_in(project_dir, &a, bytes)
                .map_err(|e| user(format!("{}: cannot write: {e}", a.display())))?;
        }
        let stem = nhan_store::project::stem_of(&inc.file_name);
        let s = annotations.join(format!("{stem}.json"));
        nhan_store::atomic::write_in(project_dir, &s, doc.to_sidecar().to_json().as_bytes())
            .map_err(|e| user(format!("{}: cannot write: {e}", s.display())))?;
        for n in &inc.notes {
            writeln!(err, "note: {}", nhan_model::escape::line(n))?;
        }
    }
    let n_done = incoming
        .iter()
        .filter(|i| i.status.unwrap_or(args.status) == Status::Done)
        .count();
    let rejected = if n_rejected > 0 {
        format!(" and {n_rejected} rejected spans")
    } else {
        String::new()
    };
    let relations = if n_relations > 0 {
        format!(" (and {n_relations} relations between them)")
    } else {
        String::new()
    };
    writeln!(
        err,
        "imported {} articles with {n_spans} spans{rejected}{relations} into {} (articles/ and annotations/)",
        incoming.len(),
        project_dir.display()
    )?;
    if n_done > 0 {
        writeln!(
            err,
            "note: {n_done} articles are done, not reviewed: `nhan export` takes reviewed ones; \
             review them (r in nhan), or export them as they are with --status done"
        )?;
    }
    Ok(())
}
