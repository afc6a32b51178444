//! The application: state, actions, keymap, and `update`, the only mutator.
//! No terminal or disk I/O here: `crate::runtime` runs the effects `update`
//! asks for.

pub mod action;
pub mod adjudicating;
pub mod cases;
pub mod commands;
pub mod config;
pub mod dashboard;
pub mod editing;
pub mod general;
pub mod geometry;
pub mod glance;
pub mod kept;
pub mod keymap;
pub mod keys;
pub mod line_edit;
pub mod motion;
pub mod moved;
pub mod msg;
pub mod noting;
pub mod paste;
pub mod picking;
pub mod refresh;
pub mod relating;
pub mod relation_review;
pub mod reviewing;
pub mod scrolling;
pub mod session;
pub mod state;
pub mod suggesting;
pub mod suggestions;
pub mod undo;
pub mod update;
pub mod watching;
