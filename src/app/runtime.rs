//! Runs what `update` asks for: reads articles, writes sidecars. Used by the
//! terminal loop and by tests alike, so tests exercise the real I/O path.

use super::config::Config;
use super::state::State;
use super::update::{Effect, Msg, update};
use crate::core::project::Project;
use crate::core::sidecar::{Sidecar, write_atomic};
use std::collections::VecDeque;

pub struct App {
    pub state: State,
}

impl App {
    pub fn new(project: Project, config: Config, size: (u16, u16)) -> App {
        App {
            state: State::new(project, config, size),
        }
    }

    /// Handles one message and everything it causes, synchronously: when
    /// this returns, every edit it made is on disk (or its failure is shown).
    pub fn handle(&mut self, msg: Msg) {
        let mut queue = VecDeque::from([msg]);
        while let Some(m) = queue.pop_front() {
            for effect in update(&mut self.state, m) {
                if let Some(reply) = run(&self.state.project, effect) {
                    queue.push_back(reply);
                }
            }
        }
    }
}

fn run(project: &Project, effect: Effect) -> Option<Msg> {
    match effect {
        Effect::Load {
            index,
            file_name,
            open,
        } => Some(Msg::Loaded {
            index,
            open,
            result: project.load(&file_name).map(Box::new),
        }),
        Effect::Save {
            index,
            revision,
            path,
            contents,
        } => {
            let result = write_atomic(&path, contents.as_bytes())
                .map_err(|e| format!("{}: {e}", path.display()));
            Some(Msg::Saved {
                index,
                revision,
                result,
            })
        }
        Effect::LoadAnnotators { index, stem } => {
            let mut work = Vec::new();
            for name in project.annotators_of(&stem) {
                let path = project.annotator_path(&name, &stem);
                let parsed = std::fs::read(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))
                    .and_then(|b| {
                        Sidecar::parse(&b, &path.display().to_string()).map_err(|e| e.to_string())
                    });
                match parsed {
                    Ok(sc) => work.push((name, sc.spans)),
                    Err(e) => {
                        return Some(Msg::AnnotatorsLoaded {
                            index,
                            result: Err(format!("{e}; fix it to adjudicate")),
                        });
                    }
                }
            }
            Some(Msg::AnnotatorsLoaded {
                index,
                result: Ok(work),
            })
        }
        Effect::Quit => None,
    }
}
