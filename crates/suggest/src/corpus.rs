//! What the recommenders learn from: the project's articles with their spans.
//! Articles marked done or reviewed are *decided*: their untagged text counts
//! as "not an entity". The spans of other articles (the one being annotated)
//! count as tagged, but their untagged text says nothing yet.

use super::Known;
use nhan_model::status::Status;
use nhan_model::text::Text;
use nhan_model::tokens::Tokens;
use nhan_store::project::Project;

#[derive(Debug, Clone)]
pub struct Article {
    pub name: String,
    pub text: Text,
    pub tokens: Tokens,
    pub spans: Vec<Known>,
    pub status: Status,
    pub sha: String,
    /// Each span's words, when the article's text was not kept: an
    /// undecided article read only to learn from says nothing with its
    /// untagged text (see `Corpus::load_to_learn`).
    surfaces: Option<Vec<String>>,
}

impl Article {
    pub fn new(name: &str, text: Text, spans: Vec<Known>, status: Status) -> Article {
        let tokens = Tokens::new(&text);
        let sha = nhan_model::sidecar::sha256_hex(text.as_str().as_bytes());
        Article {
            name: name.into(),
            text,
            tokens,
            spans,
            status,
            sha,
            surfaces: None,
        }
    }

    /// An undecided article with only its spans' words kept, not its text.
    fn surfaces_only(name: &str, text: &Text, spans: Vec<Known>, status: Status) -> Article {
        let surfaces = spans
            .iter()
            .map(|s| text.slice(s.start, s.end).to_string())
            .collect();
        let empty = Text::new(String::new());
        Article {
            name: name.into(),
            tokens: Tokens::new(&empty),
            text: empty,
            spans,
            status,
            sha: nhan_model::sidecar::sha256_hex(text.as_str().as_bytes()),
            surfaces: Some(surfaces),
        }
    }

    /// An undecided article as its sidecar alone gives it: spans and
    /// their words, no text (`Project::sidecar_words`).
    fn from_sidecar(name: &str, words: nhan_store::project::SidecarWords) -> Article {
        let empty = Text::new(String::new());
        let (spans, surfaces) = words
            .spans
            .into_iter()
            .map(|s| {
                (
                    Known {
                        start: s.start,
                        end: s.end,
                        label: s.label.into(),
                    },
                    s.text,
                )
            })
            .unzip();
        Article {
            name: name.into(),
            tokens: Tokens::new(&empty),
            text: empty,
            spans,
            status: words.status,
            sha: words.text_sha256,
            surfaces: Some(surfaces),
        }
    }

    /// The words of span `i` (of `spans`).
    pub fn surface(&self, i: usize) -> &str {
        match &self.surfaces {
            Some(v) => &v[i],
            None => self.text.slice(self.spans[i].start, self.spans[i].end),
        }
    }

    pub fn decided(&self) -> bool {
        matches!(self.status, Status::Done | Status::Reviewed)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub articles: Vec<Article>,
}

impl Corpus {
    /// Every article of the project with the spans of the sidecars this
    /// session edits; one that cannot be read is left out, with a reason.
    pub fn load(project: &Project) -> (Corpus, Vec<String>) {
        Corpus::read(project, true)
    }

    /// `load` for building the recommenders only: an undecided article
    /// keeps its spans' words, not its text and tokens (a 10 MB article
    /// being annotated was held twice while the recommenders were built,
    /// and a large project's whole text).
    pub fn load_to_learn(project: &Project) -> (Corpus, Vec<String>) {
        Corpus::read(project, false)
    }

    fn read(project: &Project, every_text: bool) -> (Corpus, Vec<String>) {
        let mut c = Corpus::default();
        let mut problems = Vec::new();
        for a in project.articles.iter() {
            // An undecided article teaches only its spans' words: its
            // sidecar is read, not the article (which the editor may be
            // reading at this very moment).
            if !every_text
                && let Some(words) = project.sidecar_words(&a.file_name)
                && !matches!(words.status, Status::Done | Status::Reviewed)
            {
                c.articles.push(Article::from_sidecar(&a.file_name, words));
                continue;
            }
            match project.load(&a.file_name) {
                Ok(l) => {
                    if let Some(p) = l.read_only {
                        problems.push(p);
                        continue;
                    }
                    let spans = l
                        .doc
                        .spans()
                        .iter()
                        .map(|s| Known {
                            start: s.start,
                            end: s.end,
                            label: s.label,
                        })
                        .collect();
                    let status = l.doc.status();
                    let decided = matches!(status, Status::Done | Status::Reviewed);
                    c.articles.push(if every_text || decided {
                        Article::new(&a.file_name, l.doc.text().clone(), spans, status)
                    } else {
                        Article::surfaces_only(&a.file_name, l.doc.text(), spans, status)
                    });
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        (c, problems)
    }

    /// The corpus without the article named `name` (leave-one-out).
    pub fn without(&self, name: &str) -> Corpus {
        Corpus {
            articles: self
                .articles
                .iter()
                .filter(|a| a.name != name)
                .cloned()
                .collect(),
        }
    }

    /// A digest of everything training reads: a cached model with the same
    /// one was trained on the same data.
    pub fn fingerprint(&self, salt: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(salt.as_bytes());
        for a in &self.articles {
            h.update(a.name.as_bytes());
            h.update(a.sha.as_bytes());
            h.update([u8::from(a.decided())]);
            for s in &a.spans {
                h.update(format!("{}:{}:{};", s.start, s.end, s.label).as_bytes());
            }
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}
