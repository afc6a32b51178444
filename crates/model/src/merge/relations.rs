//! The relations of a three-way sidecar merge: matched by id like spans,
//! and then held to the merged spans, so that a relation never ends on a
//! span the merge does not keep (such a relation is recorded as a conflict
//! with the span it lost, for the user to restore or drop).

use super::{Conflict, Pick, three_way};
use crate::ids::{RelationId, SpanId};
use crate::relation::{self, KEY, Relation};
use crate::span::Span;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// Each side's relations, taken out of its top-level fields.
pub(super) struct Sides {
    pub base: Vec<Relation>,
    pub ours: Vec<Relation>,
    pub theirs: Vec<Relation>,
    /// Where the list goes among the merged top-level fields: where ours
    /// had it, else where theirs had it; `None` when neither side has one.
    pub at: Option<usize>,
}

/// Moves `relations` out of the three sides' top-level fields, read, so
/// that the merge treats them relation by relation. `None` (fields left as
/// they are) when a side's list does not read: it is then merged as any
/// other top-level field, and opening the article says what is wrong.
pub(super) fn take(extras: &mut [Map<String, Value>; 3]) -> Option<Sides> {
    let read = |m: &Map<String, Value>| m.get(KEY).map_or(Ok(Vec::new()), relation::parse);
    let [b, o, t] = [read(&extras[0]), read(&extras[1]), read(&extras[2])];
    let (base, ours, theirs) = (b.ok()?, o.ok()?, t.ok()?);
    let at = [1, 2]
        .into_iter()
        .find_map(|i| extras[i].keys().position(|k| k == KEY));
    for e in extras.iter_mut() {
        e.shift_remove(KEY);
    }
    Some(Sides {
        base,
        ours,
        theirs,
        at,
    })
}

/// Puts the merged list back where the sides had it.
pub(super) fn put(extra: &mut Map<String, Value>, at: Option<usize>, rels: &[Relation]) {
    let Some(at) = at else {
        return;
    };
    extra.shift_insert(at.min(extra.len()), KEY.into(), relation::to_value(rels));
}

/// How the merged spans' ids relate to the sides'.
pub(super) struct SpanIds<'a> {
    /// Each side's spans by id: base, ours, theirs.
    pub sides: [&'a HashMap<SpanId, Span>; 3],
    /// Theirs' spans that got a new id because ours added another span
    /// under the same one.
    pub theirs_moved: &'a HashMap<SpanId, SpanId>,
    /// Spans both sides added over the same words, merged into one: the
    /// dropped one's id → the kept one's.
    pub merged_into: &'a HashMap<SpanId, SpanId>,
    /// The ids of the merged spans.
    pub kept: HashSet<SpanId>,
}

/// The three-way merge of the relations onto the merged spans.
pub(super) fn merge(
    mut sides: Sides,
    spans: &SpanIds,
    notes: &mut Vec<String>,
    conflicts: &mut Vec<Conflict>,
) -> Vec<Relation> {
    for r in &mut sides.theirs {
        r.remap_ends(spans.theirs_moved);
    }
    let (b, o, t) = (
        by_id(&mut sides.base, "base", notes),
        by_id(&mut sides.ours, "ours", notes),
        by_id(&mut sides.theirs, "theirs", notes),
    );
    let mut ids: Vec<RelationId> = b.keys().chain(o.keys()).chain(t.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out: Vec<Relation> = Vec::new();
    let mut clashing: Vec<Relation> = Vec::new();
    for id in ids {
        let (bs, os, ts) = (b.get(&id), o.get(&id), t.get(&id));
        match three_way(bs, os, ts) {
            Pick::Same(r) => out.extend(r.cloned()),
            Pick::Conflict if bs.is_none() => {
                // Both sides made a relation under one id: both are kept.
                out.extend(os.cloned());
                clashing.extend(ts.cloned());
            }
            Pick::Conflict => {
                conflicts.push(Conflict::Relation {
                    relation: id,
                    base: bs.cloned().map(Box::new),
                    ours: os.cloned().map(Box::new),
                    theirs: ts.cloned().map(Box::new),
                    lost_end: None,
                });
                out.extend(os.cloned());
            }
        }
    }
    for r in clashing {
        let id = relation::fresh_id(&out, r.annotator.as_deref(), r.from, r.to, &r.label);
        notes.push(format!(
            "relation {} ({}) was made on both sides with different content: theirs is now relation {id}",
            r.id, r.label
        ));
        out.push(Relation { id, ..r });
    }
    for r in &mut out {
        r.remap_ends(spans.merged_into);
    }
    drop_made_twice(&mut out, &b, &o);
    out.retain(|r| {
        let Some(lost) = [r.from, r.to].into_iter().find(|e| !spans.kept.contains(e)) else {
            return true;
        };
        let lost_end = spans.sides.iter().find_map(|m| m.get(&lost)).cloned();
        notes.push(format!(
            "relation {} ({}) ends on span {lost}{}, which the other side deleted: recorded under \"{}\"",
            r.id,
            r.label,
            lost_end
                .as_ref()
                .map_or(String::new(), |s| format!(" {} “{}”", s.label.as_str(), s.text)),
            super::CONFLICTS
        ));
        conflicts.push(Conflict::Relation {
            relation: r.id,
            base: b.get(&r.id).cloned().map(Box::new),
            ours: o.get(&r.id).cloned().map(Box::new),
            theirs: t.get(&r.id).cloned().map(Box::new),
            lost_end: lost_end.map(Box::new),
        });
        false
    });
    relation::sort(&mut out);
    out
}

/// Relations by id. A side that holds one id twice has the later one
/// renumbered first, so that none is lost in the map.
fn by_id(
    rels: &mut [Relation],
    side: &str,
    notes: &mut Vec<String>,
) -> HashMap<RelationId, Relation> {
    let mut seen: HashMap<RelationId, Relation> = HashMap::new();
    for i in 0..rels.len() {
        if seen.contains_key(&rels[i].id) {
            let r = &rels[i];
            let taken: Vec<Relation> = seen.values().cloned().chain(rels.iter().cloned()).collect();
            let id = relation::fresh_id(&taken, r.annotator.as_deref(), r.from, r.to, &r.label);
            notes.push(format!(
                "{side} had two relations with id {}: one is now relation {id}",
                r.id
            ));
            rels[i].id = id;
        }
        seen.insert(rels[i].id, rels[i].clone());
    }
    seen
}

/// The same relation (ends and type) made on both sides under two ids
/// (two annotators): one is kept, the base's or else ours.
fn drop_made_twice(
    out: &mut Vec<Relation>,
    base: &HashMap<RelationId, Relation>,
    ours: &HashMap<RelationId, Relation>,
) {
    let rank = |r: &Relation| {
        if base.contains_key(&r.id) {
            0
        } else if ours.get(&r.id) == Some(r) {
            1
        } else {
            2
        }
    };
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_key(|&i| rank(&out[i]));
    let mut seen = HashSet::new();
    let mut drop = HashSet::new();
    for i in order {
        let r = &out[i];
        if !seen.insert((r.from, r.to, r.label.clone())) && rank(r) > 0 {
            drop.insert(i);
        }
    }
    let mut i = 0;
    out.retain(|_| {
        i += 1;
        !drop.contains(&(i - 1))
    });
}
