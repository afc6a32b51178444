//! nhan: a keyboard-first terminal reader and annotator for named entities.
//!
//! The work is done by the workspace's crates (docs/ARCHITECTURE.md); this
//! library holds the binary's command line and its report commands.

pub mod agree;
pub mod cli;
pub mod commands;
pub mod init;
pub mod report;
