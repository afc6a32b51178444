//! Sidecars that change on disk while their article is open: merged with
//! the edits made here (span by span, `core::merge`), refused when they no
//! longer read, and the conflicts a merge records settled by the user.
//!
//! The runtime notices the change (before a save, and once a second for
//! the articles being worked on) and never writes over it; what to do
//! with it is decided here.

use super::editing;
use super::keys::{Code, Key};
use super::msg::Effect;
use super::state::{OpenArticle, Overlay, ReadOnly, SaveState, State};
use crate::error::TakeError;
use crate::view::wrap::Layout;
use nhan_model::edit::{Edit, Field, History};
use nhan_model::merge::{self, CONFLICTS, Conflict};
use nhan_model::sidecar::{Sidecar, Snapshot};
use nhan_model::span::{Span, SpanStore};
use nhan_store::disk::DiskStamp;
use serde_json::Value;

/// Once a second: failed saves are tried again, and the articles being
/// worked on (the one on screen, the edited ones, the ones a change on
/// disk made read-only) are looked at for changes on disk.
pub fn tick(state: &mut State) -> Vec<Effect> {
    let mut effects = Vec::new();
    for art in state.articles.iter().flatten() {
        let path = state
            .project
            .sidecar_path(&state.project.articles[art.index].stem);
        let retry = matches!(art.save, SaveState::Failed(_)) && art.read_only.is_none();
        if retry {
            effects.push(art.save_effect(path));
            continue;
        }
        let watched = state.current == Some(art.index)
            || art.revision > 0
            || matches!(art.read_only, Some(ReadOnly::Sidecar(_)));
        if watched {
            effects.push(Effect::Watch {
                index: art.index,
                path,
                expected: art.on_disk,
            });
        }
    }
    effects
}

/// A save came back written: the file now holds that snapshot.
pub fn written(art: &mut OpenArticle, on_disk: Option<DiskStamp>, snapshot: Snapshot) {
    art.on_disk = on_disk;
    art.base = snapshot;
}

/// The sidecar of article `index` is not what nhan last read or wrote.
pub fn changed_on_disk(
    state: &mut State,
    index: usize,
    on_disk: DiskStamp,
    theirs: Result<Box<Sidecar>, crate::error::TuiError>,
) -> Vec<Effect> {
    let Some(art) = state.articles.get_mut(index).and_then(Option::as_mut) else {
        return vec![];
    };
    let file = state
        .project
        .sidecar_path(&state.project.articles[index].stem)
        .display()
        .to_string();
    if art.on_disk == Some(on_disk) {
        // Reported twice (a save and a watch crossed): already merged.
        return resave(state, index);
    }
    if matches!(art.read_only, Some(ReadOnly::ArticleChanged(_))) {
        // Its spans wait for `A` against the old sidecar: merging under
        // them would mix two placements. Nothing is written meanwhile.
        state.error(format!(
            "{file} changed on disk while its re-anchored spans wait for A: nothing was written; reopen nhan to place the new file's spans"
        ));
        return vec![];
    }
    let theirs = match theirs {
        Ok(t) => *t,
        Err(why) => {
            // Left as it is on disk; the edits here stay in memory.
            if art.save == SaveState::Pending {
                art.save = SaveState::Failed(format!("{file} changed on disk"));
            }
            art.read_only = Some(ReadOnly::Sidecar(format!(
                "{why}; it changed on disk while open: nhan will not overwrite it. Fix it (or `git checkout -m` it) and it is read again"
            )));
            state.error(format!(
                "read-only: {file} changed on disk and no longer reads: {why}"
            ));
            return vec![];
        }
    };
    let base = sidecar_of(&art.base);
    if same_content(&theirs, &base) {
        // Touched or rewritten with the same content: nothing came in.
        art.on_disk = Some(on_disk);
        if matches!(art.read_only, Some(ReadOnly::Sidecar(_))) {
            art.read_only = None;
        }
        return resave(state, index);
    }
    let ours = art.doc.to_sidecar();
    let merged = merge::merge(Some(&base), &ours, &theirs);
    let (doc, problems) = art.doc.clone().with_sidecar(merged.sidecar.clone());
    if let Some(first) = problems.first() {
        art.read_only = Some(ReadOnly::Sidecar(format!(
            "{file} changed on disk and does not fit this article ({first}); nhan will not overwrite it: reopen nhan to place its spans again"
        )));
        if art.save == SaveState::Pending {
            art.save = SaveState::Failed(format!("{file} changed on disk"));
        }
        state.error(format!(
            "read-only: {file} changed on disk and does not fit this article: {first}"
        ));
        return vec![];
    }
    let came_in = changed_spans(&ours.spans, &merged.sidecar.spans);
    let needs_save = !same_content(&merged.sidecar, &theirs);
    art.doc = doc;
    art.base = snapshot_of(theirs);
    art.on_disk = Some(on_disk);
    // Undo steps were made against the spans before the merge.
    art.history = History::default();
    art.selection = None;
    art.layout = Layout::default();
    art.revision += 1;
    art.save = if needs_save {
        SaveState::Pending
    } else {
        SaveState::Saved
    };
    if matches!(art.read_only, Some(ReadOnly::Sidecar(_))) {
        art.read_only = state.lock_problem.clone().map(ReadOnly::Locked);
    }
    let open_conflicts = nhan_model::merge::recorded_count(art.doc.extra());
    let relations = conflicts(art.doc.extra())
        .iter()
        .any(|c| matches!(c, Conflict::Relation { .. }));
    state.review.cases = None;
    let mut text = format!(
        "{file} changed on disk: merged with the edits here ({came_in} span change(s) came in; undo starts afresh)"
    );
    for n in merged.notes.iter().take(2) {
        text.push_str("; ");
        text.push_str(n);
    }
    if open_conflicts > 0 {
        // What to do first: the message line cuts the end of a long message.
        state.error(format!(
            "{} where both changed the same {}: C shows them, o keeps yours, t takes theirs · {text}",
            nhan_model::escape::count(open_conflicts as u64, "conflict", "conflicts"),
            if relations {
                "span or relation"
            } else {
                "span"
            }
        ));
    } else {
        state.info(text);
    }
    if needs_save {
        state.save_effect(index).into_iter().collect()
    } else {
        vec![]
    }
}

/// A save refused for a change already taken in: asked for again.
fn resave(state: &mut State, index: usize) -> Vec<Effect> {
    let Some(art) = state.articles.get_mut(index).and_then(Option::as_mut) else {
        return vec![];
    };
    if art.read_only.is_some() || art.save == SaveState::Saved {
        return vec![];
    }
    art.save = SaveState::Pending;
    state.save_effect(index).into_iter().collect()
}

fn sidecar_of(s: &Snapshot) -> Sidecar {
    Sidecar {
        nhan: s.head.nhan,
        article: s.head.article.clone(),
        text_sha256: s.head.text_sha256.clone(),
        status: s.head.status,
        spans: s.spans.iter().cloned().collect(),
        extra: s.head.extra.clone(),
    }
}

fn snapshot_of(sc: Sidecar) -> Snapshot {
    let (head, spans) = sc.into_parts();
    Snapshot {
        head,
        spans: SpanStore::new(spans).snapshot(),
    }
}

fn sorted(spans: &[Span]) -> Vec<&Span> {
    let mut v: Vec<&Span> = spans.iter().collect();
    v.sort_by_key(|s| (s.start, s.end, s.id));
    v
}

/// Whether two sidecars say the same, whatever the order of their spans.
fn same_content(a: &Sidecar, b: &Sidecar) -> bool {
    a.status == b.status
        && a.text_sha256 == b.text_sha256
        && a.extra == b.extra
        && sorted(&a.spans) == sorted(&b.spans)
}

/// How many spans differ between `before` and `after` (added, removed or
/// changed, each counted once).
fn changed_spans(before: &[Span], after: &[Span]) -> usize {
    let (a, b) = (sorted(before), sorted(after));
    let gone = a.iter().filter(|s| !b.contains(s)).count();
    let new = b.iter().filter(|s| !a.contains(s)).count();
    gone.max(new)
}

/// The conflicts a merge recorded in a sidecar's `conflicts` list.
pub fn conflicts(extra: &serde_json::Map<String, Value>) -> Vec<Conflict> {
    nhan_model::merge::recorded(extra)
}

/// One conflict in words: which span, and each side's version.
pub fn describe(c: &Conflict) -> String {
    fn span(s: &Option<Span>) -> String {
        match s {
            None => "removed".into(),
            Some(s) => format!("{} “{}” at {}", s.label.as_str(), s.text, s.start),
        }
    }
    fn value(v: &Option<Value>) -> String {
        match v {
            None | Some(Value::Null) => "removed".into(),
            Some(v) => v.to_string(),
        }
    }
    let (ours, theirs, base) = match c {
        Conflict::Span {
            base, ours, theirs, ..
        } => (span(ours), span(theirs), span(base)),
        Conflict::Field {
            base, ours, theirs, ..
        } => (value(ours), value(theirs), value(base)),
        Conflict::Relation {
            base, ours, theirs, ..
        } => match merge::lost_end(c) {
            Some(lost) => return format!("{lost}; o leaves it out, t puts back both"),
            None => (
                merge::relation_version(ours.as_deref()),
                merge::relation_version(theirs.as_deref()),
                merge::relation_version(base.as_deref()),
            ),
        },
        Conflict::Unreadable(_) => return format!("{}: o removes it", c.what()),
    };
    format!(
        "{}: yours {ours} · theirs {theirs} (before: {base})",
        c.what()
    )
}

/// `C`: the list of conflicts to settle.
pub fn open(state: &mut State) -> Vec<Effect> {
    let Some(art) = state.article() else {
        return vec![];
    };
    if nhan_model::merge::recorded_count(art.doc.extra()) == 0 {
        state.info("no merge conflicts in this article");
        return vec![];
    }
    state.overlay = Overlay::Conflicts { selected: 0 };
    vec![]
}

/// A key while the conflict list is open: j/k move, o keeps yours, t
/// takes theirs; anything else closes it (the conflicts stay recorded).
pub fn key(state: &mut State, key: Key, selected: usize) -> Vec<Effect> {
    let Some(art) = state.article() else {
        return vec![];
    };
    let all = conflicts(art.doc.extra());
    let last = all.len().saturating_sub(1);
    let keep = |state: &mut State, selected: usize| {
        state.overlay = Overlay::Conflicts { selected };
    };
    match key.code {
        Code::Char('j') | Code::Down => keep(state, (selected + 1).min(last)),
        Code::Char('k') | Code::Up => keep(state, selected.saturating_sub(1)),
        Code::Char(c @ ('o' | 't')) => {
            let effects = settle(state, &all, selected.min(last), c == 't');
            let left = state
                .article()
                .map_or(0, |a| nhan_model::merge::recorded_count(a.doc.extra()));
            if left > 0 {
                keep(state, selected.min(left - 1));
            }
            return effects;
        }
        _ => {}
    }
    vec![]
}

/// Settles conflict `i`: yours stays (it is what the article holds), or
/// theirs replaces it; the record goes, in one undoable edit.
fn settle(state: &mut State, all: &[Conflict], i: usize, take_theirs: bool) -> Vec<Effect> {
    let Some(art) = state.article() else {
        return vec![];
    };
    if let Some(why) = &art.read_only {
        state.error(format!("read-only, nothing changed: {why}"));
        return vec![];
    }
    if i >= all.len() {
        return vec![];
    }
    let c = &all[i];
    // The records as they are in the file, less the one settled: what
    // this version cannot read stays byte for byte.
    let mut rest: Vec<Value> = art
        .doc
        .extra()
        .get(CONFLICTS)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    rest.remove(i);
    let mut edits = Vec::new();
    if take_theirs {
        match theirs_edit(&art.doc, c) {
            Ok(e) => edits.extend(e),
            Err(why) => {
                state.error(why.to_string());
                return vec![];
            }
        }
    }
    edits.push(Edit::SetField {
        field: Field::Conflicts,
        before: art.doc.extra().get(CONFLICTS).cloned(),
        after: (!rest.is_empty()).then(|| Value::Array(rest.clone())),
    });
    let how = if take_theirs { "theirs" } else { "yours" };
    let note = format!(
        "settled {} with {how}; {} left",
        describe(c),
        nhan_model::escape::count(rest.len() as u64, "conflict", "conflicts")
    );
    let effects = editing::commit(state, Edit::Batch(edits), None);
    state.info(note);
    effects
}

/// The edit that puts theirs in place of what the article holds now.
fn theirs_edit(doc: &nhan_model::document::Document, c: &Conflict) -> Result<Vec<Edit>, TakeError> {
    let (id, ours, theirs) = match c {
        Conflict::Field { field, theirs, .. } => {
            if matches!(
                field.as_str(),
                "text_sha256" | "status" | "spans" | "nhan" | "article"
            ) {
                let field = field.clone();
                return Err(TakeError::Field { field });
            }
            return Ok(vec![Edit::SetField {
                field: Field::of_key(field),
                before: doc.extra().get(field).cloned(),
                after: theirs.clone().filter(|v| !v.is_null()),
            }]);
        }
        Conflict::Unreadable(_) => {
            return Err(TakeError::Unreadable { what: c.what() });
        }
        Conflict::Relation { .. } => return theirs_relation(doc, c),
        Conflict::Span {
            id, ours, theirs, ..
        } => (*id, ours, theirs.clone()),
    };
    // Two labels added on the same words are recorded under theirs' id,
    // ours kept under its own: taking theirs replaces ours.
    let now = doc
        .spans()
        .get(id)
        .or_else(|| ours.as_ref().and_then(|o| doc.spans().get(o.id)))
        .cloned();
    if let Some(t) = &theirs
        && doc
            .text()
            .slice(t.start.min(t.end), t.end.min(doc.text().len_chars()))
            != t.text
    {
        return Err(TakeError::SpanDoesNotFit { id });
    }
    Ok(match (now, theirs) {
        (Some(before), Some(after)) => vec![Edit::Replace { before, after }],
        (Some(s), None) => vec![Edit::Remove(s)],
        (None, Some(s)) => vec![Edit::Add(s)],
        (None, None) => vec![],
    })
}

/// Taking theirs for a relation: their version in place of yours; for one
/// that lost an end, the relation and the span it ended on, both back.
fn theirs_relation(
    doc: &nhan_model::document::Document,
    c: &Conflict,
) -> Result<Vec<Edit>, TakeError> {
    let Conflict::Relation {
        relation,
        ours,
        theirs,
        lost_end,
        ..
    } = c
    else {
        return Ok(vec![]);
    };
    let mut edits = Vec::new();
    let mut ends: Vec<nhan_model::ids::SpanId> = Vec::new();
    let want = if lost_end.is_some() && theirs.is_none() {
        ours.as_deref()
    } else {
        theirs.as_deref()
    };
    if let Some(s) = lost_end
        && doc.spans().get(s.id).is_none()
    {
        let fits = s.start < s.end
            && s.end <= doc.text().len_chars()
            && doc.text().slice(s.start, s.end) == s.text;
        if !fits {
            let (id, text) = (s.id, s.text.to_string());
            return Err(TakeError::EndDoesNotFit { id, text });
        }
        edits.push(Edit::Add((**s).clone()));
        ends.push(s.id);
    }
    if let Some(r) = want
        && let Some(gone) = [r.from, r.to]
            .into_iter()
            .find(|e| doc.spans().get(*e).is_none() && !ends.contains(e))
    {
        let (relation, span) = (*relation, gone);
        return Err(TakeError::EndMissing { relation, span });
    }
    let now = doc.relations().iter().find(|r| r.id == *relation).cloned();
    edits.extend(match (now, want.cloned()) {
        (Some(before), Some(after)) => vec![Edit::replace_relation(before, after)],
        (Some(r), None) => vec![Edit::remove_relation(r)],
        (None, Some(r)) => vec![Edit::add_relation(r)],
        (None, None) => vec![],
    });
    Ok(edits)
}
