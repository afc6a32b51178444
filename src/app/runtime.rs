//! Runs what `update` asks for: reads articles, writes sidecars. Used by the
//! terminal loop and by tests alike, so tests exercise the real I/O path.

use super::config::Config;
use super::state::State;
use super::update::{Effect, Msg, update};
use crate::core::project::Project;
use crate::core::sidecar::write_atomic;
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
        Effect::Quit => None,
    }
}
