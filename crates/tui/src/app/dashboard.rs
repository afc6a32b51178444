//! What the TUI knows for its dashboard (the project at a glance, `%`
//! anywhere, `Esc` back): the figures, which are `nhan stats`' own,
//! computed by the runtime off the interface's thread and arriving in
//! steps (`Msg::Figures`) while keys keep working, and the dashboard's
//! cursor. `glance` has the handlers.

use nhan_figures::counts::Stats;
use std::sync::Arc;
/// What the dashboard shows and where its cursor is.
#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    /// The latest figures (the pass so far while `complete` is false).
    pub figures: Option<Arc<Stats>>,
    pub complete: bool,
    /// A pass is under way: no second one is started.
    pub computing: bool,
}

/// The dashboard's cursor: a label of the labels panel, and whether the
/// articles without it are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct View {
    pub label: usize,
    pub lacking: bool,
    pub scroll: u16,
}

/// The articles without the label at `label`, in the project's order
/// (only once the pass is complete: the rows come with it).
pub fn lacking(stats: &Stats, label: usize) -> Vec<&str> {
    let Some(row) = stats.overview.labels.get(label) else {
        return Vec::new();
    };
    stats
        .per_article
        .iter()
        .filter(|a| !a.by_label.keys().any(|l| **l == *row.label))
        .map(|a| a.article.as_str())
        .collect()
}
