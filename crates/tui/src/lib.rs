//! The terminal app: the state machine (`app`, where `update` is the only
//! mutator), what it draws (`view`, `ui`), the effects it asks for run at
//! the edge (`runtime`), and the terminal itself (`tui`).

pub mod app;
pub mod error;
pub mod runtime;
pub mod tui;
pub mod ui;
pub mod view;
