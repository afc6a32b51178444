//! nhan: a keyboard-first terminal reader and annotator for named entities.

pub mod agree;
pub mod app;
pub mod cli;
pub mod commands;
pub mod core;
pub mod export;
pub mod overview;
pub mod pool;
pub mod progress;
pub mod report;
pub mod runtime;
pub mod suggest;
pub mod tui;
pub mod ui;
pub mod view;
