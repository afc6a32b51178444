//! Actions that change the document: each builds an `Edit`, applies it,
//! records it for undo and asks for the sidecar to be saved.

use super::action::Action;
use super::msg::Effect;
use super::state::{Mode, OpenArticle, Overlay, ReadOnly, SaveState, Selection, State, Step};
use nhan_model::edit::{Edit, Entry};
use nhan_model::record::{List, Record};
use nhan_model::review;
use nhan_model::span::Span;
use nhan_model::status::Status;

/// What an edit did, in words for the status bar.
pub fn describe(e: &Edit) -> String {
    match e {
        Edit::Add(s) => format!("tagged {} “{}”", s.label, s.text),
        Edit::Remove(s) => format!("removed {} “{}”", s.label, s.text),
        Edit::Replace { before, after }
            if let Some(what) = nhan_model::attrs::describe_change(before, after) =>
        {
            what
        }
        Edit::Replace { before, after }
            if before.range() == after.range() && before.label == after.label =>
        {
            let what = after.review.map_or("unreviewed", review::Decision::as_str);
            format!("{what}: {} “{}”", after.label, after.text)
        }
        Edit::Replace { before, after } if before.range() == after.range() => {
            format!(
                "relabelled “{}” {} → {}",
                after.text, before.label, after.label
            )
        }
        // Moved and relabelled at once: both labels, each with its extent
        // (undone, the message then names the label that comes back).
        Edit::Replace { before, after } if before.label != after.label => format!(
            "{} “{}” → {} “{}”",
            before.label, before.text, after.label, after.text
        ),
        Edit::Replace { before, after } => {
            format!("{} “{}” → “{}”", after.label, before.text, after.text)
        }
        Edit::SetStatus { after, .. } => format!("article marked {after}"),
        Edit::SetField { field, .. } => format!("updated {}", field.key()),
        Edit::Relation { before, after } => match (before, after) {
            (Some(b), Some(a)) => format!("relation {} → {}", b.label, a.label),
            (None, Some(a)) => format!("added relation {}", a.label),
            (Some(b), None) => format!("removed relation {}", b.label),
            (None, None) => String::new(),
        },
        Edit::Batch(_) if count(e, |e| matches!(e, Edit::Add(_))) > 1 => {
            many(e, "tagged", |e| matches!(e, Edit::Add(_)))
        }
        Edit::Batch(_) if count(e, |e| matches!(e, Edit::Remove(_))) > 1 => {
            many(e, "removed", |e| matches!(e, Edit::Remove(_)))
        }
        Edit::Batch(v) => {
            let rejected = flatten(e).iter().any(
                |e| matches!(e, Edit::SetField { field, .. } if *field == List::Rejected.field()),
            );
            let said = match v.iter().find_map(span_edit) {
                Some(Edit::Remove(s)) if rejected => format!("rejected {} “{}”", s.label, s.text),
                Some(e) => describe(e),
                None => return v.first().map_or_else(String::new, describe),
            };
            // A span removed (or restored) with its relations says how many.
            match count(e, |e| matches!(e, Edit::Relation { .. })) {
                0 => said,
                1 => format!("{said} and its relation"),
                n => format!("{said} and its {n} relations"),
            }
        }
    }
}

/// A batch of several spans (`*`, and its undo) in words: how many.
fn many(e: &Edit, verb: &str, which: impl Fn(&Edit) -> bool) -> String {
    let spans: Vec<&Span> = flatten(e)
        .into_iter()
        .filter(|e| which(e))
        .filter_map(Edit::touched)
        .collect();
    let first = spans[0];
    let same = spans
        .iter()
        .all(|s| s.text == first.text && s.label == first.label);
    if same {
        format!(
            "{verb} {} spans: {} “{}”",
            spans.len(),
            first.label,
            first.text
        )
    } else {
        format!("{verb} {} spans", spans.len())
    }
}

fn count(e: &Edit, which: impl Fn(&Edit) -> bool) -> usize {
    flatten(e).into_iter().filter(|e| which(e)).count()
}

/// Every edit inside `e`, batches opened.
fn flatten(e: &Edit) -> Vec<&Edit> {
    match e {
        Edit::Batch(v) => v.iter().flat_map(flatten).collect(),
        other => vec![other],
    }
}

/// The first edit of a span inside `e` (looking into batches).
fn span_edit(e: &Edit) -> Option<&Edit> {
    match e {
        Edit::Add(_) | Edit::Remove(_) | Edit::Replace { .. } => Some(e),
        Edit::Batch(v) => v.iter().find_map(span_edit),
        _ => None,
    }
}

pub fn writable(state: &mut State) -> Option<&mut OpenArticle> {
    let reason = state.article()?.read_only.clone();
    if let Some(r) = reason {
        state.error(format!("read-only, nothing changed: {r}"));
        return None;
    }
    state.article_mut()
}

/// Applies, records and saves an edit; the first edit of a `todo` article
/// also moves it to `in_progress` (undone together with it).
pub fn commit(state: &mut State, edit: Edit, note: Option<String>) -> Vec<Effect> {
    let annotating = state.mode == super::state::Mode::Annotate;
    let Some(art) = state.article_mut() else {
        return vec![];
    };
    let edit = if art.doc.status() == Status::Todo && !matches!(edit, Edit::SetStatus { .. }) {
        Edit::Batch(vec![
            Edit::SetStatus {
                before: Status::Todo,
                after: Status::InProgress,
            },
            edit,
        ])
    } else {
        edit
    };
    art.doc.apply(&edit);
    // A reviewed article whose spans change outside review (or are left
    // with one unreviewed) is no longer reviewed: a default export would
    // ship spans nobody reviewed. Reopened in the same undo step.
    let relation_edit = count(&edit, |e| matches!(e, Edit::Relation { .. })) > 0;
    let reopen = art.doc.status() == Status::Reviewed
        && (span_edit(&edit).is_some() || relation_edit)
        && (annotating
            || art.doc.spans().reviewed() < art.doc.spans().len()
            || nhan_model::relation::undecided(art.doc.relations()) > 0);
    let (edit, note) = if reopen {
        let back = Edit::SetStatus {
            before: Status::Reviewed,
            after: Status::InProgress,
        };
        art.doc.apply(&back);
        let note = note.unwrap_or_default()
            + "; the article was reviewed and is in progress again (u undoes both), to be reviewed anew";
        (Edit::Batch(vec![edit, back]), Some(note))
    } else {
        (edit, note)
    };
    let text = describe(&edit);
    if let Some(s) = edit.touched() {
        art.cursor = s.start;
    }
    let sel = edit
        .touched()
        .map(|s| Selection::of_range(s.start, s.end, Some(s.id)));
    let changed = edit.extent();
    art.history.record(edit);
    let effects = after_change(state, text + &note.unwrap_or_default(), changed);
    // The span just made or changed stays selected: `]` goes on from it,
    // a digit relabels it, `x` deletes it.
    if let Some(art) = state.article_mut() {
        art.selection = sel.filter(|s| {
            let near = s.range().0;
            s.origin
                .is_some_and(|id| art.doc.spans().find(id, near).is_some())
        });
    }
    effects
}

fn after_change(
    state: &mut State,
    text: String,
    changed: Option<std::ops::Range<usize>>,
) -> Vec<Effect> {
    let Some(art) = state.article_mut() else {
        return vec![];
    };
    art.revision += 1;
    art.save = SaveState::Pending;
    art.selection = None;
    art.drawn.note(changed);
    let index = art.index;
    state.review.cases = None;
    state.info(text);
    state.save_effect(index).into_iter().collect()
}

/// The extent to tag: the selection, or the token at the cursor.
fn target(art: &OpenArticle) -> Option<(usize, usize, Option<nhan_model::ids::SpanId>)> {
    if let Some(sel) = art.selection {
        let (s, e) = sel.range();
        return Some((s, e, sel.origin));
    }
    let toks = art.doc.tokens();
    let t = toks.get(toks.at_or_after(art.cursor)?);
    Some((t.start, t.end, None))
}

pub fn tag(state: &mut State, label_index: usize) -> Vec<Effect> {
    let schema = &state.project.schema;
    let overlap = schema.overlap;
    let cross_paragraphs = schema.cross_paragraphs;
    let Some(label) = schema.labels.get(label_index).map(|l| l.name.clone()) else {
        let names: Vec<String> = schema
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{} {}", i + 1, l.name))
            .collect();
        state.error(format!(
            "no label {} in this project (labels: {})",
            label_index + 1,
            names.join(", ")
        ));
        return vec![];
    };
    let annotator = state.annotator();
    let Some(art) = writable(state) else {
        return vec![];
    };
    let Some((start, end, origin)) = target(art) else {
        state.error("nothing to tag here");
        return vec![];
    };
    let Some((start, end)) = nhan_model::extent::trim(art.doc.text(), start, end) else {
        state.error("not tagged: the selection is only spaces or line breaks");
        return vec![];
    };
    if !cross_paragraphs && nhan_model::extent::crosses_blank_line(art.doc.text(), start, end) {
        state.error(
            "not tagged: the selection crosses a blank line (a paragraph break); set cross_paragraphs = true in nhan.toml to allow it",
        );
        return vec![];
    }
    let doc = &mut art.doc;
    let moving = origin.and_then(|id| doc.spans().find(id, start).cloned());
    let same = doc.spans().with_extent(start, end).cloned();
    // A selected span moved onto another span's extent: relabelling that
    // other one would change a span the user did not select.
    if let (Some(m), Some(other)) = (&moving, &same)
        && m.id != other.id
    {
        state.error(format!(
            "not moved: {} “{}” already has this extent; {} “{}” stays as it was",
            other.label, other.text, m.label, m.text
        ));
        return vec![];
    }
    let edit = if let Some(same) = same {
        if same.label == label {
            state.info(format!("already {label} “{}”", same.text));
            return vec![];
        }
        Edit::Replace {
            after: Span {
                label: label.into(),
                ..same.clone()
            },
            before: same,
        }
    } else {
        if let Err(why) = doc.check_new_extent(start, end, overlap, moving.as_ref().map(|s| s.id)) {
            state.error(format!("not tagged: {why}"));
            return vec![];
        }
        match moving {
            Some(before) => {
                let after = Span {
                    start,
                    end,
                    label: label.into(),
                    text: doc.text().slice(start, end).into(),
                    ..before.clone()
                };
                Edit::Replace { before, after }
            }
            None => Edit::Add(doc.make_span(start, end, &label, annotator.as_deref())),
        }
    };
    // A reviewer's new span or fix is reviewed by that reviewer.
    let edit = match state.mode {
        Mode::Review => review::mark_reviewed_by(edit, annotator.as_deref()),
        Mode::Annotate => edit,
    };
    let effects = commit(state, edit, None);
    cursor_past_selection(state);
    effects
}

/// After a tag the cursor waits on the token after the span, where the
/// next entity is looked for (`e`, `l`), while the span stays selected so
/// that a digit relabels it and `x` deletes it.
fn cursor_past_selection(state: &mut State) {
    let Some(art) = state.article_mut() else {
        return;
    };
    let Some(sel) = art.selection else {
        return;
    };
    let toks = art.doc.tokens();
    if let Some(i) = toks.at_or_after(sel.end) {
        art.cursor = toks.get(i).start;
    }
}

/// `1`…`9`: tags with the label of that number.
pub fn tag_action(state: &mut State, a: Action) -> Vec<Effect> {
    match a.tag_index() {
        Some(i) => tag(state, i),
        None => vec![],
    }
}

/// `t`: the label picker.
/// `;`: the next key is a label's own key (`key` in nhan.toml, or the
/// default `Schema::second_keys` gives labels past the ninth).
pub fn label_key(state: &mut State) -> Vec<Effect> {
    if state.focus == super::state::Focus::List || state.article().is_none() {
        state.error("no article open: choose one in the list and press Enter");
        return vec![];
    }
    if state
        .project
        .schema
        .second_keys()
        .iter()
        .all(Option::is_none)
    {
        state.error(format!(
            "every label has its digit (1-{}); `;` and a key tag labels past the ninth",
            state.project.schema.labels.len()
        ));
        return vec![];
    }
    state.overlay = Overlay::LabelKey;
    vec![]
}

/// `t`: the label picker; while a relation is being made, the picker of
/// its type.
pub fn label_picker(state: &mut State) -> Vec<Effect> {
    let relation = state.article().is_some_and(|a| a.relating.is_some());
    state.overlay = Overlay::LabelPicker {
        filter: String::new(),
        selected: 0,
        relation,
    };
    vec![]
}

pub fn undo_redo(state: &mut State, step: Step) -> Vec<Effect> {
    let undo = step == Step::Back;
    let Some(art) = writable(state) else {
        return vec![];
    };
    let e = if undo {
        art.history.undo()
    } else {
        art.history.redo()
    };
    let Some(e) = e else {
        // Undo is per article: after moving to another one, say so.
        state.info(if undo {
            "nothing to undo in this article (undo is per article)"
        } else {
            "nothing to redo in this article"
        });
        return vec![];
    };
    let word = if undo { "undone" } else { "redone" };
    let Entry::Edit(e) = e else {
        // A rejection whose suggestion is no longer listed (the list was
        // computed again): the document has nothing to take back.
        state.info(format!(
            "{word}: a rejection of a suggestion no longer listed here"
        ));
        return vec![];
    };
    art.doc.apply(&e);
    if let Some(s) = e.touched() {
        art.cursor = s.start;
    }
    after_change(state, format!("{word}: {}", describe(&e)), e.extent())
}

/// The span a delete or `*` acts on: the selected one, or the innermost
/// span under the cursor.
pub fn span_here(art: &OpenArticle) -> Option<Span> {
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

pub fn delete(state: &mut State) -> Vec<Effect> {
    let Some(art) = writable(state) else {
        return vec![];
    };
    match span_here(art) {
        // Its relations go with it, in the same undoable edit.
        Some(s) => {
            let edit = art.doc.remove_span_edit(&s);
            commit(state, edit, None)
        }
        None => {
            state.error("no span at the cursor to delete");
            vec![]
        }
    }
}

pub fn tag_all(state: &mut State) -> Vec<Effect> {
    let overlap = state.project.schema.overlap;
    let annotator = state.annotator();
    let Some(art) = writable(state) else {
        return vec![];
    };
    let Some(src) = span_here(art) else {
        state.error(
            "select a tagged span first (] steps to one), then * tags its other occurrences",
        );
        return vec![];
    };
    let idx = nhan_model::search::SearchIndex::new(art.doc.text(), false);
    let (mut adds, mut tagged, mut inside, mut refused) = (Vec::new(), 0, 0, 0);
    for (s, e) in idx.find_all(&src.text) {
        if (s, e) == (src.start, src.end) || !art.doc.whole_tokens(s, e) {
            continue;
        }
        if art.doc.spans().with_extent(s, e).is_some() {
            tagged += 1;
        } else if art.doc.spans().at(s).iter().any(|sp| sp.end >= e) {
            // Part of a longer span ("Trung ương" in "Ban Đối ngoại Trung
            // ương"): a different entity, left alone.
            inside += 1;
        } else if art.doc.check_new_extent(s, e, overlap, None).is_err() {
            refused += 1;
        } else {
            adds.push(Edit::Add(art.doc.make_span(
                s,
                e,
                &src.label,
                annotator.as_deref(),
            )));
        }
    }
    let n = adds.len();
    let mut note = String::new();
    if tagged > 0 {
        note += &format!(", {tagged} already tagged");
    }
    if inside > 0 {
        note += &format!(", {inside} inside other spans skipped");
    }
    if refused > 0 {
        note += &format!(", {refused} skipped (would cross a span)");
    }
    if n == 0 {
        state.info(format!(
            "no other untagged “{}” in this article{note}",
            src.text
        ));
        return vec![];
    }
    let effects = commit(state, Edit::Batch(adds), None);
    let occ = if n == 1 { "occurrence" } else { "occurrences" };
    state.info(format!(
        "tagged {n} more {occ} of “{}” as {}{note}",
        src.text, src.label
    ));
    if let Some(art) = state.article_mut() {
        art.cursor = src.start;
        art.selection = Some(Selection::of_range(src.start, src.end, Some(src.id)));
    }
    effects
}

pub fn toggle_done(state: &mut State) -> Vec<Effect> {
    let Some(art) = writable(state) else {
        return vec![];
    };
    let before = art.doc.status();
    let after = match before {
        Status::Done => Status::InProgress,
        Status::Reviewed => {
            state.error("this article is reviewed; its status changes in review mode");
            return vec![];
        }
        _ => Status::Done,
    };
    commit(state, Edit::SetStatus { before, after }, None)
}

/// `A` after the article changed: keep the re-anchored spans, store the
/// spans that found no place under `orphans` (never dropped), and save.
pub fn accept_changes(state: &mut State) -> Vec<Effect> {
    let lock = state.lock_problem.clone();
    let Some(art) = state.article_mut() else {
        return vec![];
    };
    let Some(r) = art.reanchored.take() else {
        state.info("nothing to accept: the article has not changed since it was annotated");
        return vec![];
    };
    if !r.orphans.is_empty() {
        // Through an edit, so that `u` takes the record back out.
        let edit = List::Orphans.append(&art.doc, r.orphans.iter().map(Record::of_span));
        art.doc.apply(&edit);
        art.history.record(edit);
    }
    art.read_only = lock.map(ReadOnly::Locked);
    art.revision += 1;
    // The orphans list is no span: no row changes.
    art.drawn.note(None);
    art.save = SaveState::Pending;
    let index = art.index;
    let n = r.orphans.len();
    state.info(format!(
        "accepted the re-anchored spans; {n} unplaced kept under \"orphans\" in the sidecar"
    ));
    state.save_effect(index).into_iter().collect()
}
