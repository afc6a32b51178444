//! Relations in review mode: their rows in the list (at their `from`
//! span, after it), and accepting, fixing (another type, checked against
//! the schema) and rejecting them with the keys that decide spans. The
//! decision is recorded on the relation as on a span: `review` and
//! `reviewer`.

use super::editing;
use super::msg::Effect;
use super::relating::{fits_line, fitting, types_line};
use super::state::{ReviewRow, RowRelation, State};
use nhan_model::edit::Edit;
use nhan_model::interned::Sym;
use nhan_model::relation::Relation;
use nhan_model::review::Decision;
use std::collections::HashMap;

/// Article `i`'s relations as review rows (none for a relation whose
/// `from` span is gone: `validate` names those, and the article opens
/// read-only).
pub fn push_rows(state: &State, i: usize, rows: &mut Vec<ReviewRow>) {
    let (Some(rels), Some(spans)) = (state.review_relations(i), state.review_spans(i)) else {
        return;
    };
    if rels.is_empty() {
        return;
    }
    // One pass over the spans, not one per relation.
    let at: HashMap<nhan_model::ids::SpanId, (usize, usize)> =
        spans.iter().map(|s| (s.id, (s.start, s.end))).collect();
    for r in rels {
        let Some(&(start, end)) = at.get(&r.from) else {
            continue;
        };
        rows.push(ReviewRow {
            article: i,
            start,
            end,
            span: None,
            relation: Some(RowRelation::Id(r.id)),
            label: Some(Sym::from(r.label.as_str())),
            review: r.review.map(Sym::from),
            by: None,
        });
    }
}

/// The relation a row shows, if it is one.
pub fn of_row<'a>(state: &'a State, r: &ReviewRow) -> Option<&'a Relation> {
    let Some(RowRelation::Id(id)) = r.relation else {
        return None;
    };
    state
        .review_relations(r.article)?
        .iter()
        .find(|x| x.id == id)
}

/// The texts of a relation's ends in article `i` (`?` for a gone one).
pub fn ends(state: &State, i: usize, r: &Relation) -> (String, String) {
    let text = |id: nhan_model::ids::SpanId| {
        state
            .review_spans(i)
            .and_then(|s| s.get(id))
            .map_or("?".to_string(), |s| s.text.to_string())
    };
    (text(r.from), text(r.to))
}

pub use nhan_model::relation::undecided;

/// `1 relation`, `3 relations`.
pub fn how_many(n: usize) -> String {
    format!("{n} relation{}", if n == 1 { "" } else { "s" })
}

/// The relation `id` of the current article, if it can be changed.
fn current(state: &mut State, id: nhan_model::ids::RelationId) -> Option<Relation> {
    let art = editing::writable(state)?;
    let found = art.doc.relations().iter().find(|r| r.id == id).cloned();
    if found.is_none() {
        state.error("that relation is gone (undone, or changed on disk)");
    }
    found
}

/// `has_title “Lê Hoài Trung” → “Trưởng Ban …”`.
fn words(state: &State, r: &Relation) -> String {
    let (from, to) = state.current.map(|i| ends(state, i, r)).unwrap_or_default();
    format!("{} “{from}” → “{to}”", r.label)
}

/// `a` on a relation row: the reviewer accepts it as it is.
pub fn accept(state: &mut State, id: nhan_model::ids::RelationId) -> Vec<Effect> {
    let Some(r) = current(state, id) else {
        return vec![];
    };
    decide(state, r.clone(), r, Decision::accepted())
}

/// A digit on a relation row: the relation gets that type (in `nhan.toml`
/// order), if it fits its ends' labels; its own type accepts it.
pub fn retype(state: &mut State, id: nhan_model::ids::RelationId, i: usize) -> Vec<Effect> {
    let Some(r) = current(state, id) else {
        return vec![];
    };
    let Some(art) = state.article() else {
        return vec![];
    };
    let spans = art.doc.spans();
    let (Some(from), Some(to)) = (spans.get(r.from), spans.get(r.to)) else {
        state.error("an end of this relation is gone; x rejects it");
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
    let mut after = r.clone();
    after.label = t.name.clone();
    let review = Decision::accepted_or_fixed(after.label != r.label);
    decide(state, r, after, review)
}

fn decide(
    state: &mut State,
    before: Relation,
    mut after: Relation,
    review: Decision,
) -> Vec<Effect> {
    after.review = Some(review);
    after.reviewer = state.annotator();
    if after == before {
        let said = words(state, &after);
        state.info(format!("already {review}: {said}"));
        return vec![];
    }
    let effects = editing::commit(state, Edit::replace_relation(before, after.clone()), None);
    let said = words(state, &after);
    state.info(format!("{review} relation {said} (u undoes)"));
    effects
}

/// `x` on a relation row: the relation goes (undo brings it back).
pub fn reject(state: &mut State, id: nhan_model::ids::RelationId) -> Vec<Effect> {
    let Some(r) = current(state, id) else {
        return vec![];
    };
    let said = words(state, &r);
    let effects = editing::commit(state, Edit::remove_relation(r), None);
    state.info(format!("rejected relation {said} (u undoes)"));
    effects
}

/// The highlighted row, if it is a relation: what it is and what the keys
/// do to it.
pub fn describe_selected(state: &State) -> Option<String> {
    let row = state.review.rows.get(state.review.selected)?;
    match row.relation? {
        RowRelation::Id(_) => {
            let r = of_row(state, row)?;
            let (from, to) = ends(state, row.article, r);
            Some(format!(
                "relation {} “{from}” → “{to}”: a accepts, a digit gives another type, x rejects",
                r.label
            ))
        }
        RowRelation::Candidate(i) => {
            let c = state.review.adjudication.as_ref()?.relations.get(i)?;
            Some(format!(
                "relation {} “{}” → “{}” (from {}): a takes it into the gold, x leaves it out",
                c.label,
                c.from.text,
                c.to.text,
                c.by.join(", ")
            ))
        }
    }
}
