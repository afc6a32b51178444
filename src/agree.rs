//! `nhan agree`: reads every annotator's work as a stream and prints the
//! agreement report (the figures are the `nhan-figures` crate's).

use clap::Args;
use nhan_figures::report::{Agreement, Parts};
use nhan_figures::{data, text};
use nhan_store::progress::Progress;
use nhan_store::project::Project;
use nhan_store::stream::fold_ordered;
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
    let p = Project::list(project)?;
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
    let has_work = data::has_work(&p, &chosen);
    let with_work: Vec<String> = chosen
        .iter()
        .zip(&has_work)
        .filter(|(_, w)| **w)
        .map(|(a, _)| a.clone())
        .collect();
    let schema_labels: Vec<String> = p.schema.labels.iter().map(|l| l.name.clone()).collect();
    let relation_types = p.schema.relations.iter().map(|t| t.name.clone()).collect();
    let parts = Parts::new(&with_work).with_relation_types(relation_types);
    let mut agreement = Agreement::new(&parts);
    let mut warnings = Vec::new();
    let mut failed = None;
    let mut progress = Progress::new("agreement", p.articles.len());
    fold_ordered(
        &p.articles,
        |meta| {
            let (art, w) = data::read(&p, meta, &with_work)?;
            Ok((art.map(|a| parts.part(a)), w))
        },
        |r: anyhow::Result<_>| {
            progress.tick();
            match r {
                Ok((part, w)) => {
                    warnings.extend(w);
                    if let Some(part) = part {
                        agreement.add(&parts, part);
                    }
                    true
                }
                Err(e) => {
                    failed = Some(e);
                    false
                }
            }
        },
    );
    drop(progress);
    if let Some(e) = failed {
        return Err(e);
    }
    warnings.extend(data::stray(&p, &chosen));
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
        let idle: Vec<&str> = chosen
            .iter()
            .filter(|a| !with_work.contains(a))
            .map(String::as_str)
            .collect();
        warnings.push(format!(
            "no sidecar for any article in articles/ from {}; left out",
            idle.join(", ")
        ));
    }
    let r = agreement.finish(parts, &schema_labels, warnings);
    if args.json {
        crate::commands::print_json(&r)?;
    } else {
        print!("{}", text::render(&r));
    }
    Ok(ExitCode::SUCCESS)
}
