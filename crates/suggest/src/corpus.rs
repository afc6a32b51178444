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
        let mut c = Corpus::default();
        let mut problems = Vec::new();
        for a in project.articles.iter() {
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
                            label: s.label.to_string(),
                        })
                        .collect();
                    c.articles.push(Article::new(
                        &a.file_name,
                        l.doc.text().clone(),
                        spans,
                        l.doc.status(),
                    ));
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
