//! The blocking I/O behind each effect: reading articles and annotators'
//! work, writing sidecars.

use super::gate::Gate;
use super::system::release_free_memory;
use super::watch::Memory;
use super::writer::{Job, checked_save};
use crate::app::msg::{Effect, Msg};
use crate::error::TuiError;
use nhan_model::sidecar::Sidecar;
use nhan_store::project::Project;

/// Runs one read or write `update` asked for and returns its result as a
/// message; `None` for what has no result (quit, suspend: the loop that
/// owns the terminal does those). Blocking: the inline executor calls it
/// on the caller's thread, the threaded one on a worker.
pub fn run(project: &Project, effect: Effect, memory: &mut Memory) -> Option<Msg> {
    match effect {
        Effect::Load {
            index,
            file_name,
            open,
        } => {
            let result = read(project, &file_name, open);
            release_free_memory();
            Some(Msg::Loaded {
                index,
                open,
                result,
            })
        }
        Effect::LoadContext { index, file_name } => Some(Msg::ContextLoaded {
            index,
            result: read(project, &file_name, false),
        }),
        Effect::Save {
            index,
            revision,
            path,
            snapshot,
            expected,
        } => Some(checked_save(
            Job {
                index,
                revision,
                path,
                snapshot,
                expected,
            },
            memory,
            &Gate::default(),
        )),
        Effect::Watch {
            index,
            path,
            expected,
        } => super::watch::changed(index, &path, expected, memory, false),
        Effect::LoadAnnotators { index, stem } => {
            let mut work = Vec::new();
            for name in project.annotators_of(&stem) {
                let path = project.annotator_path(&name, &stem);
                let shown = path.display().to_string();
                let parsed = nhan_store::sidecar_file::read_bytes(&path)
                    .map_err(TuiError::read)
                    .and_then(|b| Ok(Sidecar::parse(&b, &shown)?))
                    .and_then(|sc| {
                        let rels = match sc.extra.get(nhan_model::relation::KEY) {
                            Some(v) => {
                                nhan_model::relation::parse(v).map_err(|e| TuiError::Relations {
                                    path: shown.clone(),
                                    error: std::sync::Arc::new(e),
                                })?
                            }
                            None => Vec::new(),
                        };
                        Ok((sc.spans, rels))
                    });
                match parsed {
                    Ok((spans, rels)) => work.push((name, spans, rels)),
                    Err(e) => {
                        return Some(Msg::AnnotatorsLoaded {
                            index,
                            result: Err(TuiError::Adjudication(Box::new(e))),
                        });
                    }
                }
            }
            Some(Msg::AnnotatorsLoaded {
                index,
                result: Ok(work),
            })
        }
        Effect::ComputeCases { fingerprint } => Some(Msg::CasesComputed {
            fingerprint,
            cases: super::cases::compute(project),
        }),
        Effect::Suggest(e) => Some(super::suggest::run(project, e)),
        Effect::ComputeFigures => Some(Msg::Figures {
            figures: Box::new(nhan_figures::counts::stream_stats(
                project,
                nhan_figures::counts::Pass::View,
                |_| {},
            )),
            complete: true,
        }),
        Effect::Quit | Effect::Suspend => None,
    }
}

/// Reads an article and its sidecar; for editing (`open`), or only for
/// review's list and context (not segmented).
fn read(
    project: &Project,
    file_name: &str,
    open: bool,
) -> Result<Box<nhan_store::project::Loaded>, nhan_store::project::LoadError> {
    // Looked at before it is read: a change in between is seen as a change
    // (and merged), never missed.
    let stem = nhan_store::project::stem_of(file_name);
    let on_disk = nhan_store::disk::DiskStamp::of(&project.sidecar_path(stem))
        .ok()
        .flatten();
    let loaded = if open {
        project.load_for_editing(file_name)
    } else {
        project.load(file_name)
    };
    loaded.map(|mut l| {
        l.on_disk = on_disk;
        Box::new(l)
    })
}
