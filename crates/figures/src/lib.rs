//! The figures over a project: inter-annotator agreement (`nhan agree`;
//! each annotator's work is `annotations/<annotator>/<stem>.json`; the
//! figures are documented, and checked against reference implementations,
//! in docs/AGREEMENT.md), the counts of `nhan stats` (`counts`) and the
//! overview the dashboard and `nhan report` draw (`overview`).

pub mod attributes;
pub mod counts;
pub mod data;
pub mod error;
pub mod overview;
pub mod relations;
pub mod report;
pub mod shape;
pub mod stats;
pub mod text;
