//! Adjudication: two or more annotators' spans for one article side by side
//! in review mode's span list; the adjudicator takes one side, both, or
//! neither, and the result goes to the gold sidecar with provenance
//! (`agreed_by`: which annotators had that span).

use super::editing;
use super::msg::Effect;
use super::state::{Focus, Mode, OpenArticle, ReviewRow, RowRelation, Selection, State, Step};
use nhan_model::adjudication::{
    self, AGREED_BY, Adjudication, Candidate, Decision, RelationCandidate,
};
use nhan_model::edit::Edit;
use nhan_model::record::{self, List, Record};
use nhan_model::review;
use nhan_model::span::{Span, Sym};
use serde_json::Value;

/// Whether the gold has candidate `c` on the current article.
pub fn decision(state: &State, c: &Candidate) -> Decision {
    state
        .article()
        .map_or(Decision::Open, |art| adjudication::decision(&art.doc, c))
}

/// `m`: asks for the annotators' work on the current article.
pub fn start(state: &mut State) -> Vec<Effect> {
    if state.project.annotator_dir.is_some() {
        state.error("adjudication writes the gold sidecars: start nhan with --adjudicate");
        return vec![];
    }
    let Some(index) = state.current else {
        state.error("open an article first: adjudication works on one article at a time");
        return vec![];
    };
    let stem = state.project.articles[index].stem.clone();
    vec![Effect::LoadAnnotators { index, stem }]
}

/// The annotators' work arrived: show it, and put what everyone agrees on
/// into the gold at once (one undoable step).
pub fn loaded(
    state: &mut State,
    index: usize,
    result: Result<Vec<adjudication::Work>, crate::error::TuiError>,
) -> Vec<Effect> {
    let work = match result {
        Ok(w) => w,
        Err(e) => {
            state.error(e.to_string());
            return vec![];
        }
    };
    if work.len() < 2 {
        let names: Vec<&str> = work.iter().map(|(n, _, _)| n.as_str()).collect();
        state.error(format!(
            "adjudication needs two or more annotators' work on this article; found: {}",
            if names.is_empty() {
                "none".into()
            } else {
                names.join(", ")
            }
        ));
        return vec![];
    }
    if state.current != Some(index) {
        return vec![];
    }
    let schema = &state.project.schema;
    let relations = adjudication::relation_candidates(&work, |t| {
        schema.relation(t).is_some_and(|r| r.symmetric)
    });
    let spans: Vec<(String, Vec<Span>)> = work.into_iter().map(|(n, s, _)| (n, s)).collect();
    let mut adj = Adjudication::new(index, &spans);
    adj.relations = relations;
    state.mode = Mode::Review;
    state.focus = Focus::Spans;
    state.review.whole_project = false;
    state.review.dirty = true;
    state.review.adjudication = Some(adj.clone());
    let adjudicator = state.annotator();
    let mut adds = Vec::new();
    for c in adj.candidates.iter().filter(|c| adj.agreed(c)) {
        if decision(state, c) == Decision::Open
            && let Some(art) = state.article_mut()
        {
            adds.push(Edit::Add(gold_span(art, c, adjudicator.as_deref())));
        }
    }
    let n = adds.len();
    // Relations everyone made, between spans the gold has or gets now:
    // in the same step.
    let rels = match state.article() {
        Some(art) => agreed_relations(art, &adj, &adds, adjudicator.as_deref()),
        None => vec![],
    };
    let k = rels.len();
    adds.extend(rels.into_iter().map(Edit::add_relation));
    let open = adj.candidates.iter().filter(|c| !adj.agreed(c)).count();
    let who = adj.annotators.join(", ");
    let effects = if adds.is_empty() {
        vec![]
    } else {
        editing::commit(state, Edit::Batch(adds), None)
    };
    let relations = match k {
        0 => String::new(),
        1 => " and 1 agreed relation".into(),
        k => format!(" and {k} agreed relations"),
    };
    state.info(format!(
            "adjudicating {who}: {n} agreed spans{relations} added to the gold, {open} disagreements: a takes, x leaves, }} next undecided"
        ),
    );
    effects
}

/// The gold's relations for the relations every annotator made whose
/// ends the gold has, or gets by `adds`.
fn agreed_relations(
    art: &OpenArticle,
    adj: &Adjudication,
    adds: &[Edit],
    adjudicator: Option<&str>,
) -> Vec<nhan_model::relation::Relation> {
    let doc = &art.doc;
    let end_id = |e: &adjudication::End| {
        let same = |s: &&Span| (s.start, s.end) == (e.start, e.end) && s.label == e.label;
        adjudication::gold_end(doc, e)
            .or_else(|| {
                adds.iter()
                    .filter_map(|x| match x {
                        Edit::Add(s) => Some(s),
                        _ => None,
                    })
                    .find(same)
            })
            .map(|s| s.id)
    };
    adj.relations
        .iter()
        .filter(|c| adj.agreed_relation(c) && adjudication::relation_decision(doc, c).is_none())
        .filter_map(|c| {
            let (f, t) = (end_id(&c.from)?, end_id(&c.to)?);
            Some(gold_relation(doc, c, f, t, adjudicator))
        })
        .collect()
}

fn gold_span(art: &mut OpenArticle, c: &Candidate, adjudicator: Option<&str>) -> Span {
    let mut s = art.doc.make_span(c.start, c.end, &c.label, None);
    s.review = Some(review::Decision::accepted());
    s.reviewer = adjudicator.map(Into::into);
    s.details
        .insert(AGREED_BY.into(), Value::from(c.by.clone()));
    // Where the annotators' attributes differ, the values most gave; `a`
    // again picks the next annotator's.
    s.details
        .set_attrs(c.variants.first().and_then(|v| v.attrs.clone()));
    s
}

/// The span list in adjudication: every candidate, disagreements first.
pub fn rows(state: &State, adj: &Adjudication) -> Vec<ReviewRow> {
    let mut rows: Vec<ReviewRow> = adj
        .candidates
        .iter()
        .map(|c| {
            let d = decision(state, c);
            let mut by = if adj.agreed(c) {
                "all".to_string()
            } else {
                format!("≠ {}", c.by.join("+"))
            };
            if c.attrs_differ() {
                by += " · attrs≠";
            }
            ReviewRow {
                article: adj.article,
                start: c.start,
                end: c.end,
                span: match d {
                    Decision::Taken(id) => Some(id),
                    _ => None,
                },
                relation: None,
                label: Some(Sym::from(&c.label)),
                review: match d {
                    Decision::Taken(_) => Some(Sym::from("gold")),
                    Decision::Left => Some(Sym::from("left out")),
                    Decision::Open => None,
                },
                by: Some(Sym::from(by)),
            }
        })
        .collect();
    rows.extend(relation_rows(state, adj));
    rows.sort_by_key(|r| {
        (
            r.review.is_some(),
            r.by.as_deref() == Some("all"),
            r.start,
            std::cmp::Reverse(r.end),
            r.relation.is_some(),
        )
    });
    rows
}

/// The annotators' relations as rows, at their `from` end: `gold` once
/// the gold has one.
fn relation_rows<'a>(
    state: &'a State,
    adj: &'a Adjudication,
) -> impl Iterator<Item = ReviewRow> + 'a {
    adj.relations.iter().enumerate().map(move |(i, c)| {
        let taken = state
            .article()
            .and_then(|a| adjudication::relation_decision(&a.doc, c));
        let by = if adj.agreed_relation(c) {
            "all".to_string()
        } else {
            format!("≠ {}", c.by.join("+"))
        };
        ReviewRow {
            article: adj.article,
            start: c.from.start,
            end: c.from.end,
            span: None,
            relation: Some(RowRelation::Candidate(i)),
            label: Some(Sym::from(&c.label)),
            review: taken.map(|_| Sym::from("gold")),
            by: Some(Sym::from(by)),
        }
    })
}

/// `relation has_title “Lan” → “Trưởng Ban”`.
fn relation_words(c: &RelationCandidate) -> String {
    format!("relation {} “{}” → “{}”", c.label, c.from.text, c.to.text)
}

/// Candidate `c` as the gold's relation between spans `from` and `to`:
/// accepted by the adjudicator, with who had it.
fn gold_relation(
    doc: &nhan_model::document::Document,
    c: &RelationCandidate,
    from: nhan_model::ids::SpanId,
    to: nhan_model::ids::SpanId,
    adjudicator: Option<&str>,
) -> nhan_model::relation::Relation {
    let mut r = doc.make_relation(from, to, &c.label, None);
    r.review = Some(review::Decision::accepted());
    r.reviewer = adjudicator.map(Into::into);
    r.extra.insert(AGREED_BY.into(), Value::from(c.by.clone()));
    r
}

/// `a` on an annotator's relation: the gold takes it, between the gold's
/// spans at its ends (which must be taken first).
pub fn take_relation(state: &mut State, i: usize) -> Vec<Effect> {
    let Some(c) = state
        .review
        .adjudication
        .as_ref()
        .and_then(|a| a.relations.get(i))
        .cloned()
    else {
        return vec![];
    };
    let adjudicator = state.annotator();
    let Some(art) = editing::writable(state) else {
        return vec![];
    };
    let doc = &art.doc;
    if adjudication::relation_decision(doc, &c).is_some() {
        state.info(format!("already in the gold: {}", relation_words(&c)));
        return vec![];
    }
    let (from, to) = (
        adjudication::gold_end(doc, &c.from),
        adjudication::gold_end(doc, &c.to),
    );
    let (Some(from), Some(to)) = (from, to) else {
        let missing: Vec<String> = [(&c.from, from), (&c.to, to)]
            .into_iter()
            .filter(|(_, gold)| gold.is_none())
            .map(|(e, _)| format!("{} “{}”", e.label, e.text))
            .collect();
        state.error(format!(
            "not taken: the gold lacks its end {}; take that span (a on its row) first",
            missing.join(" and ")
        ));
        return vec![];
    };
    let r = gold_relation(doc, &c, from.id, to.id, adjudicator.as_deref());
    let effects = editing::commit(state, Edit::add_relation(r), None);
    state.info(format!(
        "gold takes {} (from {})",
        relation_words(&c),
        c.by.join(", ")
    ));
    effects
}

/// `x` on an annotator's relation: the gold leaves it out (takes it out,
/// if it had taken it).
pub fn leave_relation(state: &mut State, i: usize) -> Vec<Effect> {
    let Some(c) = state
        .review
        .adjudication
        .as_ref()
        .and_then(|a| a.relations.get(i))
        .cloned()
    else {
        return vec![];
    };
    let Some(art) = editing::writable(state) else {
        return vec![];
    };
    let Some(id) = adjudication::relation_decision(&art.doc, &c) else {
        state.info(format!("not in the gold: {}", relation_words(&c)));
        return vec![];
    };
    let Some(r) = art.doc.relations().iter().find(|r| r.id == id).cloned() else {
        return vec![];
    };
    let effects = editing::commit(state, Edit::remove_relation(r), None);
    state.info(format!(
        "gold leaves out {} (from {})",
        relation_words(&c),
        c.by.join(", ")
    ));
    effects
}

fn candidate_at(state: &State, start: usize, end: usize, label: Option<&str>) -> Option<Candidate> {
    let adj = state.review.adjudication.as_ref()?;
    adj.candidates
        .iter()
        .find(|c| c.start == start && c.end == end && label.is_none_or(|l| l == c.label))
        .cloned()
}

/// The candidate under the selection (or the cursor).
fn here(state: &State) -> Option<Candidate> {
    let art = state.article()?;
    let (s, e) = art
        .selection
        .map_or((art.cursor, art.cursor), |s| s.range());
    let label = art
        .selection
        .and_then(|sel| Some((sel.origin?, sel.range().0)))
        .and_then(|(id, near)| art.doc.spans().find(id, near))
        .map(|s| s.label);
    if let Some(c) = label.and_then(|l| candidate_at(state, s, e, Some(&l))) {
        return Some(c);
    }
    // Two labels on these words: the highlighted row says which.
    if let Some(c) = of_row(state).filter(|c| (c.start, c.end) == (s, e)) {
        return Some(c);
    }
    // Several annotators' labels on one extent: the undecided one first.
    let adj = state.review.adjudication.as_ref()?;
    let mut at: Vec<&Candidate> = adj
        .candidates
        .iter()
        .filter(|c| c.start == s && c.end == e)
        .collect();
    if at.is_empty() {
        at = adj
            .candidates
            .iter()
            .filter(|c| c.start <= s && s < c.end)
            .collect();
    }
    at.iter()
        .find(|c| decision(state, c) == Decision::Open)
        .or(at.first())
        .map(|c| (*c).clone())
}

/// The candidate of the span list's selected row.
pub fn of_row(state: &State) -> Option<Candidate> {
    let r = state.review.rows.get(state.review.selected)?;
    candidate_at(state, r.start, r.end, r.label.as_deref())
}

/// `a`: the gold takes this candidate (the selected row's, or the one
/// under the selection in the text).
pub fn take(state: &mut State, chosen: Option<Candidate>) -> Vec<Effect> {
    let Some(c) = chosen.or_else(|| here(state)) else {
        state.error("no annotator's span here: } steps to the next undecided one");
        return vec![];
    };
    if let Decision::Taken(id) = decision(state, &c) {
        if c.attrs_differ() {
            return next_variant(state, &c, id);
        }
        state.info(format!("already in the gold: {} “{}”", c.label, c.text));
        return step(state, Step::Forward);
    }
    let overlap = state.project.schema.overlap;
    let adjudicator = state.annotator();
    let Some(art) = state.article_mut() else {
        return vec![];
    };
    if let Err(why) = art.doc.check_new_extent(c.start, c.end, overlap, None) {
        state.error(format!("not taken: {why}; leave (x) the other side first"));
        return vec![];
    }
    if let Some(same) = art.doc.spans().with_extent(c.start, c.end).cloned() {
        state.error(format!(
            "the gold has {} “{}” here: leave it (x) first to take {}",
            same.label, same.text, c.label
        ));
        return vec![];
    }
    let mut edits = vec![Edit::Add(gold_span(art, &c, adjudicator.as_deref()))];
    edits.extend(review::unrecord_rejection(
        &art.doc, c.start, c.end, &c.label,
    ));
    let effects = decide(state, edits, "takes", &c);
    if c.attrs_differ() {
        state.info_after(format!(
            "attributes differ: {}; the gold has the first (a on it again: the next)",
            c.describe_variants()
        ));
    }
    effects
}

/// `a` on a span the gold has, where the annotators gave it different
/// attribute values: the gold takes the next annotator's values.
fn next_variant(state: &mut State, c: &Candidate, id: nhan_model::ids::SpanId) -> Vec<Effect> {
    let Some(gold) = state.article().and_then(|a| a.doc.spans().get(id)).cloned() else {
        return vec![];
    };
    let now = gold.details.attrs().cloned();
    let i = c.variants.iter().position(|v| v.attrs == now);
    let next = &c.variants[i.map_or(0, |i| (i + 1) % c.variants.len())];
    let mut after = gold.clone();
    after.details.set_attrs(next.attrs.clone());
    let effects = editing::commit(
        state,
        Edit::Replace {
            before: gold,
            after,
        },
        None,
    );
    state.info(format!(
        "gold takes {}'s attributes for {} “{}”: {} (a again: the next of {})",
        next.by.join("+"),
        c.label,
        c.text,
        next.attrs_text(),
        c.describe_variants()
    ));
    effects
}

/// `x`: the gold leaves this candidate out, and the decision is recorded.
pub fn leave(state: &mut State, chosen: Option<Candidate>) -> Vec<Effect> {
    let Some(c) = chosen.or_else(|| here(state)) else {
        state.error("no annotator's span here: } steps to the next undecided one");
        return vec![];
    };
    if decision(state, &c) == Decision::Left {
        state.info(format!("already left out: {} “{}”", c.label, c.text));
        return step(state, Step::Forward);
    }
    let adjudicator = state.annotator();
    let Some(art) = state.article() else {
        return vec![];
    };
    let mut edits = Vec::new();
    if let Decision::Taken(id) = decision(state, &c)
        && let Some(s) = art.doc.spans().get(id)
    {
        edits.push(Edit::Remove(s.clone()));
    }
    let record = Record {
        id: None,
        start: c.start,
        end: c.end,
        label: c.label.clone(),
        text: c.text.clone(),
        annotator: None,
        review: Some(record::REJECTED.into()),
        reviewer: adjudicator,
        extra: [(AGREED_BY.to_string(), Value::from(c.by.clone()))]
            .into_iter()
            .collect(),
    };
    edits.push(List::Rejected.append(&art.doc, [record]));
    decide(state, edits, "leaves out", &c)
}

/// Applies a decision, says it, and goes on to the next undecided one.
fn decide(state: &mut State, edits: Vec<Edit>, verb: &str, c: &Candidate) -> Vec<Effect> {
    let mut effects = editing::commit(state, Edit::Batch(edits), None);
    let by = c.by.join(", ");
    state.info(format!("gold {verb} {} “{}” (from {by})", c.label, c.text));
    effects.extend(step_from(state, Step::Forward, Some(c)));
    effects
}

/// Reading order of candidates: by start, the longer first, then label,
/// so that two labels on the same words are two steps.
fn order(c: &Candidate) -> (usize, std::cmp::Reverse<usize>, &str) {
    (c.start, std::cmp::Reverse(c.end), &c.label)
}

/// Selects candidate `c` everywhere at once: the text selection, and the
/// list's highlight once its rows are rebuilt (`follow_row`).
fn show(state: &mut State, c: &Candidate) {
    let article = state.current.unwrap_or(0);
    if let Some(art) = state.article_mut() {
        art.selection = Some(Selection::of_range(c.start, c.end, None));
        art.cursor = c.start;
    }
    state.review.follow = Some((article, c.start, c.end, Some(c.label.clone())));
    state.review.dirty = true;
}

/// After the rows are rebuilt: highlight the row a step or a decision
/// named.
pub fn follow_row(state: &mut State) {
    let Some((article, start, end, label)) = state.review.follow.take() else {
        return;
    };
    if let Some(i) = state.review.rows.iter().position(|r| {
        (r.article, r.start, r.end) == (article, start, end)
            && (label.is_none() || r.label.as_deref() == label.as_deref())
    }) {
        state.review.selected = i;
    }
}

/// `u` / `Ctrl-R` while adjudicating: says which decisions came back, and
/// selects the first of them.
pub fn undo_redo(state: &mut State, step: Step) -> Vec<Effect> {
    let before: Option<Vec<Decision>> = state
        .review
        .adjudication
        .as_ref()
        .map(|adj| adj.candidates.iter().map(|c| decision(state, c)).collect());
    let effects = editing::undo_redo(state, step);
    let (Some(before), Some(adj)) = (before, state.review.adjudication.clone()) else {
        return effects;
    };
    let came_back: Vec<(&Candidate, Decision)> = adj
        .candidates
        .iter()
        .zip(before)
        .map(|(c, was)| (c, was, decision(state, c)))
        .filter(|(_, was, now)| was != now)
        .map(|(c, _, now)| (c, now))
        .collect();
    let Some((first, _)) = came_back.first() else {
        return effects;
    };
    let first = (*first).clone();
    let word = if step == Step::Back {
        "undone"
    } else {
        "redone"
    };
    let what: Vec<String> = came_back
        .iter()
        .map(|(c, now)| {
            let state = match now {
                Decision::Open => "undecided again",
                Decision::Taken(_) => "in the gold again",
                Decision::Left => "left out again",
            };
            format!(
                "{} “{}” (from {}) is {state}",
                c.label,
                c.text,
                c.by.join(", ")
            )
        })
        .collect();
    show(state, &first);
    state.info(format!("{word}: {}", what.join("; ")));
    effects
}

/// `}` / `{`: the next undecided disagreement, in reading order.
pub fn step(state: &mut State, step: Step) -> Vec<Effect> {
    let current = here(state);
    step_from(state, step, current.as_ref())
}

/// The undecided disagreement after (or before) `current`; from the
/// cursor when there is no current one.
fn step_from(state: &mut State, step: Step, current: Option<&Candidate>) -> Vec<Effect> {
    let forward = step == Step::Forward;
    let Some(adj) = state.review.adjudication.clone() else {
        return vec![];
    };
    let from = state
        .article()
        .map_or(0, |a| a.selection.map_or(a.cursor, |s| s.start));
    let mut open: Vec<&Candidate> = adj
        .candidates
        .iter()
        .filter(|c| decision(state, c) == Decision::Open)
        .collect();
    open.sort_by(|a, b| order(a).cmp(&order(b)));
    let pick = match (current, forward) {
        (Some(cur), true) => open.iter().find(|c| order(c) > order(cur)).or(open.first()),
        (Some(cur), false) => open.iter().rev().find(|c| order(c) < order(cur)),
        (None, true) => open.iter().find(|c| c.start > from).or(open.first()),
        (None, false) => open.iter().rev().find(|c| c.start < from),
    };
    let total = adj.candidates.iter().filter(|c| !adj.agreed(c)).count();
    match pick.map(|c| (*c).clone()) {
        Some(c) => {
            show(state, &c);
            state.info_after(format!(
                "{}/{total} decided; next: {} “{}” by {}",
                total - open.len(),
                c.label,
                c.text,
                c.by.join(", ")
            ));
        }
        None => state.info_after(format!(
            "every disagreement is decided ({total}/{total}): D marks the article reviewed"
        )),
    }
    state.review.dirty = true;
    vec![]
}

/// Progress for the span list's border.
pub fn progress(state: &State, adj: &Adjudication) -> String {
    let disagreements: Vec<&Candidate> = adj.candidates.iter().filter(|c| !adj.agreed(c)).collect();
    let decided = disagreements
        .iter()
        .filter(|c| decision(state, c) != Decision::Open)
        .count();
    format!(
        " adjudicating {}: {decided}/{} disagreements decided ",
        adj.annotators.join(" · "),
        disagreements.len()
    )
}
