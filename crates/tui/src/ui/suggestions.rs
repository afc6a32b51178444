//! Suggestions on the status bar and the message line.

use super::theme::Theme;
use crate::app::action::Action;
use crate::app::keymap::Context;
use crate::app::state::{OpenArticle, State};
use crate::app::suggestions::Prompt;
use ratatui::text::{Line, Span};

/// `│ LOC? “Hà Nội” dictionary 0.93 │ 12 suggested`: the suggestion under
/// the cursor and how many are pending in the article.
pub fn status(state: &State, art: &OpenArticle) -> Option<String> {
    let sg = &state.suggest;
    if !sg.enabled {
        return None;
    }
    let mut s = awaiting_trust(state);
    if sg.hidden {
        return Some(s + " │ suggestions hidden");
    }
    let Some(e) = sg.articles.get(&art.index).filter(|e| e.computed.is_some()) else {
        return Some(match &sg.failed {
            Some(_) => s + " │ suggestions off",
            None => s + " │ suggesting…",
        });
    };
    // The one `y`, `X` and the message mean, nested in a span or not.
    if let Some(x) = e.current(art.cursor, art.selection.map(|s| s.range())) {
        s += &format!(
            " │ {}? “{}” {} {:.2}",
            x.label,
            art.doc.text().slice(x.start, x.end),
            x.source,
            x.score
        );
    }
    s += &format!(" │ {} suggested", e.list.len());
    Some(s)
}

/// ` │ fake not approved (P)`, while a recommender waits for its
/// question (which opens only on that key).
fn awaiting_trust(state: &State) -> String {
    let Some((name, _, _)) = state.suggest.awaiting_trust.first() else {
        return String::new();
    };
    let keys = state
        .config
        .keymap
        .keys_for(Context::Global, Action::ReviewRecommender);
    match keys.first() {
        Some(k) => format!(" │ {} not approved ({k})", nhan_model::escape::line(name)),
        None => String::new(),
    }
}

/// The recommender a review row's span was accepted from (its `source`).
pub fn source_of(state: &State, row: &crate::app::state::ReviewRow) -> Option<String> {
    state.row_span(row)?.details.source().map(|s| s.to_string())
}

/// The message line while a suggestion prompt is open.
pub fn prompt_line(p: &Prompt, theme: Theme) -> Line<'static> {
    match p {
        Prompt::AcceptAll { input } => Line::from(vec![
            Span::raw(format!("accept all suggestions: {input}")),
            Span::styled(
                "   (Enter: all; or a label number/name and/or a score like .8; Esc cancels)",
                theme.dim(),
            ),
        ]),
        Prompt::Trust {
            name,
            command,
            covers,
            input,
        } => Line::from(vec![
            Span::styled(
                format!(
                    "allow nhan.toml's recommender {} for this project? type approve and Enter (Esc: no) › ",
                    nhan_model::escape::line(name),
                ),
                theme.error(),
            ),
            Span::raw(nhan_model::escape::line(input).into_owned()),
            Span::styled(
                format!(
                    "  it runs `{}`; approving covers {}",
                    nhan_model::escape::command(command),
                    covers
                ),
                theme.error(),
            ),
        ]),
    }
}
