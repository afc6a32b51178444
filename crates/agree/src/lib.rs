//! Inter-annotator agreement (`nhan agree`): each annotator's work is
//! `annotations/<annotator>/<stem>.json`; the figures are documented, and
//! checked against reference implementations, in docs/AGREEMENT.md.

pub mod attributes;
pub mod data;
pub mod report;
pub mod shape;
pub mod stats;
pub mod text;
