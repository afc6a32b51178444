//! The recommenders of a project together: what the TUI and `nhan suggest`
//! use (see the module doc of [`crate`]).

use super::calibrate::{Cached, Isotonic};
use super::command::CommandRecommender;
use super::config::{self, Kind, RecommenderConfig};
use super::corpus::Corpus;
use super::dictionary::{self, Dictionary};
use super::error::{CommandError, SuggestError};
use super::store::{self, Rejections};
use super::tagger::Tagger;
use super::{ArticleInput, Known, Recommender, Suggestion, rules, trust};
use nhan_model::details::{Details, Field};
use nhan_model::schema::Overlap;
use nhan_model::span::{Span, SpanId};
use nhan_model::text::Text;
use nhan_store::project::Project;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Only these recommenders (by name); empty: all configured.
    pub only: Vec<String>,
    /// Train the tagger rather than read a cached model (eval does).
    pub no_cache: bool,
    /// Leave raw scores as they are (the builds that fit the calibration).
    pub raw_scores: bool,
}

enum Slot {
    Dictionary(String, Dictionary),
    Tagger(TaggerSlot),
    Command(CommandRecommender),
}

/// A tagger with the dictionary its features read: built exactly as the
/// one it was trained with (every gazetteer of the project, the default
/// threshold), whichever recommenders are running beside it, so that
/// `--recommender tagger` tags as `--eval` measured it.
struct TaggerSlot {
    name: String,
    tagger: Arc<Tagger>,
    min_score: f32,
    dictionary: Option<Dictionary>,
    /// The slot of a dictionary recommender built exactly as that one
    /// would be: read instead of a copy of its own.
    shares: Option<usize>,
}

/// Answers of command recommenders by (recommender, article).
pub type Given = std::collections::HashMap<(String, String), Result<Vec<Suggestion>, SuggestError>>;

pub struct Suggester {
    pub overlap: Overlap,
    pub labels: Vec<String>,
    slots: Vec<Slot>,
    /// Why a configured recommender is not running (not approved, a bad
    /// gazetteer, ...): for the message line or stderr.
    pub notes: Vec<SuggestError>,
    /// Articles the build could not read (a corrupt sidecar, a bad
    /// encoding), learnt nothing from: the TUI lists and explains them
    /// already, the command line says them on stderr.
    pub unread: Vec<String>,
    /// Per built-in recommender, its raw score to the chance of being
    /// right (none: too little gold to fit one).
    calibration: HashMap<String, Isotonic>,
}

impl Suggester {
    /// Reads the project, builds the dictionaries and loads (or trains and
    /// caches) the tagger. Slow on a large project: call it off the UI
    /// thread ([`Suggester::build_in_background`]).
    pub fn build(project: &Project, opts: &BuildOptions) -> Result<Suggester, SuggestError> {
        let configs = config::load(project)?;
        select(configs.clone(), &opts.only)?;
        let (corpus, problems) = Corpus::load_to_learn(project);
        let mut s = Suggester::from_corpus(project, &corpus, &configs, opts)?;
        s.unread = problems;
        Ok(s)
    }

    /// `build`, handing back the articles it read (with their tokens), so
    /// that a caller going through them all does not read them again.
    pub fn build_with_corpus(
        project: &Project,
        opts: &BuildOptions,
    ) -> Result<(Suggester, Corpus), SuggestError> {
        let configs = config::load(project)?;
        select(configs.clone(), &opts.only)?;
        let (corpus, problems) = Corpus::load(project);
        let mut s = Suggester::from_corpus(project, &corpus, &configs, opts)?;
        s.unread = problems;
        Ok((s, corpus))
    }

    /// `build` on another thread; the result arrives on the channel.
    pub fn build_in_background(
        project: Project,
        opts: BuildOptions,
    ) -> std::sync::mpsc::Receiver<Result<Suggester, SuggestError>> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(Suggester::build(&project, &opts));
        });
        rx
    }

    /// Builds from an already loaded corpus (eval trains one per fold).
    /// `configs` are all the project's recommenders (their gazetteers feed
    /// the tagger's dictionary); only those named in `opts.only` run.
    pub fn from_corpus(
        project: &Project,
        corpus: &Corpus,
        configs: &[RecommenderConfig],
        opts: &BuildOptions,
    ) -> Result<Suggester, SuggestError> {
        Suggester::from_corpus_sharing(project, corpus, configs, opts, None)
    }

    /// `from_corpus`, the calibration's inner models taken from (and left
    /// in) `shared` where one was trained on the same data before.
    pub fn from_corpus_sharing(
        project: &Project,
        corpus: &Corpus,
        configs: &[RecommenderConfig],
        opts: &BuildOptions,
        shared: Option<&InnerModels>,
    ) -> Result<Suggester, SuggestError> {
        let labels: Vec<String> = project
            .schema
            .labels
            .iter()
            .map(|l| l.name.clone())
            .collect();
        let mut s = Suggester {
            overlap: project.schema.overlap,
            labels: labels.clone(),
            slots: Vec::new(),
            notes: Vec::new(),
            unread: Vec::new(),
            calibration: HashMap::new(),
        };
        let mut gazetteer = Vec::new();
        for c in configs {
            if let Kind::Dictionary { gazetteers, .. } = &c.kind {
                for g in gazetteers {
                    gazetteer.extend(dictionary::read_gazetteer(g, &labels)?);
                }
            }
        }
        // Dictionary slots built as the tagger's own would be.
        let mut twins = Vec::new();
        for c in configs {
            if !opts.only.is_empty() && !opts.only.contains(&c.name) {
                continue;
            }
            match &c.kind {
                Kind::Dictionary {
                    min_score,
                    gazetteers,
                } => {
                    let mut mine = Vec::new();
                    for g in gazetteers {
                        mine.extend(dictionary::read_gazetteer(g, &labels)?);
                    }
                    if mine == gazetteer && *min_score == dictionary::MIN_SCORE {
                        twins.push(s.slots.len());
                    }
                    let mut d = Dictionary::build(corpus, &mine);
                    d.min_score = *min_score;
                    s.slots.push(Slot::Dictionary(c.name.clone(), d));
                }
                Kind::Tagger {
                    dictionary,
                    min_score,
                } => {
                    let t = tagger(project, corpus, &labels, &gazetteer, *dictionary, opts);
                    s.slots.push(Slot::Tagger(TaggerSlot {
                        name: c.name.clone(),
                        tagger: Arc::new(t),
                        min_score: *min_score,
                        dictionary: None,
                        shares: None,
                    }));
                }
                Kind::Command { command, timeout } => {
                    if !trust::is_approved(&project.root, command) {
                        s.notes.push(
                            CommandError::NotApproved {
                                name: c.name.clone(),
                                command: command.clone(),
                                root: project.root.clone(),
                            }
                            .into(),
                        );
                        continue;
                    }
                    s.slots.push(Slot::Command(CommandRecommender {
                        name: c.name.clone(),
                        command: command.clone(),
                        dir: project.root.clone(),
                        timeout: *timeout,
                    }));
                }
            }
        }
        for slot in &mut s.slots {
            if let Slot::Tagger(t) = slot
                && t.tagger.uses_dictionary
            {
                match twins.first() {
                    Some(&i) => t.shares = Some(i),
                    None => t.dictionary = Some(Dictionary::build(corpus, &gazetteer)),
                }
            }
        }
        if !opts.raw_scores {
            s.calibration = cached_calibration(
                project,
                corpus,
                configs,
                &s.names(),
                &gazetteer,
                opts,
                shared,
            )?;
        }
        Ok(s)
    }

    pub fn names(&self) -> Vec<&str> {
        self.slots
            .iter()
            .map(|s| match s {
                Slot::Dictionary(n, _) | Slot::Tagger(TaggerSlot { name: n, .. }) => n.as_str(),
                Slot::Command(c) => c.name.as_str(),
            })
            .collect()
    }

    /// The dictionary a tagger's features read (its own, or its twin's).
    fn tagger_dictionary<'a>(&'a self, t: &'a TaggerSlot) -> Option<&'a Dictionary> {
        t.dictionary
            .as_ref()
            .or_else(|| match t.shares.map(|i| &self.slots[i]) {
                Some(Slot::Dictionary(_, d)) => Some(d),
                _ => None,
            })
    }

    /// Proposals of every recommender for one article, fitted to the span
    /// rules, without rejected ones, sorted by `(start, end, label)`. A
    /// recommender that fails adds a message and proposes nothing.
    pub fn for_article(
        &self,
        a: &ArticleInput,
        rejections: Option<&Rejections>,
    ) -> (Vec<Suggestion>, Vec<SuggestError>) {
        self.for_article_with(a, rejections, &[])
    }

    /// `for_article` with only the recommenders named in `only` (empty: all).
    pub fn for_article_with(
        &self,
        a: &ArticleInput,
        rejections: Option<&Rejections>,
        only: &[String],
    ) -> (Vec<Suggestion>, Vec<SuggestError>) {
        self.for_article_given(a, rejections, only, &mut Given::new())
    }

    /// Runs every command recommender once over a batch of `(name, text)`
    /// articles (a program that loads a model does so once), for
    /// [`Suggester::for_article_given`].
    pub fn run_commands(&self, articles: &[(&str, &str)]) -> Given {
        let mut out = Given::new();
        for c in self.commands() {
            for ((name, _), r) in articles.iter().zip(c.run_batch(articles)) {
                out.insert((c.name.clone(), name.to_string()), r);
            }
        }
        out
    }

    /// `for_article_with`, taking command recommenders' answers from
    /// `given` (see `run_commands`) where it has them.
    pub fn for_article_given(
        &self,
        a: &ArticleInput,
        rejections: Option<&Rejections>,
        only: &[String],
        given: &mut Given,
    ) -> (Vec<Suggestion>, Vec<SuggestError>) {
        // Proposals in the order that settles clashes (earlier wins): the
        // recommenders whose scores are calibrated pooled, surer first,
        // where the first of them is listed (a learned order, not the
        // list's); the others (commands) in list order.
        let mut chunks: Vec<Vec<Suggestion>> = Vec::new();
        let mut pool: Option<usize> = None;
        let mut errors = Vec::new();
        for slot in &self.slots {
            let name = match slot {
                Slot::Dictionary(n, _) | Slot::Tagger(TaggerSlot { name: n, .. }) => n,
                Slot::Command(c) => &c.name,
            };
            if !only.is_empty() && !only.contains(name) {
                continue;
            }
            let got = match slot {
                Slot::Dictionary(_, d) => d.suggest(a),
                Slot::Tagger(t) => {
                    let mut v: Vec<Suggestion> = t
                        .tagger
                        .tag_article(a.text, a.tokens, self.tagger_dictionary(t))
                        .into_iter()
                        .map(|(start, end, label, score)| Suggestion {
                            start,
                            end,
                            label: label.into(),
                            score,
                            source: Default::default(),
                        })
                        .collect();
                    v.retain(|s| s.score >= t.min_score);
                    v.sort_by(|a, b| b.score.total_cmp(&a.score));
                    Ok(v)
                }
                Slot::Command(c) => given
                    .remove(&(c.name.clone(), a.name.to_string()))
                    .unwrap_or_else(|| c.suggest(a)),
            };
            let fitted = self.calibration.get(name);
            match got {
                Ok(v) => {
                    let v = v.into_iter().map(|mut s| {
                        s.source = name.as_str().into();
                        if let Some(f) = fitted {
                            s.score = f.apply(s.score);
                        }
                        s
                    });
                    match (fitted, pool) {
                        (Some(_), Some(at)) => chunks[at].extend(v),
                        (Some(_), None) => {
                            pool = Some(chunks.len());
                            chunks.push(v.collect());
                        }
                        (None, _) => chunks.push(v.collect()),
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        if let Some(at) = pool {
            // Stable: equal chances keep the list's order.
            chunks[at].sort_by(|a, b| b.score.total_cmp(&a.score));
        }
        let all = chunks.into_iter().flatten();
        let mut out = rules::fit_all(a.text, a.spans, self.overlap, &self.labels, all);
        if let Some(r) = rejections {
            out = r.filter(out, a.text);
        }
        (out, errors)
    }

    /// The command recommenders, for running a batch of articles at once.
    pub fn commands(&self) -> Vec<&CommandRecommender> {
        self.slots
            .iter()
            .filter_map(|s| match s {
                Slot::Command(c) => Some(c),
                _ => None,
            })
            .collect()
    }

    /// Live learning: the annotator tagged `surface` with `label`.
    pub fn learn(&mut self, surface: &str, label: &str) {
        for s in &mut self.slots {
            match s {
                Slot::Dictionary(_, d)
                | Slot::Tagger(TaggerSlot {
                    dictionary: Some(d),
                    ..
                }) => d.learn(surface, label),
                _ => {}
            }
        }
    }

    /// Live learning: the annotator removed such a span.
    pub fn unlearn(&mut self, surface: &str, label: &str) {
        for s in &mut self.slots {
            match s {
                Slot::Dictionary(_, d)
                | Slot::Tagger(TaggerSlot {
                    dictionary: Some(d),
                    ..
                }) => d.unlearn(surface, label),
                _ => {}
            }
        }
    }
}

/// The span an accepted suggestion becomes: `source` names where it came
/// from (a sidecar field; see the README).
pub fn accept(s: &Suggestion, text: &Text, id: SpanId, annotator: Option<&str>) -> Span {
    let mut details = Details::default();
    details.set(Field::Source(s.source.as_str().into()));
    Span {
        id,
        start: s.start,
        end: s.end,
        label: s.label.as_str().into(),
        text: text.slice(s.start, s.end).into(),
        annotator: annotator.map(Into::into),
        review: None,
        reviewer: None,
        details,
    }
}

/// The configured recommenders, narrowed to `only` (unknown names are an
/// error listing the known ones).
pub fn select(
    configs: Vec<RecommenderConfig>,
    only: &[String],
) -> Result<Vec<RecommenderConfig>, SuggestError> {
    for n in only {
        if !configs.iter().any(|c| &c.name == n) {
            return Err(SuggestError::UnknownRecommender {
                name: n.clone(),
                known: configs.iter().map(|c| c.name.clone()).collect(),
            });
        }
    }
    Ok(configs
        .into_iter()
        .filter(|c| only.is_empty() || only.contains(&c.name))
        .collect())
}

/// The tagger for `corpus`: the cached model if it was trained on the same
/// data, else trained now and cached.
fn tagger(
    project: &Project,
    corpus: &Corpus,
    labels: &[String],
    gazetteer: &[(String, String)],
    with_dictionary: bool,
    opts: &BuildOptions,
) -> Tagger {
    let salt = format!(
        "v{} labels={} dict={with_dictionary} gaz={}",
        super::tagger::VERSION,
        labels.join(","),
        gazetteer.len()
    );
    let fp = corpus.fingerprint(&salt);
    let path = store::cache_dir(&project.root).join("tagger.bin");
    if !opts.no_cache
        && let Some(t) = nhan_store::root::read_in(&project.root, &path)
            .ok()
            .and_then(|b| Tagger::from_bytes(&b, &fp))
    {
        return t;
    }
    let t = Tagger::train(corpus, labels, gazetteer, with_dictionary);
    if !opts.no_cache && store::ensure_root(&project.root).is_ok() {
        // A cache that cannot be written only costs the next start a training.
        let _ = nhan_store::atomic::write_in(&project.root, &path, &t.to_bytes(&fp));
    }
    t
}

/// `calibration`, read from `.nhan/cache/calibration.json` when it was
/// fitted on the same gold (the corpus fingerprint: every decided
/// article's text and spans), recommenders, settings and gazetteers; else
/// fitted now and cached (eval's folds, `no_cache`, neither read nor write).
fn cached_calibration(
    project: &Project,
    corpus: &Corpus,
    configs: &[RecommenderConfig],
    names: &[&str],
    gazetteer: &[(String, String)],
    opts: &BuildOptions,
    shared: Option<&InnerModels>,
) -> Result<HashMap<String, Isotonic>, SuggestError> {
    if opts.no_cache {
        return calibration(project, corpus, configs, names, shared);
    }
    let mut gaz = String::new();
    for (surface, label) in gazetteer {
        gaz.push_str(surface);
        gaz.push('\t');
        gaz.push_str(label);
        gaz.push('\n');
    }
    let salt = format!(
        "calibration tagger v{} folds={CALIBRATION_FOLDS} labels={:?} names={names:?} configs={configs:?} gaz={}",
        super::tagger::VERSION,
        project
            .schema
            .labels
            .iter()
            .map(|l| &l.name)
            .collect::<Vec<_>>(),
        nhan_model::sidecar::sha256_hex(gaz.as_bytes())
    );
    let key = corpus.fingerprint(&salt);
    let path = store::cache_dir(&project.root).join("calibration.json");
    if let Some(maps) = nhan_store::root::read_in(&project.root, &path)
        .ok()
        .and_then(|b| Cached::read(&b, &key))
    {
        return Ok(maps);
    }
    let maps = calibration(project, corpus, configs, names, None)?;
    if store::ensure_root(&project.root).is_ok() {
        let json = serde_json::to_vec(&Cached::new(&key, &maps))
            .map_err(|e| super::error::FileError::Encode(Arc::new(e)))?;
        // A cache that cannot be written only costs the next start a fitting.
        let _ = nhan_store::atomic::write_in(&project.root, &path, &json);
    }
    Ok(maps)
}

/// The calibration's folds at most: one fewer than `--eval`'s default, so
/// that inside eval's folds they line up (see [`InnerModels`]).
pub const CALIBRATION_FOLDS: usize = 4;

/// The calibration's inner models of one `--eval` run, by the data they
/// were trained on. With eval's `K = CALIBRATION_FOLDS + 1` folds (article
/// `i` in fold `i % K`), the training set of fold `f` dealt into `K - 1`
/// calibration folds (its `j`-th article in `j % (K - 1)`) puts in each
/// calibration fold exactly the articles of one other eval fold `g`: the
/// inner model for (f, g) is trained on the folds other than f and g, the
/// same as the one for (g, f). Each is trained once and used twice (then
/// dropped), and is the model a build on that data trains: rows stay
/// what `--out -` gives.
#[derive(Default)]
pub struct InnerModels(std::cell::RefCell<HashMap<String, std::rc::Rc<Suggester>>>);

/// Held-out folds of the decided articles ([`CALIBRATION_FOLDS`] at
/// most): each built-in recommender among `names` trained on the others
/// and asked about them with no spans; its raw scores against whether
/// each proposal was right give its map ([`Isotonic`]). Deterministic:
/// article `i` is in fold `i % k`, as in `--eval`.
fn calibration(
    project: &Project,
    corpus: &Corpus,
    configs: &[RecommenderConfig],
    names: &[&str],
    shared: Option<&InnerModels>,
) -> Result<HashMap<String, Isotonic>, SuggestError> {
    let decided: Vec<&super::corpus::Article> =
        corpus.articles.iter().filter(|a| a.decided()).collect();
    let built_in: Vec<String> = configs
        .iter()
        .filter(|c| !matches!(c.kind, Kind::Command { .. }) && names.contains(&c.name.as_str()))
        .map(|c| c.name.clone())
        .collect();
    let k = decided.len().min(CALIBRATION_FOLDS);
    if k < 2 || built_in.is_empty() {
        return Ok(HashMap::new());
    }
    let inner_opts = BuildOptions {
        only: built_in.clone(),
        no_cache: true,
        raw_scores: true,
    };
    let mut points: HashMap<&str, Vec<(f32, bool)>> = HashMap::new();
    for fold in 0..k {
        let train = Corpus {
            articles: decided
                .iter()
                .enumerate()
                .filter(|(i, _)| i % k != fold)
                .map(|(_, a)| (*a).clone())
                .collect(),
        };
        let inner = match shared {
            None => std::rc::Rc::new(Suggester::from_corpus(
                project,
                &train,
                configs,
                &inner_opts,
            )?),
            Some(InnerModels(models)) => {
                let key = train.fingerprint(&format!("calibration inner {built_in:?}"));
                let known = models.borrow_mut().remove(&key);
                match known {
                    Some(m) => m,
                    None => {
                        let m = std::rc::Rc::new(Suggester::from_corpus(
                            project,
                            &train,
                            configs,
                            &inner_opts,
                        )?);
                        models.borrow_mut().insert(key, m.clone());
                        m
                    }
                }
            }
        };
        for held in decided.iter().enumerate().filter(|(i, _)| i % k == fold) {
            let held = held.1;
            let gold: std::collections::HashSet<(usize, usize, &str)> = held
                .spans
                .iter()
                .map(|s| (s.start, s.end, s.label.as_str()))
                .collect();
            let input = ArticleInput {
                name: &held.name,
                text: &held.text,
                tokens: &held.tokens,
                spans: &[],
            };
            for name in &built_in {
                let (got, _) = inner.for_article_with(&input, None, std::slice::from_ref(name));
                points.entry(name).or_default().extend(
                    got.iter()
                        .map(|g| (g.score, gold.contains(&(g.start, g.end, g.label.as_str())))),
                );
            }
        }
    }
    Ok(points
        .into_iter()
        .filter_map(|(n, p)| Some((n.to_string(), Isotonic::fit(&p)?)))
        .collect())
}

/// The recommenders' view of a document's spans.
pub fn known<L: Into<nhan_model::interned::Sym>>(
    spans: impl IntoIterator<Item = (usize, usize, L)>,
) -> Vec<Known> {
    spans
        .into_iter()
        .map(|(start, end, label)| Known {
            start,
            end,
            label: label.into(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use nhan_model::tokens::Tokens;

    fn project(toml: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("articles")).unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let base = "[[labels]]\nname = \"PER\"\n[[labels]]\nname = \"LOC\"\n";
        std::fs::write(dir.path().join("nhan.toml"), format!("{base}{toml}")).unwrap();
        let p = Project::list(dir.path()).unwrap();
        (dir, p)
    }

    #[test]
    fn recommenders_learn_an_open_articles_spans_without_keeping_its_text() {
        fn sidecar(name: &str, text: &str, status: &str, spans: &[(usize, usize, &str)]) -> String {
            let t = Text::new(text);
            let spans: Vec<String> = spans
                .iter()
                .enumerate()
                .map(|(i, (a, b, l))| {
                    format!(
                        r#"{{"id": {}, "start": {a}, "end": {b}, "label": "{l}", "text": "{}"}}"#,
                        i + 1,
                        t.slice(*a, *b)
                    )
                })
                .collect();
            format!(
                r#"{{"nhan": 1, "article": "{name}", "text_sha256": "{}", "status": "{status}", "spans": [{}]}}"#,
                nhan_model::sidecar::sha256_hex(text.as_bytes()),
                spans.join(", ")
            )
        }
        let done = "Lan ở Huế.";
        let open = "Minh về Hà Nội. ".repeat(1000);
        let (_d, p) = project(
            "",
            &[
                ("articles/a.txt", done),
                ("articles/b.txt", &open),
                (
                    "annotations/a.json",
                    &sidecar("a.txt", done, "done", &[(0, 3, "PER"), (6, 9, "LOC")]),
                ),
                (
                    "annotations/b.json",
                    &sidecar("b.txt", &open, "in_progress", &[(8, 14, "LOC")]),
                ),
            ],
        );
        let (full, _) = Corpus::load(&p);
        let (lean, _) = Corpus::load_to_learn(&p);
        let b = |c: &Corpus| {
            c.articles
                .iter()
                .find(|a| a.name == "b.txt")
                .cloned()
                .unwrap()
        };
        assert_eq!(b(&full).text.as_str(), open);
        assert_eq!(
            b(&lean).text.as_str(),
            "",
            "the open article's text is not kept"
        );
        assert_eq!(b(&lean).surface(0), "Hà Nội");
        assert_eq!(b(&lean).surface(0), b(&full).surface(0));
        // The same caches serve both: a model trained by `nhan suggest`
        // is the interface's.
        assert_eq!(full.fingerprint("x"), lean.fingerprint("x"));
        let d = |c: &Corpus| {
            let d = Dictionary::build(c, &[]);
            ["Lan", "Huế", "Hà Nội"].map(|w| d.lookup(w).map(|(l, s)| (l.to_string(), s)))
        };
        assert_eq!(d(&full), d(&lean));
        assert!(d(&lean)[2].is_some(), "the open article's span is learnt");
    }

    #[test]
    fn an_accepted_suggestion_is_a_span_with_its_source() {
        let t = Text::new("ở Hà Nội");
        let s = Suggestion {
            start: 2,
            end: 8,
            label: "LOC".into(),
            score: 0.9,
            source: "dictionary".into(),
        };
        let span = accept(&s, &t, SpanId(7), Some("lan"));
        let v = serde_json::to_value(&span).unwrap();
        assert_eq!(v["text"], "Hà Nội");
        assert_eq!(v["source"], "dictionary");
        assert_eq!(
            span.details.source().map(|s| s.as_str()),
            Some("dictionary")
        );
        assert_eq!(v["annotator"], "lan");
    }

    #[test]
    fn live_learning_reaches_the_article_being_annotated() {
        let (_d, p) = project("", &[("articles/a.txt", "Lan ở Huế, Lan về Huế.")]);
        let mut s = Suggester::build(
            &p,
            &BuildOptions {
                only: vec!["dictionary".into()],
                no_cache: true,
                raw_scores: false,
            },
        )
        .unwrap();
        let t = Text::new("Lan ở Huế, Lan về Huế.");
        let toks = Tokens::new(&t);
        let mut spans = vec![Known {
            start: 0,
            end: 3,
            label: "PER".into(),
        }];
        s.learn("Lan", "PER");
        let input = ArticleInput {
            name: "a.txt",
            text: &t,
            tokens: &toks,
            spans: &spans,
        };
        let (got, errors) = s.for_article(&input, None);
        assert!(errors.is_empty());
        // The tagged one is a span already; the other occurrence is proposed.
        assert_eq!(
            got.iter().map(|g| (g.start, g.end)).collect::<Vec<_>>(),
            [(11, 14)]
        );
        s.unlearn("Lan", "PER");
        spans.clear();
        let input = ArticleInput {
            name: "a.txt",
            text: &t,
            tokens: &toks,
            spans: &spans,
        };
        assert!(s.for_article(&input, None).0.is_empty());
    }

    /// Issue 26, item 2: between calibrated recommenders a clash goes to
    /// the surer one, not to the one listed first.
    #[test]
    fn a_clash_goes_to_the_higher_chance_not_the_list_order() {
        let toml = "[[recommenders]]\nname = \"first\"\ntype = \"dictionary\"\ngazetteers = [\"first.tsv\"]\n[[recommenders]]\nname = \"second\"\ntype = \"dictionary\"\ngazetteers = [\"second.tsv\"]\n";
        let (d, p) = project(toml, &[("articles/a.txt", "Ông Lan ở Huế.")]);
        std::fs::write(d.path().join("first.tsv"), "Lan\tLOC\n").unwrap();
        std::fs::write(d.path().join("second.tsv"), "Lan\tPER\n").unwrap();
        let p = Project::list(&p.root).unwrap();
        let mut s = Suggester::build(&p, &BuildOptions::default()).unwrap();
        let t = Text::new("Ông Lan ở Huế.");
        let toks = Tokens::new(&t);
        let input = ArticleInput {
            name: "a.txt",
            text: &t,
            tokens: &toks,
            spans: &[],
        };
        let labels = |s: &Suggester| {
            s.for_article(&input, None)
                .0
                .into_iter()
                .map(|g| (g.label.to_string(), g.source.to_string()))
                .collect::<Vec<_>>()
        };
        // Nothing decided: no calibration, the list settles it.
        assert_eq!(labels(&s), [("LOC".to_string(), "first".to_string())]);
        // Held-out folds found `first` wrong and `second` right.
        let fit = |right| Isotonic::fit(&vec![(0.7f32, right); 30]).unwrap();
        s.calibration.insert("first".into(), fit(false));
        s.calibration.insert("second".into(), fit(true));
        assert_eq!(labels(&s), [("PER".to_string(), "second".to_string())]);
    }

    /// The TUI asks about an unapproved command instead of reporting a
    /// fault: it tells the two apart by the variant, not by the message.
    #[test]
    fn an_unapproved_command_is_a_note_the_caller_can_tell_apart() {
        let (_d, p) = project(
            "[[recommenders]]\nname = \"ext\"\ntype = \"command\"\ncommand = [\"sh\", \"never-approved.sh\"]\n",
            &[("articles/a.txt", "Lan ở Huế")],
        );
        let s = Suggester::build(&p, &BuildOptions::default()).unwrap();
        assert!(s.names().is_empty(), "{:?}", s.names());
        let [note] = &s.notes[..] else {
            panic!("{:?}", s.notes)
        };
        assert!(note.is_not_approved(), "{note:?}");
        assert!(note.to_string().contains("suggest --approve"), "{note}");
        let bad = config::load(&project("[[recommenders]]\nname = \"x\"\n", &[]).1);
        assert!(!SuggestError::from(bad.unwrap_err()).is_not_approved());
    }

    #[test]
    fn recommender_tables_are_checked() {
        let bad = |toml: &str| {
            let (_d, p) = project(toml, &[]);
            config::load(&p).unwrap_err().to_string()
        };
        let e = bad("[[recommenders]]\nname = \"x\"\ntype = \"magic\"\n");
        assert!(e.contains("nhan.toml") && e.contains("unknown type"), "{e}");
        let e = bad("[[recommenders]]\nname = \"x\"\ntype = \"tagger\"\ncolour = 1\n");
        assert!(e.contains("unknown key \"colour\""), "{e}");
        let e = bad(
            "[[recommenders]]\nname = \"x\"\ntype = \"tagger\"\n[[recommenders]]\nname = \"x\"\ntype = \"dictionary\"\n",
        );
        assert!(e.contains("used twice"), "{e}");
        let e = bad("[[recommenders]]\nname = \"x\"\ntype = \"command\"\n");
        assert!(e.contains("needs command"), "{e}");
        let (_d, p) = project("", &[]);
        let names: Vec<String> = config::load(&p)
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(
            names,
            ["dictionary", "tagger"],
            "none configured: both built-ins"
        );
        let (_d, p) = project(
            "[[recommenders]]\nname = \"t\"\ntype = \"tagger\"\nmin_score = 0.2\n",
            &[],
        );
        assert_eq!(
            config::load(&p).unwrap()[0].kind,
            Kind::Tagger {
                dictionary: true,
                min_score: 0.2
            }
        );
    }
}
