//! Suggestions in the TUI: asking for them (off the UI thread), drawing
//! them apart from spans, and the decisions (accept, accept with another
//! label, reject, edit then accept, accept all, hide). Every decision is
//! undoable with `u` and saved at once: an accepted suggestion is a span
//! (with `source`) saved like any edit; a rejection goes to
//! `.nhan/rejected/` and its undo takes it back out.

use super::action::Action;
use super::editing;
use super::keymap::Context;
use super::keys::{Code, Key};
use super::msg::Effect;
use super::state::{Focus, Overlay, Selection, State, Step};
use super::suggestions::{
    ArticleSuggestions, Prompt, RETRAIN_AFTER_TICKS, SuggestEffect, SuggestMsg,
};
use crate::error::{AcceptError, FilterError};
use nhan_model::edit::{Edit, Entry};
use nhan_suggest::Suggestion;

/// After every message: builds the engine the first time, and asks for the
/// open article's suggestions when its list is older than the article or
/// the engine.
pub fn sync(state: &mut State) -> Vec<Effect> {
    let sg = &mut state.suggest;
    if !sg.enabled {
        return vec![];
    }
    let mut out = Vec::new();
    if sg.engine.is_none() && !sg.building && sg.failed.is_none() {
        sg.building = true;
        out.push(Effect::Suggest(SuggestEffect::Build));
    }
    learn_from_history(state);
    // `E`'s selection is gone (Esc, a move): a later one is not from it.
    if state.article().is_none_or(|a| a.selection.is_none()) {
        state.suggest.editing = None;
    }
    if state.suggest.engine.is_none()
        && let Some(art) = state.article()
        && state
            .suggest
            .articles
            .get(&art.index)
            .is_none_or(|e| e.asked.is_none())
    {
        // Shown until the recommenders are ready.
        out.push(Effect::Suggest(SuggestEffect::LoadStored {
            index: art.index,
            revision: art.revision,
            file_name: art.doc.file_name().to_string(),
            text_sha256: art.doc.text_sha256().to_string(),
        }));
        let want = (art.revision, 0);
        state.suggest.articles.entry(art.index).or_default().asked = Some(want);
        return out;
    }
    let (Some(engine), Some(art)) = (state.suggest.engine.clone(), state.article()) else {
        return out;
    };
    let want = (art.revision, state.suggest.generation);
    let index = art.index;
    let asked = state.suggest.articles.get(&index);
    if asked.is_some_and(|e| e.computed == Some(want) || e.asked == Some(want)) {
        return out;
    }
    let doc = Box::new(art.doc.clone());
    let entry = state.suggest.articles.entry(index).or_default();
    entry.asked = Some(want);
    let rejections = entry.rejections.clone();
    let learn = std::mem::take(&mut state.suggest.learn);
    out.push(Effect::Suggest(SuggestEffect::Compute {
        index,
        revision: want.0,
        generation: want.1,
        engine,
        learn,
        doc,
        rejections,
    }));
    out
}

/// Live learning: what the last message did to the open article's spans
/// (a new edit, an undo or a redo, read off its history) goes to the
/// dictionary with the next request.
fn learn_from_history(state: &mut State) {
    let Some(art) = state.current.and_then(|i| state.articles[i].as_ref()) else {
        return;
    };
    let now = (art.revision, art.history.depth());
    let entry = state.suggest.articles.entry(art.index).or_default();
    let Some((revision, (u0, r0))) = entry.seen.replace(now) else {
        return;
    };
    if revision == now.0 {
        return;
    }
    let (u1, r1) = now.1;
    let applied = if u1 == u0 + 1 && (r1 == 0 || r1 + 1 == r0) {
        // A new edit, or a redo: the edit on top of the undo stack.
        art.history.peek_undo().and_then(Entry::edit).cloned()
    } else if u1 + 1 == u0 && r1 == r0 + 1 {
        // An undo applied the inverse of the edit on top of the redo stack.
        art.history
            .peek_redo()
            .and_then(Entry::edit)
            .map(Edit::invert)
    } else {
        // Several at once: the next retraining learns them from the disk.
        None
    };
    if let Some(e) = applied {
        state.suggest.note_edit(&e);
    }
}

/// About once a second: retrains once the annotator has paused.
pub fn tick(state: &mut State) -> Vec<Effect> {
    let sg = &mut state.suggest;
    let Some(n) = sg.quiet_ticks else {
        return vec![];
    };
    if n + 1 < RETRAIN_AFTER_TICKS || sg.building || !sg.enabled {
        sg.quiet_ticks = Some(n + 1);
        return vec![];
    }
    sg.quiet_ticks = None;
    sg.building = true;
    sg.failed = None;
    vec![Effect::Suggest(SuggestEffect::Build)]
}

pub fn on_msg(state: &mut State, msg: SuggestMsg) -> Vec<Effect> {
    match msg {
        SuggestMsg::Built {
            result,
            notes,
            unapproved,
        } => {
            state.suggest.building = false;
            match result {
                Ok(engine) => {
                    let replay = std::mem::take(&mut state.suggest.learned_since_build);
                    if let Ok(mut s) = engine.0.write() {
                        for l in &replay {
                            if l.tagged {
                                s.learn(&l.surface, &l.label);
                            } else {
                                s.unlearn(&l.surface, &l.label);
                            }
                        }
                    }
                    // What was queued went into the build through the saved
                    // sidecars or the replay.
                    state.suggest.learn.clear();
                    let first = state.suggest.engine.is_none();
                    state.suggest.engine = Some(engine);
                    state.suggest.generation += 1;
                    if !await_trust(state, unapproved)
                        && first
                        && let Some(n) = notes.iter().find(|n| !n.is_not_approved())
                    {
                        state.error(format!("suggestions: {n}"));
                    }
                }
                Err(e) => {
                    state.error(format!("suggestions are off: {e}"));
                    state.suggest.failed = Some(e);
                }
            }
            vec![]
        }
        SuggestMsg::Computed {
            index,
            revision,
            generation,
            list,
            errors,
            rejections,
        } => {
            let current = state.articles.get(index).and_then(Option::as_ref);
            let Some(art) = current else { return vec![] };
            let fresh = art.revision == revision && state.suggest.generation == generation;
            let text = art.doc.text().clone();
            let entry = state.suggest.articles.entry(index).or_default();
            match rejections {
                Some(Ok(r)) if entry.rejections.is_none() => entry.rejections = Some(r),
                Some(Err(e)) => {
                    entry.rejections_error = Some(e.to_string());
                    state.error(format!("suggestions: {e}"));
                }
                _ => {}
            }
            let entry = state.suggest.articles.entry(index).or_default();
            if !fresh {
                // A newer request is under way, or will be once `sync`
                // sees nothing asked.
                if entry.asked == Some((revision, generation)) {
                    entry.asked = None;
                }
                return vec![];
            }
            // Rejected while this was computed: still rejected.
            entry.list = match &entry.rejections {
                Some(r) => r.filter(list, &text),
                None => list,
            };
            entry.version = super::suggestions::next_version();
            entry.computed = Some((revision, generation));
            if let Some(e) = errors.first() {
                state.error(format!("suggestions: {e}"));
            }
            vec![]
        }
        SuggestMsg::RejectionsSaved(Err(e)) => {
            state.suggest.written();
            state.error(format!(
                "NOT SAVED: {e}; the rejection holds for this session only"
            ));
            vec![]
        }
        SuggestMsg::RejectionsSaved(Ok(())) => {
            state.suggest.written();
            vec![]
        }
        SuggestMsg::Approved(Ok(file)) => {
            state.suggest.written();
            state.info(format!(
                "approved; recorded in {file}. Suggestions are being computed again"
            ));
            state.suggest.building = true;
            vec![Effect::Suggest(SuggestEffect::Build)]
        }
        SuggestMsg::Approved(Err(e)) => {
            state.suggest.written();
            state.error(format!("not approved: {e}"));
            vec![]
        }
    }
}

/// Notes the command recommenders a build found unapproved and not asked
/// about, and says which key asks: the question never opens by itself, as
/// the build ends under keys already being typed. True if it said so.
fn await_trust(state: &mut State, unapproved: Vec<(String, Vec<String>, String)>) -> bool {
    let sg = &mut state.suggest;
    let new: Vec<_> = unapproved
        .into_iter()
        .filter(|(_, c, _)| {
            !sg.asked_trust.contains(c) && !sg.awaiting_trust.iter().any(|(_, a, _)| a == c)
        })
        .collect();
    let Some((name, _, _)) = new.first() else {
        return false;
    };
    let name = nhan_model::escape::line(name).into_owned();
    sg.awaiting_trust.extend(new);
    let how = match state
        .config
        .keymap
        .keys_for(Context::Global, Action::ReviewRecommender)
        .first()
    {
        Some(k) => format!("press {k} to review it"),
        None => "`nhan suggest --approve` reviews it".to_string(),
    };
    state.error(format!("recommender {name} is not approved: {how}"));
    true
}

/// The deliberate key: asks about the first recommender waiting for
/// approval (only typing `approve` and Enter says yes).
pub fn review_trust(state: &mut State) -> Vec<Effect> {
    if state.suggest.awaiting_trust.is_empty() {
        state.info("no recommender is waiting for approval".to_string());
        return vec![];
    }
    let (name, command, covers) = state.suggest.awaiting_trust.remove(0);
    state.suggest.asked_trust.push(command.clone());
    state.overlay = Overlay::Suggest(Prompt::Trust {
        name,
        command,
        covers,
        input: String::new(),
    });
    vec![]
}

fn entry(state: &State) -> Option<&ArticleSuggestions> {
    let art = state.article()?;
    state.suggest.articles.get(&art.index)
}

/// The suggestion the keys act on (see [`ArticleSuggestions::current`]).
/// Hidden suggestions are not acted on.
pub fn current(state: &State) -> Option<Suggestion> {
    if state.suggest.hidden || !state.suggest.enabled {
        return None;
    }
    let art = state.article()?;
    let e = entry(state)?;
    e.current(art.cursor, art.selection.map(|s| s.range()))
        .cloned()
}

fn describe(s: &Suggestion, text: &nhan_model::text::Text) -> String {
    format!(
        "{} “{}” ({} {:.2})",
        s.label,
        text.slice(s.start, s.end),
        s.source,
        s.score
    )
}

fn none_here(state: &mut State) -> Vec<Effect> {
    let msg = if !state.suggest.enabled {
        "suggestions are off in this session".to_string()
    } else if state.suggest.hidden {
        "suggestions are hidden: S shows them".to_string()
    } else if let (None, Some(e)) = (&state.suggest.engine, &state.suggest.failed) {
        format!("suggestions could not be built: {e} (fix that and start nhan again)")
    } else if state.suggest.engine.is_none() {
        "suggestions are still being computed".to_string()
    } else {
        "no suggestion at the cursor: ) goes to the next one".to_string()
    };
    state.error(msg);
    vec![]
}

/// `)` and `(`: the cursor to the next or previous suggestion in reading
/// order (outer before inner where several start at the same place).
pub fn step(state: &mut State, dir: Step) -> Vec<Effect> {
    if state.suggest.hidden {
        return none_here(state);
    }
    let Some(art) = state.article() else {
        return vec![];
    };
    let cur = art.cursor;
    let Some(e) = entry(state) else {
        return none_here(state);
    };
    let n = e.list.len();
    let found = match (dir, e.focused(cur)) {
        (Step::Forward, Some(f)) => e.after(f.start, f.end, &f.label),
        (Step::Back, Some(f)) => e.before(f.start, f.end, &f.label),
        (Step::Forward, None) => e.after_char(cur),
        (Step::Back, None) => e.before_char(cur),
    };
    let Some(i) = found else {
        if state.suggest.engine.is_none() && state.suggest.failed.is_some() {
            // Only stored suggestions were here: say why no others come.
            return none_here(state);
        }
        let word = if dir == Step::Forward {
            "after"
        } else {
            "before"
        };
        state.info(format!(
            "no suggestion {word} the cursor ({n} in this article)"
        ));
        return vec![];
    };
    let what = focus_on(state, i);
    if let Some((k, what)) = what {
        state.info(format!("suggestion {k}/{n}: {what} · y accept, X reject"));
    }
    vec![]
}

/// Puts the cursor on the open article's suggestion `i` and makes it the
/// one the keys mean; its place in reading order and description.
fn focus_on(state: &mut State, i: usize) -> Option<(usize, String)> {
    let index = state.article()?.index;
    let e = state.suggest.articles.get_mut(&index)?;
    let s = e.list.get(i)?.clone();
    let k = e.ordinal(i);
    e.focus = Some((s.start, s.end, s.label.to_string()));
    let art = state.article_mut()?;
    art.cursor = s.start;
    art.selection = None;
    let what = describe(&s, art.doc.text());
    Some((k, what))
}

/// After a decision on `s`: on to the next suggestion after it in reading
/// order (a nested one inside an accepted span included), if any.
fn go_on(state: &mut State, s: &Suggestion) {
    let Some(e) = entry(state) else { return };
    let n = e.list.len();
    let Some(i) = e.after(s.start, s.end, &s.label) else {
        state.info_after("no more suggestions after it");
        return;
    };
    if let Some((k, what)) = focus_on(state, i) {
        state.info_after(format!("next {k}/{n}: {what}"));
    }
}

fn read_only(state: &mut State) -> bool {
    match state.article().and_then(|a| a.read_only.clone()) {
        Some(r) => {
            state.error(format!("read-only, nothing changed: {r}"));
            true
        }
        None => false,
    }
}

/// The span `s` becomes, with `label` and extent `[start, end)`.
fn span_of(state: &mut State, s: &Suggestion, label: &str) -> Result<Edit, AcceptError> {
    let overlap = state.project.schema.overlap;
    let annotator = state.annotator();
    let art = state.article_mut().ok_or(AcceptError::NoArticle)?;
    let doc = &mut art.doc;
    if doc.spans().with_extent(s.start, s.end).is_some() {
        let text = doc.text().slice(s.start, s.end).to_string();
        return Err(AcceptError::Tagged(text));
    }
    doc.check_new_extent(s.start, s.end, overlap, None)?;
    let id = doc
        .make_span(s.start, s.end, label, annotator.as_deref())
        .id;
    let mut span = nhan_suggest::accept(s, doc.text(), id, annotator.as_deref());
    span.label = label.into();
    Ok(Edit::Add(span))
}

fn label_name(state: &mut State, index: usize) -> Option<String> {
    let name = state
        .project
        .schema
        .labels
        .get(index)
        .map(|l| l.name.clone());
    if name.is_none() {
        state.error(format!("no label {} in this project", index + 1));
    }
    name
}

/// Removes `accepted` from the article's list and its drawing, then
/// commits `edit` (so the re-wrap sees the span and not the suggestion).
fn commit_accepted(state: &mut State, accepted: &[Suggestion], edit: Edit) -> Vec<Effect> {
    let Some(index) = state.current else {
        return vec![];
    };
    if let Some(e) = state.suggest.articles.get_mut(&index) {
        for s in accepted {
            e.remove(s);
        }
    }
    // A reviewer's accepted suggestion is reviewed by that reviewer, as a
    // span they tag is.
    let edit = match state.mode {
        super::state::Mode::Review => {
            nhan_model::review::mark_reviewed_by(edit, state.annotator().as_deref())
        }
        super::state::Mode::Annotate => edit,
    };
    editing::commit(state, edit, None)
}

/// Accepts `s` with `label`: a span whose `source` names the recommender.
fn accept_one(state: &mut State, s: Suggestion, label: String) -> Vec<Effect> {
    if read_only(state) {
        return vec![];
    }
    let edit = match span_of(state, &s, &label) {
        Ok(e) => e,
        Err(why) => {
            state.error(format!("not accepted: {why}"));
            return vec![];
        }
    };
    let effects = commit_accepted(state, std::slice::from_ref(&s), edit);
    let text = state
        .article()
        .map(|a| a.doc.text().slice(s.start, s.end).to_string())
        .unwrap_or_default();
    let relabelled = if label == s.label {
        String::new()
    } else {
        format!(" (suggested {})", s.label)
    };
    state.info(format!(
        "accepted {label} “{text}” from {}{relabelled}",
        s.source
    ));
    go_on(state, &s);
    effects
}

/// `y`: accepts the suggestion at the cursor with its label.
pub fn accept(state: &mut State) -> Vec<Effect> {
    match current(state) {
        Some(s) => {
            let label = s.label.to_string();
            accept_one(state, s, label)
        }
        None => none_here(state),
    }
}

/// A digit: on a suggestion (nothing selected), accepts it with that label;
/// with a selection made from a suggestion by `E`, tags the selection
/// keeping the suggestion's source; otherwise tags as always.
pub fn tag_action(state: &mut State, a: Action) -> Vec<Effect> {
    let Some(i) = a.tag_index() else {
        return vec![];
    };
    if state.focus == Focus::Text
        && let Some(art) = state.article()
    {
        let editing = state.suggest.editing.clone();
        match (art.selection, editing) {
            (Some(sel), Some(orig)) if sel.origin.is_none() => {
                state.suggest.editing = None;
                let Some(label) = label_name(state, i) else {
                    return vec![];
                };
                let (start, end) = sel.range();
                let edited = Suggestion {
                    start,
                    end,
                    ..orig.clone()
                };
                if read_only(state) {
                    return vec![];
                }
                return match span_of(state, &edited, &label) {
                    Ok(edit) => {
                        let effects = commit_accepted(state, std::slice::from_ref(&orig), edit);
                        let changed = if (start, end) == (orig.start, orig.end) {
                            ""
                        } else {
                            " with its edges changed"
                        };
                        state.info(format!(
                            "accepted {label} “{}” from {}{changed}",
                            state
                                .article()
                                .map(|a| a.doc.text().slice(start, end).to_string())
                                .unwrap_or_default(),
                            orig.source
                        ));
                        effects
                    }
                    Err(why) => {
                        state.error(format!("not tagged: {why}"));
                        vec![]
                    }
                };
            }
            (None, _) => {
                if let Some(s) = current(state) {
                    let Some(label) = label_name(state, i) else {
                        return vec![];
                    };
                    return accept_one(state, s, label);
                }
            }
            _ => {}
        }
    }
    editing::tag_action(state, a)
}

/// A write to hand over (`SaveRejections` or `Approve`), counted as
/// pending until its result comes back (`SuggestState::written`).
fn write(state: &mut State, effect: SuggestEffect) -> Effect {
    state.suggest.writing += 1;
    Effect::Suggest(effect)
}

/// `X`: rejects the suggestion at the cursor; it is not proposed again
/// (saved at once in `.nhan/rejected/`; `u` takes it back).
pub fn reject(state: &mut State) -> Vec<Effect> {
    let Some(s) = current(state) else {
        return none_here(state);
    };
    if read_only(state) {
        return vec![];
    }
    let Some(art) = state.article() else {
        return vec![];
    };
    let (index, text) = (art.index, art.doc.text().clone());
    let e = state.suggest.articles.entry(index).or_default();
    let Some(rej) = e.rejections.as_mut() else {
        let msg = match &e.rejections_error {
            Some(why) => format!("cannot reject: {why}"),
            None => "rejections are still being read; try again in a moment".into(),
        };
        state.error(msg);
        return vec![];
    };
    rej.reject(&s, &text);
    let rej = rej.clone();
    e.remove(&s);
    e.rejected.push(s.clone());
    e.unrejected.clear();
    if let Some(art) = state.article_mut() {
        art.history.record_rejection();
    }
    state.info(format!(
        "rejected {}: not proposed again here (u undoes)",
        describe(&s, &text)
    ));
    go_on(state, &s);
    vec![write(state, SuggestEffect::SaveRejections(Box::new(rej)))]
}

/// Whether the step `u` / `Ctrl-R` takes next is a rejected suggestion's:
/// the document's history holds a marker for it on top, and the rejections
/// this session made have one to take back (or put back).
pub fn rejection_on_top(state: &State, step: Step) -> bool {
    // A read-only article's undo is refused (and said so) with its edits.
    let Some(art) = state.article().filter(|a| a.read_only.is_none()) else {
        return false;
    };
    let top = match step {
        Step::Back => art.history.peek_undo(),
        Step::Forward => art.history.peek_redo(),
    };
    top == Some(&Entry::Rejection)
        && state
            .suggest
            .articles
            .get(&art.index)
            .is_some_and(|e| match step {
                Step::Back => !e.rejected.is_empty(),
                Step::Forward => !e.unrejected.is_empty(),
            })
}

/// Undoes or redoes the rejection on top of the history
/// (see [`rejection_on_top`]).
pub fn step_rejection(state: &mut State, step: Step) -> Vec<Effect> {
    let Some(art) = state.article() else {
        return vec![];
    };
    let index = art.index;
    let text = art.doc.text().clone();
    if let Some(art) = state.article_mut() {
        match step {
            Step::Back => art.history.undo(),
            Step::Forward => art.history.redo(),
        };
    }
    let e = state.suggest.articles.entry(index).or_default();
    let Some(mut rej) = e.rejections.take() else {
        return vec![];
    };
    let s = match step {
        Step::Back => e.rejected.pop().inspect(|s| {
            rej.unreject(s);
            let at = e.list.partition_point(|x| x.key() < s.key());
            e.list.insert(at, s.clone());
            e.version = super::suggestions::next_version();
            e.unrejected.push(s.clone());
        }),
        Step::Forward => e.unrejected.pop().inspect(|s| {
            rej.reject(s, &text);
            e.remove(s);
            e.rejected.push(s.clone());
        }),
    };
    let save = SuggestEffect::SaveRejections(Box::new(rej.clone()));
    e.rejections = Some(rej);
    let Some(s) = s else { return vec![] };
    e.focus = Some((s.start, s.end, s.label.to_string()));
    if let Some(art) = state.article_mut() {
        art.cursor = s.start;
        art.selection = None;
    }
    let word = if step == Step::Back {
        "undone"
    } else {
        "redone"
    };
    state.info(format!("{word}: rejection of {}", describe(&s, &text)));
    vec![write(state, save)]
}

/// `E`: selects the suggestion at the cursor so that its edges can be
/// moved (`H` `L` `,` `.` `o`); a digit then tags it, keeping its source.
pub fn edit(state: &mut State) -> Vec<Effect> {
    let Some(s) = current(state) else {
        return none_here(state);
    };
    let Some(art) = state.article_mut() else {
        return vec![];
    };
    art.selection = Some(Selection::of_range(s.start, s.end, None));
    art.cursor = s.start;
    state.info(format!(
        "editing the suggestion {}: H L , . move an edge, o switches edge, a digit tags it",
        s.label
    ));
    state.suggest.editing = Some(s);
    vec![]
}

/// `S`: hides or shows suggestions.
pub fn toggle(state: &mut State) -> Vec<Effect> {
    state.suggest.hidden = !state.suggest.hidden;
    let n = entry(state).map_or(0, |e| e.list.len());
    if state.suggest.hidden {
        state.info("suggestions hidden (S shows them)");
    } else if !state.suggest.enabled {
        state.info("suggestions are off in this session");
    } else {
        state.info(format!("showing {n} suggestions (S hides them)"));
    }
    vec![]
}

/// `Y`: asks which suggestions to accept (all, one label, a minimum score).
pub fn accept_all_prompt(state: &mut State) -> Vec<Effect> {
    if entry(state).is_none_or(|e| e.list.is_empty()) || state.suggest.hidden {
        return none_here(state);
    }
    state.overlay = Overlay::Suggest(Prompt::AcceptAll {
        input: String::new(),
    });
    vec![]
}

/// A filter typed at the accept-all prompt: label numbers or names and a
/// minimum score (a number with a point, `.8`).
fn parse_filter(state: &State, input: &str) -> Result<(Option<String>, Option<f32>), FilterError> {
    let (mut label, mut min) = (None, None);
    for w in input.split_whitespace() {
        let w = w.trim_start_matches(">=").trim_start_matches('>');
        if w.contains('.') {
            let v: f32 = w
                .parse()
                .map_err(|_| FilterError::NotAScore(w.to_string()))?;
            min = Some(v);
            continue;
        }
        let labels = &state.project.schema.labels;
        let by_num = w
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| labels.get(i));
        let found = by_num.or_else(|| labels.iter().find(|l| l.name.eq_ignore_ascii_case(w)));
        match found {
            Some(l) => label = Some(l.name.clone()),
            None => {
                return Err(FilterError::NoLabel(w.to_string()));
            }
        }
    }
    Ok((label, min))
}

/// Keys while a suggestion prompt is open.
pub fn prompt_key(state: &mut State, prompt: Prompt, key: Key) -> Vec<Effect> {
    match prompt {
        Prompt::AcceptAll { mut input } => match key.code {
            Code::Esc => {
                state.info("nothing accepted");
                vec![]
            }
            Code::Enter => accept_all(state, &input),
            Code::Backspace => {
                input.pop();
                state.overlay = Overlay::Suggest(Prompt::AcceptAll { input });
                vec![]
            }
            _ => {
                if let Some(c) = key.typed() {
                    input.push(c);
                }
                state.overlay = Overlay::Suggest(Prompt::AcceptAll { input });
                vec![]
            }
        },
        Prompt::Trust {
            name,
            command,
            covers,
            mut input,
        } => match key.code {
            Code::Enter if input == "approve" => {
                vec![write(state, SuggestEffect::Approve { name, command })]
            }
            Code::Enter | Code::Esc => {
                state.info(format!(
                    "recommender {} stays off; `nhan suggest --approve` allows it later",
                    nhan_model::escape::line(&name)
                ));
                vec![]
            }
            code => {
                if code == Code::Backspace {
                    input.pop();
                } else if let Some(c) = key.typed() {
                    input.push(c);
                }
                state.overlay = Overlay::Suggest(Prompt::Trust {
                    name,
                    command,
                    covers,
                    input,
                });
                vec![]
            }
        },
    }
}

/// Accepts every suggestion of the article that passes the filter, as one
/// undoable edit.
fn accept_all(state: &mut State, input: &str) -> Vec<Effect> {
    let (label, min) = match parse_filter(state, input) {
        Ok(f) => f,
        Err(e) => {
            state.error(e.to_string());
            return vec![];
        }
    };
    if read_only(state) {
        return vec![];
    }
    let picked: Vec<Suggestion> = entry(state)
        .map(|e| {
            e.list
                .iter()
                .filter(|s| label.as_ref().is_none_or(|l| &s.label == l))
                .filter(|s| min.is_none_or(|m| s.score >= m))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut adds = Vec::new();
    let mut accepted = Vec::new();
    let mut skipped = 0;
    for s in picked {
        // Each is checked against the spans added before it, as they will be.
        match span_of(state, &s, &s.label.clone()) {
            Ok(edit) => {
                if let Some(art) = state.article_mut() {
                    art.doc.apply(&edit);
                }
                adds.push(edit);
                accepted.push(s);
            }
            Err(_) => skipped += 1,
        }
    }
    if let Some(art) = state.article_mut() {
        // Taken back out: `commit` applies them all again as one edit.
        art.doc.apply(&Edit::Batch(adds.clone()).invert());
    }
    let n = adds.len();
    let mut what = String::new();
    if let Some(l) = &label {
        what += &format!(" {l}");
    }
    let word = if n == 1 { "suggestion" } else { "suggestions" };
    if let Some(m) = min {
        what = format!("{what} {word} scored {m:.2} or more");
    } else {
        what = format!("{what} {word}");
    }
    if n == 0 {
        state.info(format!("no{what} to accept"));
        return vec![];
    }
    let effects = commit_accepted(state, &accepted, Edit::Batch(adds));
    let skip = if skipped > 0 {
        format!(", {skipped} skipped (would cross a span)")
    } else {
        String::new()
    };
    state.info(format!(
        "accepted {n}{what} as one step{skip} (u undoes all {n})"
    ));
    effects
}
