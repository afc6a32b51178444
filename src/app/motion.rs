//! Cursor, selection, scrolling and search: everything that moves without
//! changing the document.

use super::action::Action;
use super::geometry;
use super::state::{LastSearch, OpenArticle, Selection, State};
use super::update::{error, info};
use crate::core::search::SearchIndex;

/// The char the view follows: the moving selection edge, or the cursor.
fn focus_char(art: &OpenArticle) -> usize {
    match art.selection {
        Some(s) if s.head > s.anchor.0 => s.head.saturating_sub(1).max(s.anchor.0),
        Some(s) => s.head,
        None => art.cursor,
    }
}

/// Scrolls so the focused char's row is on screen.
pub fn follow(art: &mut OpenArticle, height: usize) {
    let height = height.max(1);
    let row = art.layout.row_of_char(focus_char(art));
    if row < art.scroll {
        art.scroll = row;
    } else if row >= art.scroll + height {
        art.scroll = row + 1 - height;
    }
    art.scroll = art.scroll.min(art.layout.rows().saturating_sub(1));
}

fn page_height(state: &State) -> usize {
    (geometry::text_inner(state.size).height as usize).max(1)
}

pub fn motion_action(state: &mut State, a: Action) {
    let page = page_height(state);
    let Some(art) = state.article_mut() else { return };
    let doc = &art.doc;
    let toks = &doc.tokens;
    use Action::*;
    match a {
        TokenLeft => {
            art.selection = None;
            if let Some(i) = toks.before(art.cursor) {
                art.cursor = toks.get(i).start;
            }
        }
        TokenRight => {
            art.selection = None;
            let mut i = toks.at_or_after(art.cursor);
            if let Some(j) = i.filter(|&j| toks.get(j).start <= art.cursor) {
                i = (j + 1 < toks.len()).then_some(j + 1);
            }
            if let Some(i) = i {
                art.cursor = toks.get(i).start;
            }
        }
        LineDown | LineUp | PageDown | PageUp => {
            let rows = match a {
                LineDown => 1,
                LineUp => -1,
                PageDown => page.saturating_sub(1).max(1) as isize,
                _ => -(page.saturating_sub(1).max(1) as isize),
            };
            art.selection = None;
            let row = art.layout.row_of_char(art.cursor);
            let col = art.layout.col_of_char(art.cursor);
            let target = (row as isize + rows).clamp(0, art.layout.rows() as isize - 1) as usize;
            if matches!(a, PageDown | PageUp) {
                art.scroll = (art.scroll as isize + rows).clamp(0, art.layout.rows() as isize - 1) as usize;
            }
            art.cursor = art.layout.char_at(target, col);
        }
        Top => {
            art.selection = None;
            art.cursor = toks.iter().next().map_or(0, |t| t.start);
        }
        Bottom => {
            art.selection = None;
            art.cursor = toks.iter().last().map_or(0, |t| t.start);
        }
        Select => {
            art.selection = match art.selection {
                Some(_) => None,
                None => selection_at_cursor(art),
            };
        }
        ExtendLeft | ExtendRight => {
            let Some(mut sel) = art.selection.or_else(|| selection_at_cursor(art)) else { return };
            let (a0, a1) = sel.anchor;
            let h = sel.head;
            sel.head = if a == ExtendRight {
                if h < a1 {
                    // Left edge moving right: to the next token start.
                    toks.at_or_after(h + 1).map(|i| toks.get(i).start).filter(|&s| s <= a1).unwrap_or(a1)
                } else {
                    toks.at_or_after(h).map_or(h, |i| toks.get(i).end)
                }
            } else if h > a0 {
                // Right edge moving left: to the previous token end.
                toks.before(h.saturating_sub(1)).map(|i| toks.get(i).end).filter(|&e| e >= a0).unwrap_or(a0)
            } else {
                toks.before(h).map_or(h, |i| toks.get(i).start)
            };
            art.selection = Some(sel);
        }
        GraphemeLeft | GraphemeRight => {
            let step = |c: usize| if a == GraphemeLeft { doc.text.prev_grapheme(c) } else { doc.text.next_grapheme(c) };
            match &mut art.selection {
                Some(sel) => sel.head = step(sel.head),
                None => art.cursor = step(art.cursor).min(doc.text.len_chars().saturating_sub(1)),
            }
        }
        SwapEdge => {
            if let Some(sel) = &mut art.selection {
                let (s, e) = sel.range();
                if sel.head >= e {
                    *sel = Selection { anchor: (e, e), head: s, origin: sel.origin };
                } else {
                    *sel = Selection { anchor: (s, s), head: e, origin: sel.origin };
                }
            }
        }
        NextSpan | PrevSpan => step_span(state, a == NextSpan),
        SearchNext | SearchPrev => search_step(state, a == SearchNext),
        _ => {}
    }
    if let Some(art) = state.article_mut() {
        if let Some(sel) = art.selection {
            art.cursor = sel.range().0;
        }
        follow(art, page);
    }
}

/// `v`: from the cursor to the end of its token.
fn selection_at_cursor(art: &OpenArticle) -> Option<Selection> {
    let toks = &art.doc.tokens;
    let t = toks.get(toks.at_or_after(art.cursor)?);
    let start = t.start.max(art.cursor);
    Some(Selection { anchor: (start, t.end), head: t.end, origin: None })
}

/// A mouse drag from char `a` to char `b`, widened to whole tokens.
pub fn select_between(art: &mut OpenArticle, a: usize, b: usize) {
    let toks = &art.doc.tokens;
    let (lo, hi) = (a.min(b), a.max(b));
    let start = toks.containing(lo).map_or(lo, |i| toks.get(i).start);
    let end = toks.containing(hi).map_or_else(|| art.doc.text.next_grapheme(hi), |i| toks.get(i).end);
    art.selection = Some(Selection::of_range(start, end, None));
    art.cursor = start;
}

fn step_span(state: &mut State, forward: bool) {
    let Some(art) = state.article_mut() else { return };
    let spans = art.doc.spans.as_slice();
    let here = art.selection.and_then(|s| s.origin).and_then(|id| spans.iter().position(|s| s.id == id));
    let next = match (here, forward) {
        (Some(i), true) => spans.get(i + 1),
        (Some(i), false) => i.checked_sub(1).map(|i| &spans[i]),
        (None, true) => spans.iter().find(|s| s.start >= art.cursor),
        (None, false) => spans.iter().rev().find(|s| s.start < art.cursor),
    };
    match next.cloned() {
        Some(s) => {
            art.selection = Some(Selection::of_range(s.start, s.end, Some(s.id)));
            let n = spans.iter().position(|x| x.id == s.id).map_or(0, |i| i + 1);
            let total = spans.len();
            info(state, format!("span {n}/{total}: {} “{}”", s.label, s.text));
        }
        None if spans.is_empty() => error(state, "no spans in this article yet"),
        None => info(state, if forward { "no more spans after this one" } else { "no spans before this one" }),
    }
}

pub fn run_search(state: &mut State, query: &str, case_insensitive: bool) {
    if query.is_empty() {
        return;
    }
    let Some(art) = state.article_mut() else { return };
    if art.search_index.as_ref().is_none_or(|i| i.case_insensitive != case_insensitive) {
        art.search_index = Some(SearchIndex::new(&art.doc.text, case_insensitive));
    }
    let matches = art.search_index.as_ref().map(|i| i.find_all(query)).unwrap_or_default();
    state.last_search = Some(LastSearch { query: query.into(), case_insensitive, matches });
    if let Some(art) = state.article_mut() {
        art.selection = None;
    }
    // A match starting at the cursor counts as the next one.
    search_step_from(state, true, true);
}

fn search_step(state: &mut State, forward: bool) {
    search_step_from(state, forward, false)
}

fn search_step_from(state: &mut State, forward: bool, inclusive: bool) {
    let Some(last) = state.last_search.clone() else {
        error(state, "no search yet: press / to search");
        return;
    };
    let page = page_height(state);
    let Some(art) = state.article_mut() else { return };
    if last.matches.is_empty() {
        let ci = if last.case_insensitive { " (ignoring case)" } else { "" };
        error(state, format!("no match for “{}”{ci}", last.query));
        return;
    }
    let at = art.selection.map_or(art.cursor, |s| s.range().0);
    let m = &last.matches;
    let (i, wrapped) = if forward {
        match m.iter().position(|&(s, _)| if inclusive { s >= at } else { s > at }) {
            Some(i) => (i, false),
            None => (0, true),
        }
    } else {
        match m.iter().rposition(|&(s, _)| s < at) {
            Some(i) => (i, false),
            None => (m.len() - 1, true),
        }
    };
    let (s, e) = m[i];
    art.selection = Some(Selection::of_range(s, e, None));
    art.cursor = s;
    follow(art, page);
    let w = if wrapped { " (wrapped)" } else { "" };
    info(state, format!("match {}/{} for “{}”{w}", i + 1, m.len(), last.query));
}
