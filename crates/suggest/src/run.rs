//! `nhan suggest`: print suggestions as JSON lines, store them for the
//! TUI, approve command recommenders, or measure the recommenders.

use super::config::{self, Kind};
use super::suggester::{BuildOptions, Suggester, select};
use super::{ArticleInput, Rejections, store, trust};
use nhan_store::project::Project;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Clone, clap::Args)]
pub struct SuggestArgs {
    /// Only this article (file name or stem); repeat for more.
    #[arg(long = "article", value_name = "NAME")]
    pub articles: Vec<String>,
    /// Only this recommender (its name in nhan.toml); repeat for more.
    #[arg(long = "recommender", value_name = "NAME")]
    pub recommenders: Vec<String>,
    /// Write JSON lines here (`-` for stdout) instead of storing them for
    /// the TUI.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["eval", "approve"])]
    pub out: Option<PathBuf>,
    /// Measure each recommender by k-fold cross-validation on the reviewed
    /// articles (see --folds).
    #[arg(long, conflicts_with = "approve")]
    pub eval: bool,
    /// With --eval: the number of folds (articles are dealt into them in
    /// name order; as many as articles is leave-one-article-out).
    #[arg(long, requires = "eval", value_name = "K", default_value_t = super::eval::DEFAULT_FOLDS)]
    pub folds: usize,
    /// With --eval: machine-readable output.
    #[arg(long, requires = "eval")]
    pub json: bool,
    /// Allow this project's command recommenders (as nhan.toml has them now)
    /// to run for you.
    #[arg(long)]
    pub approve: bool,
    /// In a blind project: whose suggestions (overrides `annotator` in the
    /// config).
    #[arg(long, value_name = "NAME")]
    pub annotator: Option<String>,
}

pub fn run(dir: &Path, args: &SuggestArgs) -> anyhow::Result<ExitCode> {
    let mut project = Project::list(dir)?;
    if args.approve {
        return approve(&project, &args.recommenders);
    }
    if args.eval {
        let r = super::eval::evaluate(&project, &args.recommenders, args.folds)?;
        for n in &r.notes {
            eprintln!("nhan: {n}");
        }
        if args.json {
            println!("{}", serde_json::to_string_pretty(&r.to_json())?);
        } else {
            print!("{}", r.to_table());
        }
        return Ok(ExitCode::SUCCESS);
    }
    if project.schema.blind {
        let name = args.annotator.clone().or_else(|| {
            nhan_store::config::Settings::load(nhan_store::config::default_path().as_deref())
                .annotator
        });
        let name = nhan_store::config::blind_annotator(dir, name.as_deref())?;
        project.annotator_dir = Some(name);
    }
    let names = pick(&project, &args.articles)?;
    let opts = BuildOptions {
        only: args.recommenders.clone(),
        no_cache: false,
        raw_scores: false,
    };
    let (s, corpus) = Suggester::build_with_corpus(&project, &opts)?;
    let mut failed = false;
    let notes = s.notes.iter().map(ToString::to_string);
    for n in notes.chain(s.unread.iter().cloned()) {
        eprintln!("nhan: {n}");
        failed = true;
    }
    let mut out: Option<Box<dyn Write>> = match args.out.as_deref() {
        None => None,
        Some(p) if p == Path::new("-") => Some(Box::new(std::io::stdout().lock())),
        Some(p) => Some(Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?,
        ))),
    };
    let progress = out.is_none() && std::io::stderr().is_terminal();
    // Command recommenders get all the articles in one run.
    let batch: Vec<(&str, &str)> = corpus
        .articles
        .iter()
        .filter(|a| names.contains(&a.name))
        .map(|a| (a.name.as_str(), a.text.as_str()))
        .collect();
    let mut given = s.run_commands(&batch);
    let mut said = std::collections::HashSet::new();
    let mut stored = 0usize;
    for (i, name) in names.iter().enumerate() {
        if progress {
            eprint!("\r\x1b[K[{}/{}] {name}", i + 1, names.len());
        }
        // An article that could not be read was reported among the notes.
        let Some(article) = corpus.articles.iter().find(|a| &a.name == name) else {
            continue;
        };
        let rejections = match Rejections::load(&project, name) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("nhan: {e}");
                failed = true;
                continue;
            }
        };
        let input = ArticleInput {
            name,
            text: &article.text,
            tokens: &article.tokens,
            spans: &article.spans,
        };
        let (list, errors) = s.for_article_given(&input, Some(&rejections), &[], &mut given);
        for e in errors {
            // A batch that failed gives every article the same message.
            if said.insert(e.to_string()) {
                eprintln!("nhan: {e}");
            }
            failed = true;
        }
        match &mut out {
            Some(w) => {
                let items: Vec<serde_json::Value> = list
                    .iter()
                    .map(|s| {
                        serde_json::json!({
                            "start": s.start, "end": s.end, "label": s.label,
                            "score": (f64::from(s.score) * 10000.0).round() / 10000.0,
                            "source": s.source,
                        })
                    })
                    .collect();
                let line = serde_json::json!({"article": name, "suggestions": items});
                writeln!(w, "{line}")?;
            }
            None => {
                stored += list.len();
                store::save_stored(
                    &project,
                    &store::Stored {
                        article: name.clone(),
                        text_sha256: article.sha.clone(),
                        suggestions: list,
                    },
                )?;
            }
        }
    }
    if progress {
        eprint!("\r\x1b[K");
    }
    if let Some(w) = &mut out {
        w.flush()?;
    } else {
        let where_ = store::stored_path(&project, "x.txt");
        eprintln!(
            "{stored} suggestions for {} articles stored in {} for the TUI",
            names.len(),
            where_.parent().unwrap_or(&where_).display()
        );
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The articles to work on, in name order; an unknown name is an error.
fn pick(project: &Project, wanted: &[String]) -> anyhow::Result<Vec<String>> {
    let all: Vec<&str> = project
        .articles
        .iter()
        .map(|a| a.file_name.as_str())
        .collect();
    if wanted.is_empty() {
        return Ok(all.iter().map(|s| s.to_string()).collect());
    }
    let mut out = Vec::new();
    for w in wanted {
        let f = all
            .iter()
            .find(|a| **a == w.as_str() || nhan_store::project::stem_of(a) == w)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "no article {w:?} in {}/articles; `nhan stats` lists them",
                    project.root.display()
                )
            })?;
        out.push(f.to_string());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn approve(project: &Project, only: &[String]) -> anyhow::Result<ExitCode> {
    let configs = select(config::load(project)?, only)?;
    let mut any = false;
    for c in &configs {
        if let Kind::Command { command, .. } = &c.kind {
            let file = trust::approve(&project.root, command)?;
            println!(
                "approved recommender {}: `{}` may run in {} (recorded in {}); the approval covers {}",
                nhan_model::escape::line(&c.name),
                nhan_model::escape::command(command),
                project.root.display(),
                file.display(),
                trust::covers(&project.root, command)
            );
            any = true;
        }
    }
    if !any {
        println!("no command recommenders in nhan.toml: nothing to approve");
    }
    Ok(ExitCode::SUCCESS)
}
