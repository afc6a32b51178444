//! Three-way merge of sidecars, span by span: what `nhan merge-file` does
//! when git merges two branches that both changed one sidecar.
//!
//! Git's line merge knows nothing of spans: two annotators who each add a
//! span next to each other get conflict markers (a sidecar no JSON reader
//! accepts), and two who add spans far apart get a clean merge that may
//! hold two spans with one id. Here spans are matched by id: a span changed
//! (added, edited, removed) on one side only is taken from that side, and a
//! span changed differently on both sides is a conflict. A conflict never
//! drops anything: ours stays in `spans`, and both versions are recorded in
//! the top-level `conflicts` list for the user to settle, so the result is
//! always a sidecar nhan can open.

mod relations;

use super::ids::{RelationId, SpanId};
use super::record::{List, Record};
use super::relation::Relation;
use super::sidecar::{Sidecar, SidecarError, conflict_error};
use super::span::{Span, SpanStore};
use super::status::Status;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// The top-level key that holds what a merge could not settle.
pub const CONFLICTS: &str = "conflicts";

/// One change a merge could not settle, as recorded under `conflicts`:
/// every side's version, so that nothing is lost whichever is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Conflict {
    /// A span changed differently on both sides; `None` where a side
    /// removed it (or, for `base`, where it did not exist yet).
    Span {
        id: SpanId,
        base: Option<Span>,
        ours: Option<Span>,
        theirs: Option<Span>,
    },
    /// A relation changed differently on both sides, or one whose end
    /// span the merge does not keep (`lost_end`, as a side had it): the
    /// relation is left out of `relations` rather than left dangling.
    Relation {
        relation: RelationId,
        base: Option<Box<Relation>>,
        ours: Option<Box<Relation>>,
        theirs: Option<Box<Relation>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lost_end: Option<Box<Span>>,
    },
    /// A top-level field changed differently on both sides.
    Field {
        field: String,
        base: Option<Value>,
        ours: Option<Value>,
        theirs: Option<Value>,
    },
    /// A record this version cannot read (written by hand, or by a newer
    /// nhan): shown as it is, and kept until someone settles it.
    Unreadable(Value),
}

impl Conflict {
    /// What the conflict is about: `span 3`, `field note`.
    pub fn what(&self) -> String {
        match self {
            Conflict::Span { id, .. } => format!("span {id}"),
            Conflict::Relation { relation, .. } => format!("relation {relation}"),
            Conflict::Field { field, .. } => format!("field {field}"),
            Conflict::Unreadable(v) => format!("unreadable record {v}"),
        }
    }
}

/// One side's version of a relation in a conflict, in words:
/// `has_title 3 → 7`, or `removed`.
pub fn relation_version(r: Option<&Relation>) -> String {
    match r {
        None => "removed".into(),
        Some(r) => format!("{} {} → {}", r.label, r.from, r.to),
    }
}

/// What a relation that lost an end span says: which relation, and the
/// span the other side deleted. `None` for any other conflict.
pub fn lost_end(c: &Conflict) -> Option<String> {
    let Conflict::Relation {
        relation,
        ours,
        theirs,
        lost_end: Some(s),
        ..
    } = c
    else {
        return None;
    };
    Some(format!(
        "relation {relation} ({}) ends on {} “{}” (span {}), which the other side deleted: left out",
        relation_version(ours.as_deref().or(theirs.as_deref())),
        s.label.as_str(),
        s.text,
        s.id
    ))
}

/// The conflicts recorded in a sidecar's top-level fields (`extra`).
pub fn recorded(extra: &Map<String, Value>) -> Vec<Conflict> {
    let Some(Value::Array(all)) = extra.get(CONFLICTS) else {
        return Vec::new();
    };
    all.iter()
        .map(|v| {
            serde_json::from_value(v.clone()).unwrap_or_else(|_| Conflict::Unreadable(v.clone()))
        })
        .collect()
}

/// How many conflicts a sidecar's top-level fields record.
pub fn recorded_count(extra: &Map<String, Value>) -> usize {
    extra
        .get(CONFLICTS)
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// The outcome of a merge.
#[derive(Debug, Clone)]
pub struct Merged {
    pub sidecar: Sidecar,
    /// What could not be settled, as recorded under `conflicts`.
    pub conflicts: Vec<Conflict>,
    /// What the merge did that a user should hear of (ids renumbered, a
    /// status stepped back), one line each.
    pub notes: Vec<String>,
}

/// Merges `ours` and `theirs`, both descended from `base` (`None` when the
/// file did not exist in the common ancestor).
pub fn merge(base: Option<&Sidecar>, ours: &Sidecar, theirs: &Sidecar) -> Merged {
    let empty = Sidecar {
        nhan: ours.nhan,
        article: ours.article.clone(),
        text_sha256: String::new(),
        status: Status::Todo,
        spans: Vec::new(),
        extra: Map::new(),
    };
    let base = base.unwrap_or(&empty);
    let mut notes = Vec::new();
    let mut conflicts: Vec<Conflict> = Vec::new();
    let mut extras = [base.extra.clone(), ours.extra.clone(), theirs.extra.clone()];
    let mut rels = relations::take(&mut extras);
    let (b, o, t) = {
        let mut side = |spans, name, pick: fn(&mut relations::Sides) -> &mut Vec<Relation>| {
            by_id(spans, name, rels.as_mut().map(pick), &mut notes)
        };
        (
            side(&base.spans, "base", |r| &mut r.base),
            side(&ours.spans, "ours", |r| &mut r.ours),
            side(&theirs.spans, "theirs", |r| &mut r.theirs),
        )
    };

    let mut ids: Vec<SpanId> = o.keys().chain(t.keys()).chain(b.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut spans: Vec<Span> = Vec::new();
    // Spans both sides added under one id (sequential ids of an older nhan,
    // or a hash clash): both are kept, theirs renumbered below.
    let mut clashing: Vec<Span> = Vec::new();
    for id in ids {
        let (bs, os, ts) = (b.get(&id), o.get(&id), t.get(&id));
        match three_way(bs, os, ts) {
            Pick::Same(s) => spans.extend(s.cloned()),
            Pick::Conflict => {
                if bs.is_none() {
                    spans.extend(os.cloned());
                    clashing.extend(ts.cloned());
                    continue;
                }
                conflicts.push(Conflict::Span {
                    id,
                    base: bs.cloned(),
                    ours: os.cloned(),
                    theirs: ts.cloned(),
                });
                // Ours stays (or, if ours removed it, nothing): the record
                // holds every version, so nothing is lost either way.
                spans.extend(os.cloned());
            }
        }
    }
    let mut store = SpanStore::new(spans);
    let mut theirs_moved = HashMap::new();
    for s in clashing {
        let id = store.fresh_id(s.annotator.as_deref(), &s.label, s.start, s.end);
        theirs_moved.insert(s.id, id);
        notes.push(format!(
            "span {} “{}” ({}) was added on both sides with different content: theirs is now span {id}",
            s.id, s.text, s.label
        ));
        store.insert(Span { id, ..s });
    }
    let mut spans: Vec<Span> = store.iter().cloned().collect();
    let merged_into = settle_same_extent(&mut spans, &b, &o, &mut conflicts);
    let seen = |side: &Sidecar| same_spans(&side.spans, &spans);
    let mut seen = [seen(ours), seen(theirs)];
    let rels = rels.map(|r| {
        let sides = [r.ours.clone(), r.theirs.clone()];
        let at = r.at;
        let ids = relations::SpanIds {
            sides: [&b, &o, &t],
            theirs_moved: &theirs_moved,
            merged_into: &merged_into,
            kept: spans.iter().map(|s| s.id).collect(),
        };
        let merged = relations::merge(r, &ids, &mut notes, &mut conflicts);
        for (seen, side) in seen.iter_mut().zip(sides) {
            *seen &= side == merged;
        }
        (at, merged)
    });

    let text_sha256 = match three_way_eq(
        Some(&base.text_sha256),
        Some(&ours.text_sha256),
        Some(&theirs.text_sha256),
    ) {
        Some(Some(v)) => v.clone(),
        _ => {
            conflicts.push(Conflict::Field {
                field: "text_sha256".into(),
                base: Some(base.text_sha256.clone().into()),
                ours: Some(ours.text_sha256.clone().into()),
                theirs: Some(theirs.text_sha256.clone().into()),
            });
            ours.text_sha256.clone()
        }
    };

    let status = merged_status(base, ours, theirs, seen, &mut notes);
    let mut extra = merged_extra(&extras[0], &extras[1], &extras[2], &mut conflicts);
    if let Some((at, rels)) = &rels {
        relations::put(&mut extra, *at, rels);
    }
    let mut sidecar = Sidecar {
        nhan: ours.nhan.max(theirs.nhan),
        article: ours.article.clone(),
        text_sha256,
        status,
        spans,
        extra,
    };
    if !conflicts.is_empty() {
        let mut all: Vec<Value> = sidecar
            .extra
            .get(CONFLICTS)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for c in &conflicts {
            let c = serde_json::to_value(c).expect("a conflict is plain JSON");
            if !all.contains(&c) {
                all.push(c);
            }
        }
        sidecar.extra.insert(CONFLICTS.into(), Value::Array(all));
    }
    Merged {
        sidecar,
        conflicts,
        notes,
    }
}

/// Spans by id. A side that already holds one id twice has the later one
/// renumbered first, so that no span is lost in the map, and the side's
/// relations follow (`relation::follow_renumbered`).
fn by_id(
    spans: &[Span],
    side: &str,
    rels: Option<&mut Vec<Relation>>,
    notes: &mut Vec<String>,
) -> HashMap<SpanId, Span> {
    let mut store = SpanStore::new(spans.to_vec());
    let renumbered = store.renumber_duplicate_ids();
    for (old, new) in &renumbered {
        notes.push(format!(
            "{side} had two spans with id {old}: one is now span {new}"
        ));
    }
    if let Some(rels) = rels {
        super::relation::follow_renumbered(rels, &renumbered, &store);
    }
    store.iter().map(|s| (s.id, s.clone())).collect()
}

enum Pick<'a, T> {
    Same(Option<&'a T>),
    Conflict,
}

/// The classic three-way rule: a side that did not change takes the other
/// side's change; two equal changes are one; two different ones conflict.
fn three_way<'a, T: PartialEq>(
    b: Option<&'a T>,
    o: Option<&'a T>,
    t: Option<&'a T>,
) -> Pick<'a, T> {
    if o == t || t == b {
        Pick::Same(o)
    } else if o == b {
        Pick::Same(t)
    } else {
        Pick::Conflict
    }
}

fn three_way_eq<'a, T: PartialEq>(
    b: Option<&'a T>,
    o: Option<&'a T>,
    t: Option<&'a T>,
) -> Option<Option<&'a T>> {
    match three_way(b, o, t) {
        Pick::Same(v) => Some(v),
        Pick::Conflict => None,
    }
}

/// Two spans over the same characters that came from different sides (two
/// annotators tagging the same words): with one label they are one span
/// (ours kept); with two labels they are a conflict, ours kept in `spans`.
/// Returns the dropped spans' ids, each with the kept one's, for the
/// relations that ended on a dropped one.
fn settle_same_extent(
    spans: &mut Vec<Span>,
    base: &HashMap<SpanId, Span>,
    ours: &HashMap<SpanId, Span>,
    conflicts: &mut Vec<Conflict>,
) -> HashMap<SpanId, SpanId> {
    let mut merged_into = HashMap::new();
    let mut at: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (i, s) in spans.iter().enumerate() {
        at.entry((s.start, s.end)).or_default().push(i);
    }
    let mut drop = Vec::new();
    for group in at.values().filter(|g| g.len() > 1) {
        // Only spans new on one side are settled; what the base already
        // held side by side stays as it was.
        let new: Vec<usize> = group
            .iter()
            .copied()
            .filter(|&i| !base.contains_key(&spans[i].id))
            .collect();
        for &n in &new {
            let s = &spans[n];
            let Some(&k) = group
                .iter()
                .find(|&&k| k != n && !drop.contains(&k) && from_other_side(&spans[k], s, ours))
            else {
                continue;
            };
            if drop.contains(&n) {
                continue;
            }
            let (keep, other) = if ours.contains_key(&spans[k].id) {
                (k, n)
            } else {
                (n, k)
            };
            if spans[keep].label != spans[other].label {
                conflicts.push(Conflict::Span {
                    id: spans[other].id,
                    base: None,
                    ours: Some(spans[keep].clone()),
                    theirs: Some(spans[other].clone()),
                });
            }
            merged_into.insert(spans[other].id, spans[keep].id);
            drop.push(other);
        }
    }
    drop.sort_unstable();
    for i in drop.into_iter().rev() {
        spans.remove(i);
    }
    merged_into
}

fn from_other_side(a: &Span, b: &Span, ours: &HashMap<SpanId, Span>) -> bool {
    ours.get(&a.id) == Some(a) && ours.get(&b.id) != Some(b)
        || ours.get(&b.id) == Some(b) && ours.get(&a.id) != Some(a)
}

/// Three-way on the status, then one safety: an article marked done or
/// reviewed on one side is stepped back to in progress when the other
/// side's span or relation changes came in, since nobody has reviewed
/// those. `seen`: whether ours, and theirs, hold the merged spans and
/// relations.
fn merged_status(
    base: &Sidecar,
    ours: &Sidecar,
    theirs: &Sidecar,
    seen: [bool; 2],
    notes: &mut Vec<String>,
) -> Status {
    let status = match three_way(Some(&base.status), Some(&ours.status), Some(&theirs.status)) {
        Pick::Same(s) => *s.expect("both present"),
        // Both moved it: the less advanced one is the honest one.
        Pick::Conflict => ours.status.min(theirs.status),
    };
    if status < Status::Done {
        return status;
    }
    let seen_by_setter = [ours, theirs]
        .iter()
        .zip(seen)
        .any(|(side, seen)| side.status == status && seen);
    if seen_by_setter {
        return status;
    }
    notes.push(format!(
        "status was {status} on one side, but the other side changed spans or relations it did not see: now in_progress"
    ));
    Status::InProgress
}

fn same_spans(a: &[Span], b: &[Span]) -> bool {
    let key = |s: &&Span| (s.start, s.end, s.id);
    let (mut a, mut b): (Vec<&Span>, Vec<&Span>) = (a.iter().collect(), b.iter().collect());
    a.sort_by_key(key);
    b.sort_by_key(key);
    a == b
}

/// Top-level fields other than the spans, key by key. A list (such as
/// `rejected` or `orphans`) changed on both sides gets the items of both; a
/// plain value changed differently on both sides keeps ours and is recorded.
fn merged_extra(
    base: &Map<String, Value>,
    ours: &Map<String, Value>,
    theirs: &Map<String, Value>,
    conflicts: &mut Vec<Conflict>,
) -> Map<String, Value> {
    let mut out = Map::new();
    let keys = ours
        .keys()
        .chain(theirs.keys().filter(|k| !ours.contains_key(*k)));
    for k in keys.cloned().collect::<Vec<_>>() {
        let (b, o, t) = (base.get(&k), ours.get(&k), theirs.get(&k));
        let v = match three_way(b, o, t) {
            Pick::Same(v) => v.cloned(),
            Pick::Conflict => match (o, t) {
                (Some(Value::Array(o)), Some(Value::Array(t))) => {
                    let mut all = o.clone();
                    all.extend(t.iter().filter(|x| !o.contains(x)).cloned());
                    Some(Value::Array(all))
                }
                _ => {
                    conflicts.push(Conflict::Field {
                        field: k.clone(),
                        base: b.cloned(),
                        ours: o.cloned(),
                        theirs: t.cloned(),
                    });
                    o.cloned()
                }
            },
        };
        if let Some(v) = v {
            out.insert(k, v);
        }
    }
    out
}

/// What a sidecar's recorded merge conflicts ask of the user, or `None`
/// when it has none: for `nhan validate` and the TUI's notice.
pub fn unsettled(extra: &Map<String, Value>) -> Option<String> {
    let n = extra.get(CONFLICTS)?.as_array()?.len();
    if n == 0 {
        return None;
    }
    let all = recorded(extra);
    let lost = all
        .iter()
        .filter(|c| {
            matches!(
                c,
                Conflict::Relation {
                    lost_end: Some(_),
                    ..
                }
            )
        })
        .count();
    let relations = all.iter().any(|c| matches!(c, Conflict::Relation { .. }));
    let mut what = format!(
        "{} recorded under \"{CONFLICTS}\" (both versions of each {}): keep the right version in \"spans\"{}",
        super::escape::count(n as u64, "merge conflict", "merge conflicts"),
        if relations {
            "span or relation"
        } else {
            "span"
        },
        if relations { " or \"relations\"" } else { "" },
    );
    if lost > 0 {
        what.push_str(&format!(
            "; {} lost an end span the other side deleted (under \"lost_end\"): put the span back in \"spans\" and the relation in \"relations\", or leave both out",
            super::escape::count(lost as u64, "relation", "relations")
        ));
    }
    what.push_str(&format!(", then delete the \"{CONFLICTS}\" list"));
    Some(what)
}

/// `nhan merge-file`'s work on raw files: the merged sidecar's bytes and
/// the conflicts. `Err` names an input that is not a sidecar (the caller
/// falls back to git's line merge).
pub fn merge_bytes(
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    names: [&str; 3],
) -> Result<(String, Merged), SidecarError> {
    merge_bytes_with(base, ours, theirs, names, &|_| None)
}

/// `merge_bytes`, with a way to find an article text by its SHA-256: when
/// one branch also changed the article, the other sides' spans are first
/// carried onto the merged text through a diff, so that spans are compared
/// and merged on one text.
pub fn merge_bytes_with(
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    names: [&str; 3],
    text_of: &dyn Fn(&str) -> Option<super::text::Text>,
) -> Result<(String, Merged), SidecarError> {
    let parse = |bytes: &[u8], name: &str| {
        if let Some(e) = conflict_error(bytes, name) {
            return Err(e);
        }
        Sidecar::parse(bytes, name)
    };
    let base = if base.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        Some(parse(base, names[0])?)
    };
    let mut ours = parse(ours, names[1])?;
    let mut theirs = parse(theirs, names[2])?;
    let mut base = base;
    let mut notes = onto_one_text(&mut base, &mut ours, &mut theirs, text_of);
    let mut merged = merge(base.as_ref(), &ours, &theirs);
    notes.append(&mut merged.notes);
    merged.notes = notes;
    Ok((merged.sidecar.to_json(), merged))
}

/// When the sides' `text_sha256` differ (a branch changed the article),
/// re-anchors every side made on another text onto the one the merge keeps
/// (three-way on the hash), if both texts can be found. Spans that cannot
/// be placed go to that side's `orphans` list, never dropped.
fn onto_one_text(
    base: &mut Option<Sidecar>,
    ours: &mut Sidecar,
    theirs: &mut Sidecar,
    text_of: &dyn Fn(&str) -> Option<super::text::Text>,
) -> Vec<String> {
    let base_sha = base.as_ref().map(|b| b.text_sha256.clone());
    if ours.text_sha256 == theirs.text_sha256
        && base_sha.as_ref().is_none_or(|b| *b == ours.text_sha256)
    {
        return Vec::new();
    }
    let target = match three_way(
        base_sha.as_ref(),
        Some(&ours.text_sha256),
        Some(&theirs.text_sha256),
    ) {
        Pick::Same(Some(t)) => t.clone(),
        _ => return Vec::new(), // both changed it: recorded as a conflict
    };
    let Some(new_text) = text_of(&target) else {
        return vec![format!(
            "the article changed on one side and its new text ({}) was not found: spans are merged as they are",
            &target[..target.len().min(12)]
        )];
    };
    let mut notes = Vec::new();
    for (side, sc) in [
        ("base", base.as_mut()),
        ("ours", Some(ours)),
        ("theirs", Some(theirs)),
    ] {
        let Some(sc) = sc else { continue };
        if sc.text_sha256 == target {
            continue;
        }
        let Some(old_text) = text_of(&sc.text_sha256) else {
            notes.push(format!(
                "{side}'s spans were made on a text that was not found: merged as they are"
            ));
            continue;
        };
        let r = super::reanchor::reanchor_by_diff(
            &sc.spans,
            &old_text,
            &new_text,
            super::reanchor::Options::default(),
        );
        if !r.orphans.is_empty() && side != "base" {
            List::Orphans.append_to(&mut sc.extra, r.orphans.iter().map(Record::of_span));
            notes.push(format!(
                "{} of {side}'s spans no longer fit the changed article: kept under \"{}\"",
                r.orphans.len(),
                List::Orphans.key()
            ));
        }
        sc.spans = r.placed;
        sc.text_sha256 = target.clone();
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sidecar::conflict_marker_line;
    use serde_json::json;

    fn span(id: u64, start: usize, end: usize, label: &str, text: &str) -> Span {
        Span {
            id: crate::ids::SpanId(id),
            start,
            end,
            label: label.into(),
            text: text.into(),
            annotator: None,
            review: None,
            reviewer: None,
            details: Default::default(),
        }
    }

    fn sc(status: Status, spans: Vec<Span>) -> Sidecar {
        Sidecar {
            nhan: 1,
            article: "a.txt".into(),
            text_sha256: "00".into(),
            status,
            spans,
            extra: Map::new(),
        }
    }

    const IP: Status = Status::InProgress;

    #[test]
    fn changes_on_one_side_each_come_through() {
        let base = sc(
            IP,
            vec![span(1, 0, 3, "PER", "Lan"), span(2, 8, 12, "LOC", "Huế")],
        );
        let mut ours = base.clone();
        ours.spans[0].label = "ORG".into();
        ours.spans.push(span(7, 20, 24, "PER", "Minh"));
        let mut theirs = base.clone();
        theirs.spans.remove(1);
        theirs.spans.push(span(9, 30, 33, "LOC", "Vinh"));
        let m = merge(Some(&base), &ours, &theirs);
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
        let got: Vec<(u64, &str)> = m
            .sidecar
            .spans
            .iter()
            .map(|s| (s.id.0, &*s.label))
            .collect();
        assert_eq!(got, [(1, "ORG"), (7, "PER"), (9, "LOC")]);
        assert!(!m.sidecar.extra.contains_key(CONFLICTS));
    }

    #[test]
    fn the_same_id_added_on_both_sides_keeps_both_spans() {
        let base = sc(IP, vec![span(1, 0, 3, "PER", "Lan")]);
        let mut ours = base.clone();
        ours.spans.push(span(2, 10, 14, "PER", "Minh"));
        let mut theirs = base.clone();
        theirs.spans.push(span(2, 20, 23, "LOC", "Huế"));
        let m = merge(Some(&base), &ours, &theirs);
        assert!(m.conflicts.is_empty());
        let mut ids: Vec<u64> = m.sidecar.spans.iter().map(|s| s.id.0).collect();
        assert_eq!(m.sidecar.spans.len(), 3);
        ids.dedup();
        assert_eq!(ids.len(), 3, "distinct ids");
        assert_eq!(m.notes.len(), 1, "{:?}", m.notes);
    }

    #[test]
    fn a_span_edited_differently_on_both_sides_is_a_recorded_conflict() {
        let base = sc(IP, vec![span(1, 0, 3, "PER", "Lan")]);
        let mut ours = base.clone();
        ours.spans[0].label = "ORG".into();
        let mut theirs = base.clone();
        theirs.spans[0].label = "LOC".into();
        let m = merge(Some(&base), &ours, &theirs);
        assert_eq!(m.conflicts.len(), 1);
        assert_eq!(m.sidecar.spans[0].label.as_ref() as &str, "ORG");
        assert!(
            unsettled(&m.sidecar.extra)
                .unwrap()
                .starts_with("1 merge conflict")
        );
        assert_eq!(unsettled(&base.extra), None);
        let c = &m.sidecar.extra[CONFLICTS][0];
        assert_eq!(c["base"]["label"], "PER");
        assert_eq!(c["ours"]["label"], "ORG");
        assert_eq!(c["theirs"]["label"], "LOC");
        // Removed on one side, changed on the other: also a conflict.
        let mut gone = base.clone();
        gone.spans.clear();
        let m = merge(Some(&base), &gone, &theirs);
        assert_eq!(m.conflicts.len(), 1);
        assert!(m.sidecar.spans.is_empty());
        assert_eq!(m.sidecar.extra[CONFLICTS][0]["theirs"]["label"], "LOC");
    }

    #[test]
    fn two_labels_added_on_the_same_words_conflict_and_one_label_is_one_span() {
        let base = sc(IP, vec![]);
        let ours = sc(IP, vec![span(5, 0, 3, "PER", "Lan")]);
        let theirs = sc(IP, vec![span(6, 0, 3, "LOC", "Lan")]);
        let m = merge(Some(&base), &ours, &theirs);
        assert_eq!(m.sidecar.spans.len(), 1);
        assert_eq!(m.conflicts.len(), 1);
        let theirs = sc(IP, vec![span(6, 0, 3, "PER", "Lan")]);
        let m = merge(Some(&base), &ours, &theirs);
        assert_eq!(m.sidecar.spans.len(), 1);
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn reviewed_on_one_side_with_new_spans_from_the_other_is_back_in_progress() {
        let base = sc(IP, vec![span(1, 0, 3, "PER", "Lan")]);
        let mut ours = base.clone();
        ours.status = Status::Reviewed;
        let mut theirs = base.clone();
        theirs.spans.push(span(2, 5, 8, "LOC", "Huế"));
        let m = merge(Some(&base), &ours, &theirs);
        assert_eq!(m.sidecar.status, Status::InProgress);
        assert_eq!(m.sidecar.spans.len(), 2);
        // Reviewed with nothing new from the other side stays reviewed.
        let m = merge(Some(&base), &ours, &base);
        assert_eq!(m.sidecar.status, Status::Reviewed);
    }

    #[test]
    fn lists_changed_on_both_sides_get_both_sides_items() {
        let base = sc(IP, vec![]);
        let mut ours = base.clone();
        ours.extra
            .insert("rejected".into(), json!([{"id": 1, "label": "PER"}]));
        ours.extra.insert("note".into(), json!("ours"));
        let mut theirs = base.clone();
        theirs
            .extra
            .insert("rejected".into(), json!([{"id": 2, "label": "LOC"}]));
        theirs.extra.insert("note".into(), json!("theirs"));
        let m = merge(Some(&base), &ours, &theirs);
        assert_eq!(m.sidecar.extra["rejected"].as_array().unwrap().len(), 2);
        assert_eq!(m.sidecar.extra["note"], "ours");
        assert_eq!(m.conflicts.len(), 1);
        assert!(
            matches!(&m.conflicts[0], Conflict::Field { field, .. } if field == "note"),
            "{:?}",
            m.conflicts
        );
    }

    #[test]
    fn conflict_markers_are_found_with_their_line() {
        let text = b"{\n  \"spans\": [\n<<<<<<< HEAD\n    {},\n=======\n>>>>>>> other\n";
        assert_eq!(conflict_marker_line(text), Some(3));
        assert_eq!(conflict_marker_line(b"{\"text\": \"<<<<<<< x\"}"), None);
        let e = conflict_error(text, "annotations/a.json").unwrap();
        assert_eq!(e.line, 3);
        assert!(
            e.to_string()
                .contains("merge conflict in annotations/a.json, line 3"),
            "{e}"
        );
        assert!(e.message.contains("nhan git-setup"), "{e}");
    }

    #[test]
    fn recorded_conflicts_read_back_as_written_and_odd_ones_are_kept() {
        let base = sc(Status::InProgress, vec![span(1, 0, 3, "PER", "Lan")]);
        let mut ours = base.clone();
        ours.spans[0].label = "ORG".into();
        let mut theirs = base.clone();
        theirs.spans[0].label = "LOC".into();
        ours.extra.insert("note".into(), json!("ours"));
        theirs.extra.insert("note".into(), json!("theirs"));
        let m = merge(Some(&base), &ours, &theirs);
        assert_eq!(m.conflicts.len(), 2, "{:?}", m.conflicts);
        let mut extra = m.sidecar.extra.clone();
        assert_eq!(recorded(&extra), m.conflicts);
        assert_eq!(recorded_count(&extra), 2);
        // The JSON shape is the contract's: each side's span, or null.
        let raw = &extra[CONFLICTS][0];
        assert_eq!(raw["id"], 1);
        assert!(raw["base"]["label"] == "PER" && raw["ours"]["label"] == "ORG");
        // A record written by hand is kept, not dropped or misread.
        extra[CONFLICTS]
            .as_array_mut()
            .unwrap()
            .push(json!({"who": "someone"}));
        let all = recorded(&extra);
        assert_eq!(all.len(), 3);
        assert_eq!(all[2], Conflict::Unreadable(json!({"who": "someone"})));
        assert_eq!(all[0].what(), "span 1");
        assert_eq!(all[1].what(), "field note");
    }

    fn rel(id: u64, from: u64, to: u64, label: &str) -> Relation {
        Relation {
            id: crate::ids::RelationId(id),
            from: crate::ids::SpanId(from),
            to: crate::ids::SpanId(to),
            label: label.into(),
            annotator: None,
            review: None,
            reviewer: None,
            extra: Map::new(),
        }
    }

    fn with_rels(mut sc: Sidecar, rels: &[Relation]) -> Sidecar {
        sc.extra
            .insert(crate::relation::KEY.into(), crate::relation::to_value(rels));
        sc
    }

    fn rels_of(sc: &Sidecar) -> Vec<(u64, u64, u64, String)> {
        crate::relation::parse(&sc.extra[crate::relation::KEY])
            .unwrap()
            .into_iter()
            .map(|r| (r.id.0, r.from.0, r.to.0, r.label))
            .collect()
    }

    /// Lan (1), Minh (2), Huế (3), with the relation 1 → 3 (id 50).
    fn three() -> Sidecar {
        with_rels(
            sc(
                IP,
                vec![
                    span(1, 0, 3, "PER", "Lan"),
                    span(2, 8, 12, "PER", "Minh"),
                    span(3, 15, 18, "LOC", "Huế"),
                ],
            ),
            &[rel(50, 1, 3, "lives_in")],
        )
    }

    #[test]
    fn relations_added_on_each_side_are_both_kept_and_one_deleted_goes() {
        let base = three();
        let ours = with_rels(
            base.clone(),
            &[rel(50, 1, 3, "lives_in"), rel(60, 2, 3, "near")],
        );
        let theirs = with_rels(base.clone(), &[rel(70, 2, 1, "knows")]);
        let m = merge(Some(&base), &ours, &theirs);
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
        // 50: unchanged on ours, deleted on theirs → deleted.
        assert_eq!(
            rels_of(&m.sidecar),
            [(70, 2, 1, "knows".into()), (60, 2, 3, "near".into())]
        );
        let keys: Vec<&String> = m.sidecar.extra.keys().collect();
        assert_eq!(keys, ["relations"], "written once, not also as a field");
    }

    #[test]
    fn a_relation_to_a_span_the_other_side_deleted_is_a_recorded_conflict_not_a_dangling_end() {
        let base = three();
        // Ours deleted Minh; theirs linked Minh to Huế.
        let mut ours = base.clone();
        ours.spans.remove(1);
        let theirs = with_rels(
            base.clone(),
            &[rel(50, 1, 3, "lives_in"), rel(61, 2, 3, "lives_in")],
        );
        let m = merge(Some(&base), &ours, &theirs);
        assert_eq!(rels_of(&m.sidecar), [(50, 1, 3, "lives_in".into())]);
        assert_eq!(m.conflicts.len(), 1, "{:?}", m.conflicts);
        let Conflict::Relation {
            relation,
            ours: o,
            theirs: t,
            lost_end,
            ..
        } = &m.conflicts[0]
        else {
            panic!("{:?}", m.conflicts)
        };
        assert_eq!(
            (*relation, o, t.as_ref().map(|r| r.from)),
            (RelationId(61), &None, Some(SpanId(2)))
        );
        assert_eq!(lost_end.as_ref().map(|s| s.text.as_str()), Some("Minh"));
        assert_eq!(m.conflicts[0].what(), "relation 61");
        // Recorded as written, read back as a relation conflict.
        assert_eq!(recorded(&m.sidecar.extra), m.conflicts);
        assert_eq!(m.sidecar.extra[CONFLICTS][0]["lost_end"]["text"], "Minh");
        let u = unsettled(&m.sidecar.extra).unwrap();
        assert!(u.contains("1 relation lost an end span"), "{u}");
        assert!(
            lost_end_note(&m.conflicts[0]).contains("ends on PER “Minh” (span 2)"),
            "{:?}",
            m.conflicts[0]
        );
        // The other way round (theirs deleted, ours linked): the same.
        let m = merge(Some(&base), &theirs, &ours);
        assert_eq!(m.conflicts.len(), 1);
        assert_eq!(rels_of(&m.sidecar), [(50, 1, 3, "lives_in".into())]);
    }

    fn lost_end_note(c: &Conflict) -> String {
        super::lost_end(c).unwrap_or_default()
    }

    #[test]
    fn one_relation_changed_two_ways_is_a_conflict_and_ours_stays() {
        let base = three();
        let ours = with_rels(base.clone(), &[rel(50, 1, 3, "born_in")]);
        let theirs = with_rels(base.clone(), &[rel(50, 1, 3, "works_in")]);
        let m = merge(Some(&base), &ours, &theirs);
        assert_eq!(rels_of(&m.sidecar), [(50, 1, 3, "born_in".into())]);
        assert!(
            matches!(&m.conflicts[..], [Conflict::Relation { relation: RelationId(50), base: Some(b), theirs: Some(t), lost_end: None, .. }] if b.label == "lives_in" && t.label == "works_in"),
            "{:?}",
            m.conflicts
        );
        assert_eq!(m.sidecar.extra[CONFLICTS][0]["relation"], 50);
    }

    #[test]
    fn relations_made_under_one_id_on_both_sides_are_both_kept_and_follow_renumbered_spans() {
        let base = sc(IP, vec![span(1, 0, 3, "PER", "Lan")]);
        // Both add a span with id 9 (different words) and a relation 7 to it.
        let ours = with_rels(
            sc(
                IP,
                vec![span(1, 0, 3, "PER", "Lan"), span(9, 8, 12, "PER", "Minh")],
            ),
            &[rel(7, 1, 9, "knows")],
        );
        let theirs = with_rels(
            sc(
                IP,
                vec![span(1, 0, 3, "PER", "Lan"), span(9, 15, 18, "LOC", "Huế")],
            ),
            &[rel(7, 1, 9, "lives_in")],
        );
        let m = merge(Some(&base), &ours, &theirs);
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
        let hue = m
            .sidecar
            .spans
            .iter()
            .find(|s| s.text == "Huế")
            .unwrap()
            .id
            .0;
        assert_ne!(hue, 9);
        let got = rels_of(&m.sidecar);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.contains(&(7, 1, 9, "knows".into())), "{got:?}");
        let lives = got.iter().find(|r| r.3 == "lives_in").unwrap();
        assert_eq!(
            lives.2, hue,
            "theirs' relation ends on theirs' span, renumbered"
        );
        assert_ne!(lives.0, 7, "theirs' relation renumbered");
        assert!(
            m.notes.iter().any(|n| n.contains("relation 7")),
            "{:?}",
            m.notes
        );
        // And the document opens without problems.
        let text = "Lan ... Minh ... Huế";
        let doc = crate::document::Document::new("a.txt", crate::text::Text::new(text), "00");
        let (d, problems) = doc.with_sidecar(m.sidecar);
        assert!(
            problems.iter().all(|p| p.relation_id.is_none()),
            "{problems:?}"
        );
        assert_eq!(d.relations().len(), 2);
    }

    #[test]
    fn the_same_relation_made_on_both_sides_over_merged_spans_is_one() {
        let base = sc(IP, vec![span(3, 15, 18, "LOC", "Huế")]);
        // Each tags Lan (own span id) and links it to Huế (own relation id).
        let ours = with_rels(
            sc(
                IP,
                vec![span(1, 0, 3, "PER", "Lan"), span(3, 15, 18, "LOC", "Huế")],
            ),
            &[rel(7, 1, 3, "lives_in")],
        );
        let theirs = with_rels(
            sc(
                IP,
                vec![span(2, 0, 3, "PER", "Lan"), span(3, 15, 18, "LOC", "Huế")],
            ),
            &[rel(8, 2, 3, "lives_in")],
        );
        let m = merge(Some(&base), &ours, &theirs);
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
        assert_eq!(m.sidecar.spans.len(), 2);
        assert_eq!(rels_of(&m.sidecar), [(7, 1, 3, "lives_in".into())]);
    }

    #[test]
    fn reviewed_on_one_side_with_new_relations_from_the_other_is_back_in_progress() {
        let base = three();
        let mut ours = base.clone();
        ours.status = Status::Reviewed;
        let theirs = with_rels(
            base.clone(),
            &[rel(50, 1, 3, "lives_in"), rel(60, 2, 3, "near")],
        );
        let m = merge(Some(&base), &ours, &theirs);
        assert_eq!(m.sidecar.status, Status::InProgress);
    }
}
