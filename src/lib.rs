//! nhan: a keyboard-first terminal reader and annotator for named entities.

pub mod app;
pub mod cli;
pub mod core;
pub mod export;
