//! Notes and attributes from the keyboard: the one-line note editor (on a
//! span or on the article), the attribute picker, and the span list's
//! filters on them. Every change is an `Edit` through `editing::commit`,
//! so it is undone with `u` and saved at once; in review mode it is a
//! `fixed` decision, like moving an edge.

use super::editing;
use super::keys::{Code, Key};
use super::line_edit::LineEdit;
use super::msg::Effect;
use super::state::{Mode, NoteTarget, OpenArticle, Overlay, ReviewRow, State};
use nhan_model::attrs::{self, AttrValue, Kind};
use nhan_model::edit::Edit;
use nhan_model::review::Decision;
use nhan_model::span::Span;

/// The span a note or attribute applies to: the selected one, or the
/// innermost span under the cursor.
fn span_here(art: &OpenArticle) -> Option<Span> {
    let spans = art.doc.spans();
    if let Some(sel) = art.selection {
        let (s, e) = sel.range();
        if let Some(sp) = sel
            .origin
            .and_then(|id| spans.find(id, s))
            .or_else(|| spans.with_extent(s, e))
        {
            return Some(sp.clone());
        }
    }
    spans.innermost_at(art.cursor).cloned()
}

/// The open article if it takes edits; says why not otherwise.
fn writable(state: &mut State) -> Option<&OpenArticle> {
    let art = state.article()?;
    if let Some(r) = art.read_only.clone() {
        state.error(format!("read-only, nothing changed: {r}"));
        return None;
    }
    state.article()
}

/// `#`: the note editor on the span at the cursor.
pub fn edit_note(state: &mut State) -> Vec<Effect> {
    let Some(art) = writable(state) else {
        return vec![];
    };
    let Some(sp) = span_here(art) else {
        state.error("no span at the cursor to write a note on: ] steps to one");
        return vec![];
    };
    state.overlay = Overlay::Note {
        target: NoteTarget::Span {
            id: sp.id,
            start: sp.start,
        },
        input: LineEdit::new(attrs::note(&sp).unwrap_or("")),
    };
    vec![]
}

/// `"`: the note editor on the article.
pub fn article_note(state: &mut State) -> Vec<Effect> {
    let Some(art) = writable(state) else {
        return vec![];
    };
    let note = attrs::article_note(art.doc.extra())
        .unwrap_or("")
        .to_string();
    state.overlay = Overlay::Note {
        target: NoteTarget::Article,
        input: LineEdit::new(&note),
    };
    vec![]
}

/// A key in the note editor: `Enter` saves (an empty note removes it),
/// `Esc` leaves it unchanged.
pub fn note_key(
    state: &mut State,
    key: Key,
    target: NoteTarget,
    mut input: LineEdit,
) -> Vec<Effect> {
    match key.code {
        Code::Esc => vec![],
        Code::Enter => save_note(state, target, input.text()),
        _ => {
            input.key(key);
            state.overlay = Overlay::Note { target, input };
            vec![]
        }
    }
}

/// Pasted text goes into an open prompt of this module as text; false if
/// none is open.
pub fn paste(state: &mut State, text: &str) -> bool {
    match &mut state.overlay {
        Overlay::Note { input, .. }
        | Overlay::Attrs {
            input: Some(input), ..
        } => {
            input.insert(text);
            true
        }
        _ => false,
    }
}

fn save_note(state: &mut State, target: NoteTarget, text: &str) -> Vec<Effect> {
    let note = attrs::clean_note(text);
    let Some(art) = state.article() else {
        return vec![];
    };
    match target {
        NoteTarget::Article => {
            let Some(edit) = attrs::set_article_note(art.doc.extra(), note.as_deref()) else {
                state.info("article note unchanged");
                return vec![];
            };
            let effects = editing::commit(state, edit, None);
            state.info(match &note {
                Some(n) => format!("article note: {n}"),
                None => "article note removed".into(),
            });
            effects
        }
        NoteTarget::Span { id, start } => {
            let Some(sp) = art.doc.spans().find(id, start).cloned() else {
                state.error("the span is gone; nothing changed");
                return vec![];
            };
            let Some(edit) = attrs::set_note(&sp, note.as_deref()) else {
                state.info(format!("note unchanged on {} “{}”", sp.label, sp.text));
                return vec![];
            };
            commit(state, edit)
        }
    }
}

/// Commits a change of a span's note or attributes; a reviewer's change
/// is a `fixed` decision with their name on it.
fn commit(state: &mut State, edit: Edit) -> Vec<Effect> {
    let edit = match (state.mode, edit) {
        (Mode::Review, Edit::Replace { before, mut after }) => {
            after.review = Some(Decision::fixed());
            after.reviewer = state.annotator().map(Into::into);
            Edit::Replace { before, after }
        }
        (_, e) => e,
    };
    editing::commit(state, edit, None)
}

/// `@`: the attribute picker on the span at the cursor.
pub fn attr_picker(state: &mut State) -> Vec<Effect> {
    let Some(art) = writable(state) else {
        return vec![];
    };
    let Some(sp) = span_here(art) else {
        state.error("no span at the cursor: ] steps to one, then @ sets its attributes");
        return vec![];
    };
    let none = state
        .project
        .schema
        .attributes(&sp.label)
        .is_none_or(|a| a.is_empty());
    if none {
        state.info(format!(
            "label {} has no attributes (declare them under [labels.attributes] in nhan.toml)",
            sp.label
        ));
        return vec![];
    }
    state.overlay = Overlay::Attrs {
        id: sp.id,
        start: sp.start,
        selected: 0,
        input: None,
    };
    vec![]
}

/// The span the picker is on, and its label's attributes.
pub fn picked(
    state: &State,
    id: nhan_model::ids::SpanId,
    start: usize,
) -> Option<(Span, &attrs::Attributes)> {
    let sp = state.article()?.doc.spans().find(id, start)?.clone();
    let decl = state.project.schema.attributes(&sp.label)?;
    Some((sp, decl))
}

/// A key in the attribute picker. `↑`/`↓` choose the attribute; `Enter`,
/// `Space` or `→` set its next value (a flag toggles, a free value opens a
/// prompt), `←` the previous one, a digit value N, `Backspace` clears it.
pub fn attrs_key(
    state: &mut State,
    key: Key,
    id: nhan_model::ids::SpanId,
    start: usize,
    mut selected: usize,
    input: Option<LineEdit>,
) -> Vec<Effect> {
    let Some((sp, decl)) = picked(state, id, start) else {
        return vec![];
    };
    let decl = decl.clone();
    let reopen = |state: &mut State, selected, input| {
        state.overlay = Overlay::Attrs {
            id,
            start,
            selected,
            input,
        }
    };
    let Some(attr) = decl.0.get(selected).cloned() else {
        return vec![];
    };
    if let Some(mut line) = input {
        match key.code {
            Code::Esc => reopen(state, selected, None),
            Code::Enter => {
                let v = attrs::clean_note(line.text()).map(AttrValue::Text);
                match set(state, &sp, &attr.name, v) {
                    Ok(effects) => {
                        reopen(state, selected, None);
                        return effects;
                    }
                    Err(e) => {
                        state.error(format!("not set: {e}"));
                        reopen(state, selected, Some(line));
                    }
                }
            }
            _ => {
                line.key(key);
                state.message = None;
                reopen(state, selected, Some(line));
            }
        }
        return vec![];
    }
    let current = attrs::attr(&sp, &attr.name).cloned();
    let value = match (&attr.kind, key.code) {
        (_, Code::Esc | Code::Char('q')) => return vec![],
        (_, Code::Down | Code::Tab | Code::Char('j')) => {
            selected = (selected + 1).min(decl.0.len() - 1);
            reopen(state, selected, None);
            return vec![];
        }
        (_, Code::Up | Code::BackTab | Code::Char('k')) => {
            selected = selected.saturating_sub(1);
            reopen(state, selected, None);
            return vec![];
        }
        (_, Code::Backspace | Code::Delete | Code::Char('x')) => None,
        (Kind::Flag, Code::Enter | Code::Char(' ') | Code::Right | Code::Left) => {
            (current != Some(AttrValue::Bool(true))).then_some(AttrValue::Bool(true))
        }
        (Kind::Pattern { .. }, Code::Enter | Code::Char(' ') | Code::Right) => {
            state.message = None;
            let now = current.as_ref().and_then(AttrValue::as_str).unwrap_or("");
            reopen(state, selected, Some(LineEdit::new(now)));
            return vec![];
        }
        (Kind::Values(vs), Code::Char(d @ '1'..='9')) => {
            let n = d as usize - '1' as usize;
            match vs.get(n) {
                Some(v) => Some(AttrValue::from(v.as_str())),
                None => {
                    state.error(format!(
                        "{} has {} values: 1…{}",
                        attr.name,
                        vs.len(),
                        vs.len()
                    ));
                    reopen(state, selected, None);
                    return vec![];
                }
            }
        }
        (Kind::Values(vs), Code::Enter | Code::Char(' ') | Code::Right | Code::Left) => {
            // Cycling goes through "no value" too.
            let at = current
                .as_ref()
                .and_then(AttrValue::as_str)
                .and_then(|c| vs.iter().position(|v| v == c));
            let n = vs.len() + 1;
            let pos = at.map_or(0, |i| i + 1);
            let next = if key.code == Code::Left {
                (pos + n - 1) % n
            } else {
                (pos + 1) % n
            };
            (next > 0).then(|| AttrValue::from(vs[next - 1].as_str()))
        }
        _ => {
            reopen(state, selected, None);
            return vec![];
        }
    };
    let effects = match set(state, &sp, &attr.name, value) {
        Ok(effects) => effects,
        Err(e) => {
            state.error(format!("not set: {e}"));
            vec![]
        }
    };
    reopen(state, selected, None);
    effects
}

fn set(
    state: &mut State,
    sp: &Span,
    name: &str,
    v: Option<AttrValue>,
) -> Result<Vec<Effect>, attrs::AttrError> {
    match attrs::set_attr(state.project.schema.attributes(&sp.label), sp, name, v)? {
        Some(edit) => Ok(commit(state, edit)),
        None => {
            state.info(format!("{name} unchanged"));
            Ok(vec![])
        }
    }
}

/// The span of a review row, if it is one.
fn row_span<'a>(state: &'a State, r: &ReviewRow) -> Option<&'a Span> {
    state.row_span(r)
}

/// Whether a row passes the span list's note and attribute filters.
pub fn row_passes(state: &State, r: &ReviewRow) -> bool {
    let rv = &state.review;
    if !rv.only_noted && rv.attr.is_none() {
        return true;
    }
    let Some(sp) = row_span(state, r) else {
        return false;
    };
    let noted = !rv.only_noted || attrs::note(sp).is_some();
    let attr_ok = rv
        .attr
        .as_ref()
        .is_none_or(|(k, v)| attrs::attr(sp, k).is_some_and(|x| shown(x) == *v));
    noted && attr_ok
}

/// An attribute value as the list and its filter show it.
pub use nhan_model::attrs::shown;

/// `!` in the span list: only spans with a note, or all again.
pub fn toggle_noted(state: &mut State) {
    state.review.only_noted = !state.review.only_noted;
    state.info(if state.review.only_noted {
        "only spans with a note"
    } else {
        "spans with or without a note"
    });
}

/// `=` in the span list: the next attribute value present in the loaded
/// articles (sorted), then no attribute filter.
pub fn next_attr_filter(state: &mut State) {
    let mut values: Vec<(String, String)> = (0..state.project.articles.len())
        .filter_map(|i| state.review_spans(i))
        .flat_map(|s| s.iter())
        .flat_map(|s| attrs::attrs(s).map(|(k, v)| (k.to_string(), shown(v))))
        .collect();
    values.sort();
    values.dedup();
    let next = match &state.review.attr {
        None => values.first().cloned(),
        Some(cur) => values.iter().find(|v| *v > cur).cloned(),
    };
    match &next {
        Some((k, v)) => state.info(format!("only spans with {k}={v}")),
        None if values.is_empty() => state.info("no span has an attribute value yet"),
        None => state.info("any attribute values"),
    }
    state.review.attr = next;
}
