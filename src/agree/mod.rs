//! Inter-annotator agreement (`nhan agree`): each annotator's work is
//! `annotations/<annotator>/<stem>.json`; the figures are documented, and
//! checked against reference implementations, in docs/AGREEMENT.md.

pub mod data;
pub mod report;
pub mod shape;
pub mod stats;
pub mod text;

use crate::core::project::Project;
use clap::Args;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct AgreeArgs {
    /// Annotators to compare (default: every folder under annotations/).
    #[arg(long, value_delimiter = ',')]
    pub annotators: Vec<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

pub fn run(project: &Path, args: &AgreeArgs) -> anyhow::Result<ExitCode> {
    let p = Project::open(project)?;
    let found = data::discover(&p.root)?;
    let mut chosen: Vec<String> = Vec::new();
    if args.annotators.is_empty() {
        chosen = found.clone();
    } else {
        for a in &args.annotators {
            let a = a.trim();
            if a.is_empty() || chosen.iter().any(|c| c == a) {
                continue;
            }
            if !found.iter().any(|f| f == a) {
                let known = if found.is_empty() {
                    "none".to_string()
                } else {
                    found.join(", ")
                };
                anyhow::bail!(
                    "{}: no work by annotator {a:?} (annotations/{a}/<article>.json); annotators with work: {known}",
                    p.root.display()
                );
            }
            chosen.push(a.to_string());
        }
    }
    let mut work = data::load(&p, &chosen)?;
    let counts = data::work_counts(&work);
    let with_work: Vec<&str> = chosen
        .iter()
        .map(String::as_str)
        .filter(|a| counts.get(a).copied().unwrap_or(0) > 0)
        .collect();
    if with_work.len() < 2 {
        let have = if with_work.is_empty() {
            "none has".to_string()
        } else {
            format!("only {} has", with_work.join(", "))
        };
        anyhow::bail!(
            "{}: agreement needs the work of at least two annotators (annotations/<annotator>/<article stem>.json for articles in articles/); {have}",
            p.root.display()
        );
    }
    if with_work.len() < chosen.len() {
        let idle: Vec<String> = chosen
            .iter()
            .filter(|a| !with_work.contains(&a.as_str()))
            .cloned()
            .collect();
        let keep: Vec<usize> = (0..chosen.len())
            .filter(|&i| with_work.contains(&chosen[i].as_str()))
            .collect();
        for art in &mut work.articles {
            art.spans = keep.iter().map(|&i| art.spans[i].take()).collect();
        }
        work.annotators = keep.iter().map(|&i| chosen[i].clone()).collect();
        work.warnings.push(format!(
            "no sidecar for any article in articles/ from {}; left out",
            idle.join(", ")
        ));
    }
    let r = report::compute(&work);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print!("{}", text::render(&r));
    }
    Ok(ExitCode::SUCCESS)
}
