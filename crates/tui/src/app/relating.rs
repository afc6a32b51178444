//! Relations from the keyboard: `>` on a span starts one, the usual motions
//! go to the other span, and a digit (the type's place in `nhan.toml`) or
//! `Enter` (when one type fits the two labels) makes it; `Esc` cancels.

use super::editing;
use super::keys::{Code, Key};
use super::msg::Effect;
use super::state::{Focus, Overlay, Relating, Selection, State};
use nhan_model::document::Document;
use nhan_model::edit::Edit;
use nhan_model::schema::Schema;
use nhan_model::span::Span;

/// `>`: starts a relation from the span at the cursor.
pub fn start(state: &mut State) -> Vec<Effect> {
    if state.project.schema.relations.is_empty() {
        state.error("nhan.toml declares no relation types: add [[relations]] tables (see the README, Relations)");
        return vec![];
    }
    let Some(art) = editing::writable(state) else {
        return vec![];
    };
    let Some(sp) = editing::span_here(art) else {
        state.error("no span at the cursor: > starts a relation from a span");
        return vec![];
    };
    art.relating = Some(Relating {
        from: sp.id,
        start: sp.start,
    });
    // Selected, as `]` leaves a span: the next `]` goes on from it.
    art.selection = Some(Selection::of_range(sp.start, sp.end, Some(sp.id)));
    state.info(format!(
        "relation from {} “{}”: go to the other span, then a digit or Enter (Esc cancels)",
        sp.label, sp.text
    ));
    vec![]
}

/// A key while a relation is being made: `Esc`, a digit and `Enter` are
/// its own; anything else (`None`) goes to the keymap as usual, so every
/// motion moves.
pub fn key(state: &mut State, key: Key) -> Option<Vec<Effect>> {
    if state.focus != Focus::Text {
        return None;
    }
    let from = state.article()?.relating?;
    if key.mods.ctrl || key.mods.alt {
        return None;
    }
    let pick = match key.code {
        Code::Esc => {
            state.article_mut()?.relating = None;
            state.info("no relation made");
            return Some(vec![]);
        }
        Code::Enter => None,
        Code::Char(c @ '1'..='9') => Some(c as usize - '1' as usize),
        _ => return None,
    };
    Some(finish(state, from, pick))
}

/// The type picked by name (`t` while a relation is being made): as its
/// digit would.
pub fn pick(state: &mut State, i: usize) -> Vec<Effect> {
    match state.article().and_then(|a| a.relating) {
        Some(rel) => finish(state, rel, Some(i)),
        None => vec![],
    }
}

/// The relation types that fit spans labelled `from` and `to`, with their
/// place in `nhan.toml`.
pub(super) fn fitting<'a>(schema: &'a Schema, from: &str, to: &str) -> Vec<(usize, &'a str)> {
    schema
        .relations
        .iter()
        .enumerate()
        .filter(|(_, t)| t.fits(from, to))
        .map(|(i, t)| (i, t.name.as_str()))
        .collect()
}

fn finish(state: &mut State, rel: Relating, pick: Option<usize>) -> Vec<Effect> {
    let annotator = state.annotator();
    let Some(art) = state.article() else {
        return vec![];
    };
    let Some(from) = art.doc.spans().find(rel.from, rel.start).cloned() else {
        if let Some(a) = state.article_mut() {
            a.relating = None;
        }
        state.error("the span the relation started from is gone; no relation made");
        return vec![];
    };
    let to = match editing::span_here(art) {
        Some(to) if to.id != from.id => to,
        _ => {
            state.error(format!(
                "move onto the other span first (relation from {} “{}”; Esc cancels)",
                from.label, from.text
            ));
            return vec![];
        }
    };
    let schema = &state.project.schema;
    let fits = fitting(schema, &from.label, &to.label);
    let label = match pick {
        Some(i) => match schema.relations.get(i) {
            None => {
                let msg = format!("no relation type {}: {}", i + 1, types_line(schema));
                state.error(msg);
                return vec![];
            }
            Some(t) if !fits.iter().any(|(j, _)| *j == i) => {
                let msg = format!(
                    "{} does not go from {} to {}: {}",
                    t.name,
                    from.label,
                    to.label,
                    fits_line(&fits)
                );
                state.error(msg);
                return vec![];
            }
            Some(t) => t.name.clone(),
        },
        None => match fits.as_slice() {
            [(_, one)] => one.to_string(),
            _ => {
                let msg = format!("from {} to {}: {}", from.label, to.label, fits_line(&fits));
                state.error(msg);
                return vec![];
            }
        },
    };
    let doc = &art.doc;
    if doc
        .relations()
        .iter()
        .any(|r| r.from == from.id && r.to == to.id && r.label == label)
    {
        state.error(format!("already related: {label} → “{}”", to.text));
        return vec![];
    }
    let r = doc.make_relation(from.id, to.id, &label, annotator.as_deref());
    if let Some(a) = state.article_mut() {
        a.relating = None;
    }
    let effects = editing::commit(state, Edit::add_relation(r), None);
    state.info(format!(
        "related {} “{}” {label} → {} “{}” (u undoes)",
        from.label, from.text, to.label, to.text
    ));
    effects
}

/// "1 has_title · 2 of": the types and their digits.
pub(super) fn types_line(schema: &Schema) -> String {
    schema
        .relations
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{} {}", i + 1, t.name))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// What can be typed for these two spans.
pub(super) fn fits_line(fits: &[(usize, &str)]) -> String {
    match fits {
        [] => "no relation type goes between these labels".into(),
        [(i, t)] => format!("only {} {t} fits (or Enter)", i + 1),
        many => format!(
            "{} types fit, press one's digit: {}",
            many.len(),
            many.iter()
                .map(|(i, t)| format!("{} {t}", i + 1))
                .collect::<Vec<_>>()
                .join(" · ")
        ),
    }
}

/// The relations of span `sp` as the status bar names them: `has_title →
/// Trưởng Ban`, `← has_title Lê Hoài Trung` for the ones pointing at it.
pub fn describe_of(doc: &Document, sp: &Span) -> Vec<String> {
    doc.relations_of(sp.id)
        .map(|r| {
            let other = doc
                .spans()
                .get(r.other_end(sp.id))
                .map_or("?", |s| s.text.as_str());
            if r.from == sp.id {
                format!("{} → {other}", r.label)
            } else {
                format!("← {} {other}", r.label)
            }
        })
        .collect()
}

/// One relation as the list shows it: `PER “Lan” works_for → ORG “Bộ …”`.
pub fn row(doc: &Document, r: &nhan_model::relation::Relation) -> String {
    let end = |id: nhan_model::ids::SpanId| {
        doc.spans()
            .get(id)
            .map_or(format!("span {id} (gone)"), |s| {
                format!("{} “{}”", s.label, s.text)
            })
    };
    format!("{} {} → {}", end(r.from), r.label, end(r.to))
}

/// `R`: the article's relations, one per line, to step through.
pub fn open_list(state: &mut State) -> Vec<Effect> {
    let Some(art) = state.article() else {
        return vec![];
    };
    if art.doc.relations().is_empty() {
        state.info("no relations in this article: > on a span starts one");
        return vec![];
    }
    state.overlay = Overlay::Relations { selected: 0 };
    vec![]
}

/// A key in the relation list: `j`/`k` move, `Enter` goes to the `from`
/// span and `t` to the `to` span (closing the list), `x` deletes the
/// relation and a digit gives it that type (both undoable), `Esc` closes.
pub fn list_key(state: &mut State, key: Key, selected: usize) -> Vec<Effect> {
    let Some(art) = state.article() else {
        return vec![];
    };
    let all = art.doc.relations();
    let Some(last) = all.len().checked_sub(1) else {
        return vec![];
    };
    let selected = selected.min(last);
    let r = all[selected].clone();
    let keep = |state: &mut State, selected: usize| {
        state.overlay = Overlay::Relations { selected };
    };
    match key.code {
        Code::Esc => {}
        Code::Char('j') | Code::Down => keep(state, (selected + 1).min(last)),
        Code::Char('k') | Code::Up => keep(state, selected.saturating_sub(1)),
        Code::Enter | Code::Char('t') => go_to(
            state,
            if key.code == Code::Enter {
                r.from
            } else {
                r.to
            },
        ),
        Code::Char('x') | Code::Delete => {
            if editing::writable(state).is_none() {
                return vec![];
            }
            let effects = editing::commit(state, Edit::remove_relation(r), None);
            if state
                .article()
                .is_some_and(|a| !a.doc.relations().is_empty())
            {
                keep(state, selected.min(last.saturating_sub(1)));
            }
            return effects;
        }
        Code::Char(c @ '1'..='9') => {
            keep(state, selected);
            return relabel(state, r, c as usize - '1' as usize);
        }
        _ => keep(state, selected),
    }
    vec![]
}

/// Gives relation `r` type `i` (in `nhan.toml` order), if it fits its ends.
fn relabel(state: &mut State, r: nhan_model::relation::Relation, i: usize) -> Vec<Effect> {
    let Some(art) = editing::writable(state) else {
        return vec![];
    };
    let spans = art.doc.spans();
    let (Some(from), Some(to)) = (spans.get(r.from), spans.get(r.to)) else {
        return vec![];
    };
    let (fl, tl) = (from.label.to_string(), to.label.to_string());
    let schema = &state.project.schema;
    let Some(t) = schema.relations.get(i) else {
        let msg = format!("no relation type {}: {}", i + 1, types_line(schema));
        state.error(msg);
        return vec![];
    };
    if !t.fits(&fl, &tl) {
        let msg = format!(
            "{} does not go from {fl} to {tl}: {}",
            t.name,
            fits_line(&fitting(schema, &fl, &tl))
        );
        state.error(msg);
        return vec![];
    }
    if t.name == r.label {
        return vec![];
    }
    let mut after = r.clone();
    after.label = t.name.clone();
    editing::commit(state, Edit::replace_relation(r, after), None)
}

/// Puts the cursor on span `id`, selected, and scrolls to it.
fn go_to(state: &mut State, id: nhan_model::ids::SpanId) {
    let height = super::geometry::text_inner(state.size, state.mode).height as usize;
    let Some(art) = state.article_mut() else {
        return;
    };
    let Some(s) = art.doc.spans().get(id).cloned() else {
        return;
    };
    art.cursor = s.start;
    art.selection = Some(Selection::of_range(s.start, s.end, Some(s.id)));
    super::motion::follow(art, height);
}
