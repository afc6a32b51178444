//! A project folder: `articles/*.txt`, `annotations/<stem>.json`, `nhan.toml`.

use super::encoding;
use nhan_model::document::Document;
use nhan_model::reanchor;
use nhan_model::schema::Overlap;
use nhan_model::schema::{Schema, SchemaError};
use nhan_model::sidecar::{SidecarError, sha256_hex};
use nhan_model::span::{Span, SpanStore};
use nhan_model::status::Status;
use nhan_model::text::Text;
use rustix::fs::FileType;
use std::path::{Path, PathBuf};

/// An article's stem: its file name less one `.txt` (so `a.txt` and
/// `a.txt.txt` have the stems `a` and `a.txt`, and their own sidecars). The
/// one rule for every sidecar, suggestion and export name.
pub fn stem_of(file_name: &str) -> &str {
    file_name.strip_suffix(".txt").unwrap_or(file_name)
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArticleMeta {
    pub file_name: String,
    pub stem: String,
    /// The first non-empty line, trimmed.
    pub title: String,
    pub status: Status,
    pub span_count: usize,
    /// Why the article or its sidecar cannot be used as it is.
    pub problem: Option<String>,
    /// Read (or glanced at) since listing: until then status, count and
    /// title are placeholders, which the list shows as "…".
    pub scanned: bool,
    /// The article or its sidecar could not be read: status and count are
    /// unknown (not "todo, 0 spans").
    pub unreadable: bool,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub schema: Schema,
    /// Shared, not copied, with the threads that read the project (the
    /// loader, the scanner, suggestions): at 100,000 articles each copy
    /// cost 50 ms on the way to the first frame. Changed through
    /// `Arc::make_mut`.
    pub articles: std::sync::Arc<Vec<ArticleMeta>>,
    /// Whose sidecars this session reads and writes: `None` for the gold
    /// `annotations/<stem>.json`, a name for `annotations/<name>/<stem>.json`
    /// (blind double annotation).
    pub annotator_dir: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{0}: no articles/ folder here; run nhan in a project folder or pass --project DIR")]
    NoArticles(String),
    #[error("{path}: cannot read the folder: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

/// Why an article cannot be shown (its sidecar's problems make it
/// read-only instead: see [`Loaded::read_only`]). Each names the file.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LoadError {
    /// Not there, not a regular file, outside the project, unreadable.
    #[error(transparent)]
    Read(std::sync::Arc<std::io::Error>),
    /// Not UTF-8: what it probably is and the command that converts it.
    #[error("{}", diagnosis.message(path))]
    Encoding {
        path: String,
        diagnosis: encoding::Diagnosis,
    },
}

impl LoadError {
    fn read(e: std::io::Error) -> LoadError {
        LoadError::Read(std::sync::Arc::new(e))
    }
}

/// An opened article: the document, and why it is read-only if it is.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub doc: Document,
    pub read_only: Option<String>,
    /// Something odd about the article that does not stop editing (empty,
    /// NUL bytes, replacement characters).
    pub notice: Option<String>,
    /// The article changed since annotation and the spans were placed again;
    /// the sidecar is rewritten only when the user accepts.
    pub reanchored: Option<Reanchor>,
    /// The sidecar as it was on disk just before it was read (`None`: no
    /// sidecar): a save first checks that it is still so.
    pub on_disk: Option<crate::disk::DiskStamp>,
}

/// The outcome of re-anchoring, waiting for the user's yes.
#[derive(Debug, Clone)]
pub struct Reanchor {
    pub moved: usize,
    /// Spans placed at their old offsets.
    pub kept: usize,
    /// The old text was found (cache or git) and diffed: a moved span's
    /// words are known to have been edited. Without it, spans were looked
    /// for by their words, and what was edited is not known.
    pub by_diff: bool,
    pub orphans: Vec<nhan_model::span::Span>,
    /// Spans whose own words were edited and that were found again
    /// elsewhere, each with its old start: what the user should look at.
    pub searched: Vec<(usize, nhan_model::span::Span)>,
}

impl Reanchor {
    /// The orphans as a short list for the screen: ` (PER “Lan”, ORG “…”)`.
    pub fn orphan_list(&self) -> String {
        if self.orphans.is_empty() {
            return String::new();
        }
        let items: Vec<String> = self
            .orphans
            .iter()
            .map(|s| format!("{} “{}” at {}", s.label, s.text, s.start))
            .collect();
        format!(" ({})", items.join(", "))
    }

    /// The spans found again after an edit of their own words, for the
    /// screen: `; 1 found again elsewhere (LOC “Huế” 40 → 52)`.
    pub fn searched_list(&self) -> String {
        if self.searched.is_empty() {
            return String::new();
        }
        let items: Vec<String> = self
            .searched
            .iter()
            .take(5)
            .map(|(from, s)| format!("{} “{}” {from} → {}", s.label, s.text, s.start))
            .collect();
        let more = if self.searched.len() > 5 { ", …" } else { "" };
        format!(
            "; {} found again elsewhere ({}{more})",
            self.searched.len(),
            items.join(", ")
        )
    }
}

impl Project {
    /// Opens a project listing its article files only, without reading
    /// them: each title is the file stem, status `todo`, no spans, until
    /// `scan` tells more. Costs one directory read, whatever the articles.
    pub fn list(root: &Path) -> Result<Project, ProjectError> {
        let schema = load_schema(root)?;
        let dir = root.join("articles");
        if !dir.is_dir() {
            return Err(ProjectError::NoArticles(root.display().to_string()));
        }
        let io = |source| ProjectError::Io {
            path: dir.display().to_string(),
            source,
        };
        let mut names: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".txt") && !name.starts_with('.') {
                names.push(name);
            }
        }
        names.sort();
        let mut p = Project {
            root: root.to_path_buf(),
            schema,
            articles: Default::default(),
            annotator_dir: None,
        };
        p.articles = std::sync::Arc::new(names.into_iter().map(ArticleMeta::listed).collect());
        Ok(p)
    }

    /// Opens a project and reads every article and sidecar for the list's
    /// titles, statuses and counts (what the CLI commands need).
    pub fn open(root: &Path) -> Result<Project, ProjectError> {
        let mut p = Project::list(root)?;
        p.articles = std::sync::Arc::new((0..p.articles.len()).map(|i| p.scan(i)).collect());
        Ok(p)
    }

    /// Reads article `index` and its sidecar: its title, status, span count
    /// and problem, for `articles[index]`. Costs one `load`; meant for a
    /// background thread after `list` (the `Project` is `Clone` and `Send`).
    pub fn scan(&self, index: usize) -> ArticleMeta {
        self.scan_file(&self.articles[index].file_name)
    }

    /// `scan` for the interactive list: an article over 1 MB is only
    /// glanced at (see `glance`), so that reading it in the background
    /// neither doubles the memory nor slows opening it.
    pub fn scan_for_list(&self, index: usize) -> ArticleMeta {
        let file_name = &self.articles[index].file_name;
        let size = std::fs::metadata(self.article_path(file_name)).map_or(0, |m| m.len());
        if size <= GLANCE_ABOVE {
            return self.scan_file(file_name);
        }
        let mut meta = ArticleMeta::listed(file_name.clone());
        self.glance(file_name, &mut meta);
        meta.scanned = true;
        meta.unreadable = meta.problem.is_some();
        meta
    }

    pub fn article_path(&self, file_name: &str) -> PathBuf {
        self.root.join("articles").join(file_name)
    }

    /// The article's file, opened beneath the project: a regular file only
    /// (a clone's `a.txt -> /dev/zero` or FIFO is refused, named), through
    /// no symlink that leaves the project. The error names the file.
    pub fn open_article(&self, file_name: &str) -> std::io::Result<std::fs::File> {
        let path = self.article_path(file_name);
        let (root, rel) = crate::root::beneath(&self.root, &path)?;
        root.open_regular(rel)
    }

    /// The article's bytes (see [`Project::open_article`]).
    pub fn read_article(&self, file_name: &str) -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut v = Vec::new();
        self.open_article(file_name)?.read_to_end(&mut v)?;
        Ok(v)
    }

    /// The sidecar this session edits (the gold one, or the annotator's).
    pub fn sidecar_path(&self, stem: &str) -> PathBuf {
        match &self.annotator_dir {
            Some(name) => self.annotator_path(name, stem),
            None => self.gold_path(stem),
        }
    }

    pub fn gold_path(&self, stem: &str) -> PathBuf {
        self.root.join("annotations").join(format!("{stem}.json"))
    }

    pub fn annotator_path(&self, annotator: &str, stem: &str) -> PathBuf {
        self.root
            .join("annotations")
            .join(annotator)
            .join(format!("{stem}.json"))
    }

    /// Annotators with their own work on this article, sorted by name.
    /// (Export asks it of every article: a stat per annotator, not a
    /// listing.)
    pub fn annotators_of(&self, stem: &str) -> Vec<String> {
        let Ok(ann) = crate::root::Root::open(&self.root)
            .and_then(|r| r.dir(Path::new("annotations"), false))
        else {
            return Vec::new();
        };
        let file = format!("{stem}.json");
        ann.entries()
            .unwrap_or_default()
            .into_iter()
            .filter(|(name, kind)| *kind == FileType::Directory && !name.starts_with('.'))
            .filter(|(name, _)| {
                ann.kind(&Path::new(name).join(&file))
                    .is_ok_and(|k| k == Some(FileType::RegularFile))
            })
            .map(|(name, _)| name)
            .collect()
    }

    /// Switches this session to `annotator`'s own sidecars and re-reads the
    /// list (status and counts are theirs).
    pub fn work_as(&mut self, annotator: &str) {
        self.annotator_dir = Some(annotator.to_string());
        self.articles =
            std::sync::Arc::new((0..self.articles.len()).map(|i| self.scan(i)).collect());
    }

    fn scan_file(&self, file_name: &str) -> ArticleMeta {
        let stem = stem_of(file_name).to_string();
        let mut meta = ArticleMeta {
            file_name: file_name.into(),
            stem: stem.clone(),
            title: stem.clone(),
            status: Status::Todo,
            span_count: 0,
            problem: None,
            scanned: true,
            unreadable: false,
        };
        match self.load(file_name) {
            Ok(l) => {
                meta.title = title_of(l.doc.text().as_str()).unwrap_or(stem);
                meta.status = l.doc.status();
                meta.span_count = l.doc.spans().len();
                // Read-only without re-placed spans: the sidecar itself
                // could not be used.
                meta.unreadable = l.read_only.is_some() && l.reanchored.is_none();
                meta.problem = l.read_only.or(l.notice);
            }
            Err(e) => {
                meta.unreadable = true;
                meta.problem = Some(e.to_string());
            }
        }
        meta
    }

    /// What the list shows of a large article, read without loading it: the
    /// title from its first 64 KB, status and span count from its sidecar
    /// read as a stream. Problems inside the article or its spans show when
    /// it is opened.
    fn glance(&self, file_name: &str, meta: &mut ArticleMeta) {
        use std::io::Read;
        let path = self.article_path(file_name);
        let mut head = Vec::with_capacity(1 << 16);
        let read = self
            .open_article(file_name)
            .and_then(|f| f.take(1 << 16).read_to_end(&mut head));
        if let Err(e) = read {
            // The error names the file.
            meta.problem = Some(e.to_string());
            return;
        }
        let valid = match std::str::from_utf8(&head) {
            Ok(s) => s,
            // Cut inside a character at the 64 KB mark.
            Err(e) if e.error_len().is_none() => {
                std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
            }
            Err(_) => {
                meta.problem = Some(encoding::diagnose(&head).message(&path.display().to_string()));
                return;
            }
        };
        if let Some(t) = title_of(valid) {
            meta.title = t;
        }
        #[derive(serde::Deserialize)]
        struct Glance {
            #[serde(default)]
            status: Status,
            #[serde(default)]
            spans: Count,
        }
        #[derive(Default)]
        struct Count(usize);
        impl<'de> serde::Deserialize<'de> for Count {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Count, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = Count;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("a list of spans")
                    }
                    fn visit_seq<A: serde::de::SeqAccess<'de>>(
                        self,
                        mut a: A,
                    ) -> Result<Count, A::Error> {
                        let mut n = 0;
                        while a.next_element::<serde::de::IgnoredAny>()?.is_some() {
                            n += 1;
                        }
                        Ok(Count(n))
                    }
                }
                d.deserialize_seq(V)
            }
        }
        let sc_path = self.sidecar_path(stem_of(file_name));
        let f = match crate::sidecar_file::open(&sc_path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(e) => {
                meta.problem = Some(format!("{e}; nhan will not overwrite it"));
                return;
            }
        };
        let r = std::io::BufReader::with_capacity(1 << 16, f);
        match serde_json::from_reader::<_, Glance>(r) {
            Ok(g) => {
                meta.status = g.status;
                meta.span_count = g.spans.0;
            }
            Err(e) => {
                let e = SidecarError::from_json(&e, &sc_path.display().to_string());
                meta.problem = Some(format!(
                    "{e}; fix or move the file, nhan will not overwrite it"
                ));
            }
        }
    }

    /// An article's status and its spans' words, from its sidecar alone:
    /// what an undecided article teaches the recommenders (its untagged
    /// text says nothing yet). The article is not read, so a 10 MB
    /// article being opened is not read a second time, at the same
    /// moment, by the recommenders being built. `None` when the sidecar
    /// cannot be read so simply (unreadable, a newer format, a span without
    /// its words): `load` then says why.
    pub fn sidecar_words(&self, file_name: &str) -> Option<SidecarWords> {
        let path = self.sidecar_path(stem_of(file_name));
        let f = match crate::sidecar_file::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Some(SidecarWords::default());
            }
            Err(_) => return None,
        };
        let words: SidecarWords =
            serde_json::from_reader(std::io::BufReader::with_capacity(1 << 16, f)).ok()?;
        let shown = path.display().to_string();
        nhan_model::sidecar::newer(words.nhan, &shown).ok()?;
        if words.spans.iter().any(|s| s.text.is_empty()) {
            return None;
        }
        Some(words)
    }

    /// Reads an article and its sidecar. `Err` means the article itself
    /// cannot be shown; a bad sidecar gives a read-only document instead.
    /// Tokens are segmented when first asked for.
    pub fn load(&self, file_name: &str) -> Result<Loaded, LoadError> {
        self.load_with(file_name, false)
    }

    /// `load` for editing: the tokens are segmented on another thread at
    /// once, while the first screen is drawn.
    pub fn load_for_editing(&self, file_name: &str) -> Result<Loaded, LoadError> {
        self.load_with(file_name, true)
    }

    fn load_with(&self, file_name: &str, background: bool) -> Result<Loaded, LoadError> {
        let path = self.article_path(file_name);
        let shown_path = path.display().to_string();
        // The error names the file.
        let bytes = self.read_article(file_name).map_err(LoadError::read)?;
        // The buffer becomes the text without a copy.
        let text = Text::from_file_vec(bytes).map_err(|(_, bytes)| LoadError::Encoding {
            path: shown_path.clone(),
            diagnosis: encoding::diagnose(&bytes),
        })?;
        let notice =
            encoding::problem_for_text(text.as_str()).map(|p| format!("{shown_path}: {p}"));
        let stem = stem_of(file_name);
        let sc_path = self.sidecar_path(stem);
        // Hashing and parsing the sidecar are independent: on two cores the
        // article being opened is ready in the time of the longer. Commands
        // that read the whole project keep every core busy with articles
        // already, and a thread per article would only cost its start.
        let (sha, sc) = if background {
            std::thread::scope(|s| {
                let sha = s.spawn(|| sha256_hex(text.as_str().as_bytes()));
                let sc = crate::sidecar_file::read(&sc_path);
                (joined(sha), sc)
            })
        } else {
            (
                sha256_hex(text.as_str().as_bytes()),
                crate::sidecar_file::read(&sc_path),
            )
        };
        // Opened for editing: whatever sidecar is written next refers to
        // this text. Keep it, so that a later edit of the article can be
        // re-anchored by a diff. (Not for an export or `stats`, which write
        // no spans and would copy the whole corpus.)
        if background {
            crate::text_cache::remember(&sha, text.as_str().as_bytes());
        }
        let doc = if background {
            Document::segment_in_background(file_name, text, sha)
        } else {
            Document::segment_on_demand(file_name, text, sha)
        };
        let loaded = |doc, read_only| Loaded {
            doc,
            read_only,
            notice: notice.clone(),
            reanchored: None,
            on_disk: None,
        };
        let shown = sc_path.display().to_string();
        let sc = match sc {
            Ok(Ok(sc)) => sc,
            Ok(Err(e)) => {
                let why = format!("{e}; fix or move the file, nhan will not overwrite it");
                return Ok(loaded(doc, Some(why)));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(loaded(doc, None)),
            Err(e) => {
                // The error names the file.
                let why = format!("{e}; nhan will not overwrite it");
                return Ok(loaded(doc, Some(why)));
            }
        };
        let (mut head, mut spans) = sc.into_parts();
        // The article changed since it was annotated: place each span again
        // by its text; what cannot be placed is kept, never dropped.
        let mut reanchored = None;
        if head.text_sha256 != doc.text_sha256() {
            let opts = reanchor::Options {
                allow_crossing: self.schema.overlap == Overlap::Any,
            };
            let old: Vec<Span> = spans.iter().cloned().collect();
            let (r, by_diff) = reanchor_article(&path, &head.text_sha256, &old, doc.text(), opts);
            let kept = r.placed.len() - r.moved;
            spans = SpanStore::new(r.placed);
            head.text_sha256 = doc.text_sha256().to_string();
            let was: std::collections::HashMap<nhan_model::ids::SpanId, usize> =
                old.iter().map(|s| (s.id, s.start)).collect();
            let searched = r
                .searched
                .into_iter()
                .map(|s| (was.get(&s.id).copied().unwrap_or(s.start), s))
                .collect();
            reanchored = Some(Reanchor {
                moved: r.moved,
                kept,
                by_diff,
                orphans: r.orphans,
                searched,
            });
        }
        // A plain git merge of two branches' new spans may have left two
        // spans with one id: renumber rather than refuse the article.
        let renumbered = spans.renumber_duplicate_ids();
        // Relations that meant the renumbered span follow it.
        let followed =
            nhan_model::relation::follow_renumbered_in(&mut head.extra, &renumbered, &spans);
        // A merge left decisions to make (`nhan merge-file`): say so on
        // opening, without stopping the work.
        let unsettled = nhan_model::merge::unsettled(&head.extra).map(|u| format!("{shown}: {u}"));
        let loaded = |doc, read_only| {
            let mut l = loaded(doc, read_only);
            if !renumbered.is_empty() {
                l.notice = Some(renumbered_notice(&shown, &renumbered, followed));
            } else if unsettled.is_some() {
                l.notice.clone_from(&unsettled);
            }
            l
        };
        let (doc, problems) = doc.with_store(head, spans);
        if let Some(first) = problems.first() {
            let more = match problems.len() {
                1 => String::new(),
                n => format!(" (and {} more problems; see `nhan validate`)", n - 1),
            };
            let why = format!("{shown}: {first}{more}; read-only until fixed");
            return Ok(loaded(doc, Some(why)));
        }
        if let Some(r) = &reanchored {
            let why = format!(
                "{}: the article changed since it was annotated: {} moved, {} could not be placed{}{}; A accepts (unplaced spans are kept under \"orphans\"), until then read-only",
                shown,
                plural(r.moved, "span"),
                r.orphans.len(),
                r.orphan_list(),
                r.searched_list(),
            );
            let mut l = loaded(doc, Some(why));
            l.reanchored = reanchored;
            return Ok(l);
        }
        Ok(loaded(doc, None))
    }
}

/// Says which spans got new ids because another span had theirs.
fn renumbered_notice(
    shown: &str,
    renumbered: &[(nhan_model::ids::SpanId, nhan_model::ids::SpanId)],
    followed: usize,
) -> String {
    let list: Vec<String> = renumbered
        .iter()
        .take(3)
        .map(|(old, new)| format!("{old} → {new}"))
        .collect();
    let more = if renumbered.len() > 3 { ", …" } else { "" };
    let followed = match followed {
        0 => String::new(),
        n => format!(
            ", and {} by the same annotator followed",
            plural(n, "relation")
        ),
    };
    format!(
        "{shown}: {} span(s) shared an id with another span (a git merge?) and got new ids ({}{more}){followed}; saved with your next edit. `nhan git-setup` makes git merge sidecars span by span",
        renumbered.len(),
        list.join(", ")
    )
}

/// Articles larger than this are only glanced at for the list.
const GLANCE_ABOVE: u64 = 1 << 20;

/// A scoped thread's result, its panic passed on.
fn joined<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
}

impl ArticleMeta {
    /// An article known by its file name only (not read yet).
    pub fn listed(file_name: String) -> ArticleMeta {
        let stem = stem_of(&file_name).to_string();
        ArticleMeta {
            title: stem.clone(),
            stem,
            file_name,
            status: Status::Todo,
            span_count: 0,
            problem: None,
            scanned: false,
            unreadable: false,
        }
    }
}

fn title_of(text: &str) -> Option<String> {
    text.lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'))
        .find(|l| !l.is_empty())
        .map(|l| l.chars().take(200).collect())
}

/// "1 span", "3 spans".
fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Re-places `old_spans`, made on the text whose SHA-256 is `old_sha256`,
/// in `new_text` (the article now at `article`): through a diff when that
/// text can be found (this machine's cache of opened texts, then the
/// article's git history), else by the span texts alone. The model is
/// given the old text; finding it is the store's job.
fn reanchor_article(
    article: &Path,
    old_sha256: &str,
    old_spans: &[nhan_model::span::Span],
    new_text: &Text,
    opts: reanchor::Options,
) -> (reanchor::Reanchored, bool) {
    let old_text = crate::text_cache::recall(old_sha256)
        .or_else(|| crate::git::old_article_text(article, old_sha256))
        .and_then(|b| Text::from_file_vec(b).ok());
    match old_text {
        Some(old_text) => (
            reanchor::reanchor_by_diff(old_spans, &old_text, new_text, opts),
            true,
        ),
        None => (reanchor::reanchor_with(old_spans, new_text, opts), false),
    }
}

/// Reads `dir/nhan.toml`; a missing file means the default schema.
/// The annotators with work in the project at `root`: the sub-folders of
/// `annotations/` holding at least one sidecar, sorted. Read through the
/// root handle: a symlinked folder (`annotations/x -> /elsewhere`) is no
/// annotator's, and nothing outside the project is listed. No
/// `annotations/` is no annotators.
pub fn annotator_folders(root: &Path) -> std::io::Result<Vec<String>> {
    let ann = match crate::root::Root::open(root)?.dir(Path::new("annotations"), false) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(ann
        .entries()?
        .into_iter()
        .filter(|(name, kind)| *kind == FileType::Directory && !name.starts_with('.'))
        .map(|(name, _)| name)
        .filter(|name| sidecar_names(root, Some(name)).is_ok_and(|v| !v.is_empty()))
        .collect())
}

/// The sidecars (`*.json` regular files, hidden ones left out) in
/// `annotations/` or, given `annotator`, in `annotations/<annotator>/`,
/// sorted by name; through the root handle as [`annotator_folders`].
pub fn sidecar_names(root: &Path, annotator: Option<&str>) -> std::io::Result<Vec<String>> {
    let rel = match annotator {
        Some(a) => Path::new("annotations").join(a),
        None => PathBuf::from("annotations"),
    };
    let dir = match crate::root::Root::open(root)?.dir(&rel, false) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(dir
        .entries()?
        .into_iter()
        .filter(|(name, kind)| {
            *kind == FileType::RegularFile && name.ends_with(".json") && !name.starts_with('.')
        })
        .map(|(name, _)| name)
        .collect())
}

pub fn load_schema(dir: &Path) -> Result<Schema, SchemaError> {
    let path = dir.join("nhan.toml");
    match std::fs::read_to_string(&path) {
        Ok(src) => Schema::parse(&src, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Schema::default()),
        Err(source) => Err(SchemaError::Io {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// An article without its sidecar, as `Project::load` reads it (same
/// messages), and what is odd about its text: validate checks every
/// sidecar itself, so loading the gold one too would read it twice.
pub fn read_article(
    project: &Project,
    file_name: &str,
) -> Result<(Document, Option<String>), LoadError> {
    let path = project.article_path(file_name);
    let shown = path.display().to_string();
    // The error names the file.
    let bytes = project.read_article(file_name).map_err(LoadError::read)?;
    let text = Text::from_file_vec(bytes).map_err(|(_, bytes)| LoadError::Encoding {
        path: shown.clone(),
        diagnosis: encoding::diagnose(&bytes),
    })?;
    let notice = encoding::problem_for_text(text.as_str()).map(|p| format!("{shown}: {p}"));
    let sha = sha256_hex(text.as_str().as_bytes());
    Ok((Document::segment_on_demand(file_name, text, sha), notice))
}

/// A sidecar as [`Project::sidecar_words`] reads it: every other field is
/// passed over.
#[derive(Debug, Default, serde::Deserialize)]
pub struct SidecarWords {
    #[serde(default)]
    pub nhan: u64,
    #[serde(default)]
    pub status: Status,
    /// The text the spans were made on.
    #[serde(default)]
    pub text_sha256: String,
    #[serde(default)]
    pub spans: Vec<SpanWords>,
}

/// A span's place, label and words.
#[derive(Debug, serde::Deserialize)]
pub struct SpanWords {
    pub start: usize,
    pub end: usize,
    pub label: String,
    #[serde(default)]
    pub text: String,
}
