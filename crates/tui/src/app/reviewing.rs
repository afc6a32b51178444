//! Review mode: the span list (keyword in context), accepting, rejecting
//! and fixing spans, the consistency check, and marking articles reviewed.

use super::action::Action;
use super::editing;
use super::kept;
use super::keys::{Code, Key};
use super::msg::Effect;
use super::relation_review;
use super::state::Pending;
use super::state::{
    Focus, Mode, Overlay, ReviewFilter, ReviewRow, RowRelation, Selection, State, Step,
};
use nhan_model::edit::Edit;
use nhan_model::record::{List, Record};
use nhan_model::review::{self, Decision};
use nhan_model::search::fold_loose;
use nhan_model::span::{Span, Sym};
use nhan_model::status::Status;

pub fn toggle_mode(state: &mut State) -> Vec<Effect> {
    if state.mode == Mode::Review {
        state.mode = Mode::Annotate;
        state.review.adjudication = None;
        state.focus = if state.current.is_some() {
            Focus::Text
        } else {
            Focus::List
        };
        state.info("annotating");
        return vec![];
    }
    state.mode = Mode::Review;
    state.focus = Focus::Spans;
    state.review.dirty = true;
    state.review.whole_project = state.current.is_none() || state.review.whole_project;
    let who = state
        .annotator()
        .unwrap_or_else(|| "(no name: set annotator in your config)".into());
    state.info(format!(
        "reviewing as {who}: a accepts, x rejects, digits relabel, Tab to the text, r to leave"
    ));
    // Review needs every article: the project-wide list and the
    // consistency check read them all.
    let loads: Vec<Effect> = state
        .project
        .articles
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            state.review_spans(*i).is_none()
                && a.problem.is_none()
                && !state.being_read.contains_key(i)
        })
        .map(|(index, a)| Effect::Load {
            index,
            file_name: a.file_name.clone(),
            open: false,
        })
        .collect();
    for e in &loads {
        if let Effect::Load { index, .. } = e {
            state.being_read.insert(*index, false);
        }
    }
    state.review.reading = (state.review.reading.0 + loads.len(), loads.len());
    loads
}

/// Recomputes the span list from the loaded articles and the filters.
pub fn rebuild_rows(state: &mut State) {
    let rv = &state.review;
    let scope: Vec<usize> = match (rv.whole_project, state.current) {
        (false, Some(c)) => vec![c],
        _ => (0..state.articles.len()).collect(),
    };
    if rv.only_cases {
        ensure_cases(state);
    }
    let rv = &state.review;
    let label = rv
        .label
        .and_then(|i| state.project.schema.labels.get(i))
        .map(|l| Sym::from(&l.name));
    let text = fold_loose(&rv.text);
    // The old rows' memory is reused, never held beside a second list.
    let mut rows = std::mem::take(&mut state.review.rows);
    rows.clear();
    let rv = &state.review;
    if let Some(adj) = &rv.adjudication {
        rows = super::adjudicating::rows(state, adj);
    } else if rv.only_cases {
        for case in rv.cases.iter().flatten() {
            for p in &case.places {
                let span = state
                    .review_spans(p.article)
                    .and_then(|s| s.with_extent(p.start, p.end));
                rows.push(ReviewRow {
                    article: p.article,
                    start: p.start,
                    end: p.end,
                    span: span.map(|s| s.id),
                    relation: None,
                    label: p.label.as_deref().map(Sym::from),
                    review: span.and_then(|s| s.review).map(Sym::from),
                    by: None,
                });
            }
        }
        rows.retain(|r| scope.contains(&r.article));
    } else {
        for &i in &scope {
            let Some(spans) = state.review_spans(i) else {
                continue;
            };
            for s in spans.iter() {
                rows.push(ReviewRow {
                    article: i,
                    start: s.start,
                    end: s.end,
                    span: Some(s.id),
                    relation: None,
                    label: Some(s.label),
                    review: s.review.map(Sym::from),
                    by: None,
                });
            }
            relation_review::push_rows(state, i, &mut rows);
        }
    }
    rows.retain(|r| {
        let state_ok = match rv.filter {
            ReviewFilter::All => true,
            ReviewFilter::Unreviewed => r.review.is_none(),
            ReviewFilter::Reviewed => r.review.is_some(),
        };
        let label_ok = if rv.only_relations {
            r.relation.is_some()
        } else {
            label.is_none_or(|l| r.relation.is_none() && r.label == Some(l))
        };
        let text_ok =
            text.is_empty() || row_text(state, r).is_some_and(|t| fold_loose(t).contains(&text));
        state_ok && label_ok && text_ok && super::noting::row_passes(state, r)
    });
    if !rv.only_cases && rv.adjudication.is_none() {
        // Unreviewed first, then in reading order (outer before inner), a
        // span's relations after it.
        rows.sort_by_key(|r| {
            (
                r.review.is_some(),
                r.article,
                r.start,
                std::cmp::Reverse(r.end),
                r.relation.is_some(),
            )
        });
    }
    state.review.selected = state.review.selected.min(rows.len().saturating_sub(1));
    state.review.rows = rows;
    state.review.dirty = false;
    state.review.built_for = state.edit_count();
}

/// What a row covers: its span's text, or the document's there (an
/// untagged place of a consistency case).
pub fn row_text<'a>(state: &'a State, r: &ReviewRow) -> Option<&'a str> {
    match state.row_span(r) {
        Some(s) => Some(&s.text),
        None => Some(state.context_doc(r.article)?.text().slice(r.start, r.end)),
    }
}

/// Whether the selected row could be shown in the text.
enum Shown {
    Yes,
    NoRow,
    /// Its article is being read; `then` runs when it is in.
    Reading(Vec<Effect>),
}

/// Makes article `index` current for review (resident first, see
/// `kept`): `Err` with what to run when it is being read, `then` waiting
/// for it.
fn make_current(state: &mut State, index: usize, then: Pending) -> Result<(), Vec<Effect>> {
    if let Err(read) = kept::make_resident(state, index) {
        state.review.pending = Some((index, then));
        let stem = &state.project.articles[index].stem;
        state.info_after(format!("reading {stem}…"));
        return Err(read);
    }
    let before = state.current.replace(index);
    if let Some(b) = before.filter(|&b| b != index) {
        kept::let_go(state, b);
    }
    Ok(())
}

/// Makes the selected row's article current and selects its span there.
fn show_row(state: &mut State, then: Pending) -> Shown {
    let Some(row) = state.review.rows.get(state.review.selected).cloned() else {
        return Shown::NoRow;
    };
    if let Err(effects) = make_current(state, row.article, then) {
        return Shown::Reading(effects);
    }
    if let Some(art) = state.article_mut() {
        art.selection = Some(Selection::of_range(row.start, row.end, row.span));
        art.cursor = row.start;
    }
    Shown::Yes
}

/// The row shown again once its article is in.
pub fn show_again(state: &mut State) -> Vec<Effect> {
    match show_row(state, Pending::Show) {
        Shown::Reading(effects) => effects,
        _ => vec![],
    }
}

/// Whether the text shows the selected row's span already, its edges
/// perhaps moved by `H` `L` `,` `.` (which a digit then makes the span's).
fn showing_row(state: &State) -> bool {
    let Some(row) = state.review.rows.get(state.review.selected) else {
        return false;
    };
    row.span.is_some()
        && state.current == Some(row.article)
        && state
            .article()
            .and_then(|a| a.selection)
            .is_some_and(|s| s.origin == row.span)
}

/// After a filter changed the list: the list is rebuilt at once and its
/// first row shown in the text (no selection when no row passes), so that
/// the highlighted row, the text and the status bar name the same span,
/// the one the next `a` acts on.
pub fn follow_filter(state: &mut State) -> Vec<Effect> {
    state.review.selected = 0;
    rebuild_rows(state);
    match show_row(state, Pending::Show) {
        Shown::Reading(effects) => effects,
        Shown::NoRow => {
            if let Some(art) = state.article_mut() {
                art.selection = None;
            }
            vec![]
        }
        Shown::Yes => vec![],
    }
}

/// After a decision: the selected row, unless it is decided and an
/// undecided one is left, then the next undecided row, wrapping to the top.
fn next_undecided_row(state: &mut State) {
    let rows = &state.review.rows;
    let at = state.review.selected;
    if state.review.adjudication.is_some() || rows.get(at).is_none_or(|r| r.review.is_none()) {
        return;
    }
    let undecided = |r: &&ReviewRow| r.review.is_none();
    if let Some(i) = rows.iter().skip(at).position(|r| undecided(&r)) {
        state.review.selected = at + i;
    } else if let Some(i) = rows.iter().position(|r| undecided(&r)) {
        state.review.selected = i;
        state.info_after("(wrapped to the first undecided span)");
    }
}

/// `H` `L` `,` `.` `o` in the list: an edge of the row's span is fixed in
/// the text.
pub fn fix_edge(state: &mut State, a: Action) -> Vec<Effect> {
    if !showing_row(state) {
        match show_row(state, Pending::Act(a)) {
            Shown::Yes => {}
            Shown::NoRow => {
                state.error("no span selected in the list");
                return vec![];
            }
            Shown::Reading(effects) => return effects,
        }
    }
    super::motion::run(state, a);
    if let Some((s, e)) = state.article().and_then(|a| a.selection).map(|s| s.range()) {
        let text = state
            .article()
            .map(|a| a.doc.text().slice(s, e).to_string())
            .unwrap_or_default();
        state.info(format!(
            "edges now “{text}”: a digit fixes the span with them (Esc in the text drops them)"
        ));
    }
    vec![]
}

/// `j` / `k`: moving changes no row, so the list is not rebuilt (a million
/// rows); the text shows the row moved to.
pub fn step_row(state: &mut State, a: Action) -> Vec<Effect> {
    let n = state.review.rows.len();
    state.review.selected = match a {
        Action::RowNext => (state.review.selected + 1).min(n.saturating_sub(1)),
        _ => state.review.selected.saturating_sub(1),
    };
    if let Shown::Reading(effects) = show_row(state, Pending::Show) {
        return effects;
    }
    // The text shows a relation's from span only: the message names
    // the whole relation and what the keys do to it.
    if let Some(said) = relation_review::describe_selected(state) {
        state.info(said);
    }
    vec![]
}

/// Enter: the row's span in the text, focused.
pub fn jump(state: &mut State, _: Action) -> Vec<Effect> {
    match show_row(state, Pending::Act(Action::Jump)) {
        Shown::Yes => state.focus = Focus::Text,
        Shown::NoRow => state.error("no span here: change the filters (s, f, /, c, p)"),
        Shown::Reading(effects) => return effects,
    }
    vec![]
}

/// The list's scope and filters.
pub fn filter(state: &mut State, a: Action) -> Vec<Effect> {
    use Action::*;
    match a {
        ToggleScope => {
            state.review.whole_project = !state.review.whole_project;
            let what = if state.review.whole_project {
                "the whole project"
            } else {
                "this article"
            };
            state.info(format!("spans of {what}"));
        }
        FilterReview => {
            state.review.filter = match state.review.filter {
                ReviewFilter::All => ReviewFilter::Unreviewed,
                ReviewFilter::Unreviewed => ReviewFilter::Reviewed,
                ReviewFilter::Reviewed => ReviewFilter::All,
            };
        }
        FilterLabel => {
            // Each label in turn, then relations only (if the schema has
            // relation types), then everything again.
            let schema = &state.project.schema;
            let (n, rels) = (schema.labels.len(), !schema.relations.is_empty());
            let rv = &mut state.review;
            (rv.label, rv.only_relations) = match (rv.label, rv.only_relations) {
                (_, true) => (None, false),
                (None, false) if n > 0 => (Some(0), false),
                (Some(i), false) if i + 1 < n => (Some(i + 1), false),
                _ if rels => (None, true),
                _ => (None, false),
            };
        }
        FilterText => {
            // The prompt filters as it is typed.
            state.overlay = super::state::Overlay::FilterText {
                input: state.review.text.clone(),
            };
            return vec![];
        }
        FilterNoted => super::noting::toggle_noted(state),
        FilterAttr => super::noting::next_attr_filter(state),
        FilterCases => {
            // Consistency is a property of the project, not of one article.
            state.review.only_cases = !state.review.only_cases;
            state.review.whole_project |= state.review.only_cases;
            state.review.cases = None;
        }
        _ => {}
    }
    follow_filter(state)
}

/// A key on the selected row: `act` runs on the row's span, shown in the
/// text (with the edges `H` `L` moved, if they did); then the list moves on
/// to the next row and the text and the status bar follow it.
pub fn on_row(
    state: &mut State,
    a: Action,
    act: fn(&mut State, Action) -> Vec<Effect>,
) -> Vec<Effect> {
    if !showing_row(state) {
        match show_row(state, Pending::Act(a)) {
            Shown::Yes => {}
            Shown::NoRow => {
                state.error("no span selected in the list");
                return vec![];
            }
            Shown::Reading(effects) => return effects,
        }
    }
    let mut effects = act(state, a);
    rebuild_rows(state);
    if matches!(a, Action::Accept | Action::Reject | Action::Tag(_)) {
        next_undecided_row(state);
    }
    if let Shown::Reading(more) = show_row(state, Pending::Show) {
        effects.extend(more);
    }
    effects
}

/// The relation on the selected row, if it is one.
fn row_relation(state: &State) -> Option<RowRelation> {
    state
        .review
        .rows
        .get(state.review.selected)
        .and_then(|r| r.relation)
}

/// `a` on a row: a relation candidate is taken, a relation accepted, an
/// annotator's span taken into the gold, a span accepted.
pub fn accept_row(state: &mut State, a: Action) -> Vec<Effect> {
    let row = super::adjudicating::of_row(state);
    match row_relation(state) {
        Some(RowRelation::Candidate(i)) => super::adjudicating::take_relation(state, i),
        Some(RowRelation::Id(id)) => relation_review::accept(state, id),
        None if row.is_some() => super::adjudicating::take(state, row),
        None => text_action(state, a),
    }
}

/// `x` on a row: the counterpart of [`accept_row`].
pub fn reject_row(state: &mut State, a: Action) -> Vec<Effect> {
    let row = super::adjudicating::of_row(state);
    match row_relation(state) {
        Some(RowRelation::Candidate(i)) => super::adjudicating::leave_relation(state, i),
        Some(RowRelation::Id(id)) => relation_review::reject(state, id),
        None if row.is_some() => super::adjudicating::leave(state, row),
        None => text_action(state, a),
    }
}

/// A digit on a row: a relation is retyped, a span relabelled.
pub fn tag_row(state: &mut State, a: Action) -> Vec<Effect> {
    match row_relation(state) {
        Some(RowRelation::Candidate(_)) => {
            state.error("adjudicating, a relation is taken (a) or left out (x)");
            vec![]
        }
        Some(RowRelation::Id(id)) => match a.tag_index() {
            Some(i) => relation_review::retype(state, id, i),
            None => vec![],
        },
        None => editing::tag_action(state, a),
    }
}

/// The span a review decision applies to: the selected one, or the one
/// under the cursor.
fn target(state: &State) -> Option<Span> {
    let art = state.article()?;
    let spans = art.doc.spans();
    if let Some(sel) = art.selection {
        let found = sel
            .origin
            .and_then(|id| spans.find(id, sel.range().0))
            .or_else(|| spans.with_extent(sel.start, sel.end));
        if let Some(s) = found {
            return Some(s.clone());
        }
    }
    spans.innermost_at(art.cursor).cloned()
}

pub fn text_action(state: &mut State, a: Action) -> Vec<Effect> {
    use Action::*;
    let step = if a == PrevUnreviewed {
        Step::Back
    } else {
        Step::Forward
    };
    if state.review.adjudication.is_some() {
        match a {
            Accept => return super::adjudicating::take(state, None),
            Reject => return super::adjudicating::leave(state, None),
            NextUnreviewed | PrevUnreviewed => {
                return super::adjudicating::step(state, step);
            }
            _ => {}
        }
    }
    match a {
        Accept => accept(state),
        Reject => reject(state),
        MarkReviewed => mark_reviewed(state),
        NextUnreviewed | PrevUnreviewed => {
            step_unreviewed(state, step);
            // Where `}` landed: from there the next `}` moves on.
            state.review.stepped = state.article().and_then(|a| a.selection?.origin);
            vec![]
        }
        NextCase => next_case(state),
        _ => vec![],
    }
}

fn accept(state: &mut State) -> Vec<Effect> {
    let reviewer = state.annotator();
    let Some(span) = target(state) else {
        state.error("no span here to accept: ] or } steps to one");
        return vec![];
    };
    let mut after = span.clone();
    after.review = Some(Decision::accepted());
    after.reviewer = reviewer.map(Sym::from);
    let effects = if span == after {
        state.info(format!("already accepted: {} “{}”", span.label, span.text));
        vec![]
    } else {
        editing::commit(
            state,
            Edit::Replace {
                before: span,
                after,
            },
            None,
        )
    };
    if state.focus == Focus::Text {
        step_unreviewed(state, Step::Forward);
    }
    effects
}

fn reject(state: &mut State) -> Vec<Effect> {
    let reviewer = state.annotator();
    let Some(span) = target(state) else {
        state.error("no span here to reject: ] or } steps to one");
        return vec![];
    };
    let Some(art) = state.article() else {
        return vec![];
    };
    let record = Record::rejection(&span, reviewer.as_deref());
    let record = List::Rejected.append(&art.doc, [record]);
    let edit = Edit::Batch(vec![art.doc.remove_span_edit(&span), record]);
    let effects = editing::commit(state, edit, None);
    if state.focus == Focus::Text {
        step_unreviewed(state, Step::Forward);
    }
    effects
}

fn mark_reviewed(state: &mut State) -> Vec<Effect> {
    let Some(art) = state.article() else {
        return vec![];
    };
    if art.read_only.is_some() {
        return editing::toggle_done(state);
    }
    let mut left = art.doc.spans().len() - art.doc.spans().reviewed();
    // Its relations are part of what "reviewed" promises too.
    let relations = relation_review::undecided(art.doc.relations());
    // Adjudicating: every disagreement needs a decision too.
    if let Some(adj) = &state.review.adjudication {
        left += adj
            .candidates
            .iter()
            .filter(|c| {
                super::adjudicating::decision(state, c) == nhan_model::adjudication::Decision::Open
            })
            .count();
    }
    let before = art.doc.status();
    let after = match before {
        Status::Reviewed => Status::Done,
        _ if left > 0 => {
            let s = if left == 1 { "" } else { "s" };
            let and = match relations {
                0 => String::new(),
                n => format!(" and {}", relation_review::how_many(n)),
            };
            state.error(format!(
                "{left} span{s}{and} left to review (}} jumps to the next); not marked reviewed"
            ));
            return vec![];
        }
        _ if relations > 0 => {
            let n = relation_review::how_many(relations);
            state.error(format!(
                "{n} left to review (f in the list shows only relations); not marked reviewed"
            ));
            return vec![];
        }
        _ => Status::Reviewed,
    };
    editing::commit(state, Edit::SetStatus { before, after }, None)
}

/// Moves to the next (or previous) span without a review decision, in
/// reading order (outer before inner), wrapping at the ends. From a bare
/// cursor an unreviewed span starting at it is the next one: `g }` lands
/// on the first span, not the second.
fn step_unreviewed(state: &mut State, step: Step) {
    let forward = step == Step::Forward;
    let stepped = state.review.stepped.take();
    let Some(art) = state.article_mut() else {
        return;
    };
    let relations = relation_review::undecided(art.doc.relations());
    let spans = art.doc.spans();
    let order = |s: &Span| (s.start, std::cmp::Reverse(s.end));
    // Where we are: the selected span, or the cursor.
    let selected = art
        .selection
        .and_then(|sel| spans.find(sel.origin?, sel.start));
    // An unreviewed span `}` did not land on (`a` went on to it, or the
    // list, or `]`) is the next decision: `}` stays on it.
    let stay = forward && selected.is_some_and(|s| s.review.is_none() && Some(s.id) != stepped);
    let here = selected.map(order);
    let cursor = art.cursor;
    let after = |s: &Span| match here {
        Some(h) => order(s) > h,
        None => s.start >= cursor,
    };
    let before = |s: &Span| match here {
        Some(h) => order(s) < h,
        None => s.start < cursor,
    };
    let open = || spans.iter().filter(|s| s.review.is_none());
    let (pick, wrapped) = if stay {
        (selected, false)
    } else if forward {
        match open().filter(|s| after(s)).min_by_key(|s| order(s)) {
            Some(s) => (Some(s), false),
            None => (open().min_by_key(|s| order(s)), true),
        }
    } else {
        match open().filter(|s| before(s)).max_by_key(|s| order(s)) {
            Some(s) => (Some(s), false),
            None => (open().max_by_key(|s| order(s)), true),
        }
    };
    match pick.cloned() {
        Some(s) => {
            art.selection = Some(Selection::of_range(s.start, s.end, Some(s.id)));
            art.cursor = s.start;
            let left = open().count();
            let w = if wrapped { " (wrapped)" } else { "" };
            state.info_after(format!("{left} unreviewed: {} “{}”{w}", s.label, s.text));
        }
        None => {
            if relations > 0 {
                let n = relation_review::how_many(relations);
                state.info_after(format!(
                    "every span here is reviewed, {n} not yet: f in the list shows only relations"
                ));
            } else {
                state.info_after("every span here is reviewed: D marks the article reviewed");
            }
        }
    }
}

/// Runs the consistency check over the loaded articles, unless its result
/// is still current.
fn ensure_cases(state: &mut State) {
    super::cases::ensure(state);
}

fn next_case(state: &mut State) -> Vec<Effect> {
    ensure_cases(state);
    if state.review.cases.is_none() {
        state.review.next_case_pending = true;
        state.info("computing the consistency cases in the background…");
        return vec![];
    }
    let cases = state.review.cases.clone().unwrap_or_default();
    if cases.is_empty() {
        state.info("no consistency cases: every surface has one label and is tagged everywhere");
        return vec![];
    }
    let here = (
        state.current.unwrap_or(0),
        state
            .article()
            .map_or(0, |a| a.selection.map_or(a.cursor, |s| s.start)),
    );
    let mut places: Vec<(usize, &review::Place)> = cases
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.places.iter().map(move |p| (i, p)))
        .collect();
    places.sort_by_key(|(_, p)| (p.article, p.start));
    let (ci, p) = places
        .iter()
        .find(|(_, p)| (p.article, p.start) > here)
        .unwrap_or(&places[0]);
    let (ci, p) = (*ci, (*p).clone());
    let moved = state.current != Some(p.article);
    if let Err(effects) = make_current(state, p.article, Pending::Act(Action::NextCase)) {
        return effects;
    }
    if moved
        && let Some(row) = state
            .visible_articles()
            .iter()
            .position(|&i| i == p.article)
    {
        state.list_selected = row;
    }
    let span = state
        .article()
        .and_then(|a| a.doc.spans().with_extent(p.start, p.end))
        .map(|s| s.id);
    if let Some(art) = state.article_mut() {
        art.selection = Some(Selection::of_range(p.start, p.end, span));
        art.cursor = p.start;
    }
    let here = if p.label.is_none() {
        "untagged here"
    } else {
        "tagged here"
    };
    let moved = if moved {
        let name = &state.project.articles[p.article].stem;
        format!(" · now in {name} (u undoes this article's edits)")
    } else {
        String::new()
    };
    state.info(format!(
        "case {}/{}: {} ({here}){moved}",
        ci + 1,
        cases.len(),
        cases[ci].describe()
    ));
    vec![]
}

/// A key in the span list's text filter: the list filters as it is typed
/// and the text follows its first row; Enter keeps the filter, Esc drops it.
pub fn filter_text_key(state: &mut State, key: Key, mut input: String) -> Vec<Effect> {
    let open = !matches!(key.code, Code::Esc | Code::Enter);
    match key.code {
        Code::Esc => input.clear(),
        Code::Enter => {}
        Code::Backspace => {
            input.pop();
        }
        _ => {
            if let Some(c) = key.typed() {
                input.push(c);
            }
        }
    }
    state.review.text = input.clone();
    if open {
        state.overlay = Overlay::FilterText { input };
    }
    follow_filter(state)
}
