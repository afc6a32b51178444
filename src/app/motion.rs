//! Cursor, selection, scrolling and search: everything that moves without
//! changing the document.

use super::action::Action;
use super::geometry;
use super::msg::Effect;
use super::state::{Edge, LastSearch, OpenArticle, Overlay, Selection, State, Step};
use crate::core::search::SearchIndex;
use crate::core::tokens::Tokens;
use crate::view::wrap::Layout;

/// The char the view follows: the moving selection edge, or the cursor.
fn focus_char(art: &OpenArticle) -> usize {
    match art.selection {
        Some(s) if s.active == Edge::End => s.end.saturating_sub(1).max(s.start),
        Some(s) => s.start,
        None => art.cursor,
    }
}

/// Scrolls so the focused char's row is on screen, wrapping the layout as
/// far as the screen shows: rendering reads only rows wrapped here. (Not a
/// page further: paging wraps its page in well under a millisecond, while
/// every tag in a long paragraph would re-wrap the extra page.)
pub fn follow(art: &mut OpenArticle, height: usize) {
    let height = height.max(1);
    let focus = focus_char(art);
    // The renderer draws the cursor: its row is wrapped here too.
    art.layout.row_of_char(focus.max(art.cursor));
    let row = art.layout.row_of_char(focus);
    if row < art.scroll {
        art.scroll = row;
    } else if row >= art.scroll + height {
        art.scroll = row + 1 - height;
    }
    art.layout
        .ensure_rows(art.scroll.saturating_add(height + 1));
    art.scroll = art.scroll.min(art.layout.rows().saturating_sub(1));
}

/// Re-wraps the current article if the width changed, and scrolls so the
/// cursor is visible (wrapping as far as that needs).
pub fn refresh_view(state: &mut State) {
    let inner = geometry::text_inner(state.size, state.mode);
    let (w, h) = (inner.width.max(1), inner.height as usize);
    if let Some(art) = state.article_mut() {
        if art.layout.width != w || art.layout.rows() == 0 {
            // Only the first screen; `follow` wraps on to the cursor.
            art.layout = Layout::up_to_with(&art.doc, w, h, art.layout.ghosts());
        }
        follow(art, h);
    }
}

fn page_height(state: &State) -> usize {
    (geometry::text_inner(state.size, state.mode).height as usize).max(1)
}

/// The handler of every command that moves the cursor or the selection.
pub fn run(state: &mut State, a: Action) -> Vec<Effect> {
    motion_action(state, a);
    vec![]
}

/// `/`: the search prompt, keeping the last search's case setting.
pub fn open_search(state: &mut State) -> Vec<Effect> {
    let case_insensitive = state
        .last_search
        .as_ref()
        .is_some_and(|s| s.case_insensitive);
    state.overlay = Overlay::Search {
        input: String::new(),
        case_insensitive,
    };
    vec![]
}

pub fn motion_action(state: &mut State, a: Action) {
    let page = page_height(state);
    let Some(art) = state.article_mut() else {
        return;
    };
    let doc = &art.doc;
    let toks = doc.tokens();
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
            // The rows moved to must be wrapped before the clamps below
            // read the row count.
            let reach = row.max(art.scroll) + rows.unsigned_abs() + 1;
            art.layout.ensure_rows(reach);
            let target = (row as isize + rows).clamp(0, art.layout.rows() as isize - 1) as usize;
            if matches!(a, PageDown | PageUp) {
                art.scroll =
                    (art.scroll as isize + rows).clamp(0, art.layout.rows() as isize - 1) as usize;
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
                None => selection_at_cursor(art, Edge::End),
            };
        }
        ExtendLeft | ExtendRight => {
            let dir = if a == ExtendLeft {
                Edge::Start
            } else {
                Edge::End
            };
            let Some(sel) = art.selection.or_else(|| selection_at_cursor(art, dir)) else {
                return;
            };
            art.selection = Some(extend(art.doc.tokens(), sel, a == ExtendRight));
        }
        GraphemeLeft | GraphemeRight => {
            let step = |c: usize| {
                if a == GraphemeLeft {
                    doc.text.prev_grapheme(c)
                } else {
                    doc.text.next_grapheme(c)
                }
            };
            match &mut art.selection {
                Some(sel) => {
                    let mut next = *sel;
                    match sel.active {
                        Edge::Start => next.start = step(sel.start),
                        Edge::End => next.end = step(sel.end),
                    }
                    // A selection never becomes empty.
                    if next.start < next.end {
                        *sel = next;
                    }
                }
                None => {
                    art.cursor = step(art.cursor).min(doc.text.prev_grapheme(doc.text.len_chars()))
                }
            }
        }
        SwapEdge => {
            if let Some(sel) = &mut art.selection {
                sel.active = match sel.active {
                    Edge::Start => Edge::End,
                    Edge::End => Edge::Start,
                };
            }
        }
        NextSpan => step_span(state, Step::Forward),
        PrevSpan => step_span(state, Step::Back),
        SearchNext => search_step_from(state, Step::Forward, Matches::After),
        SearchPrev => search_step_from(state, Step::Back, Matches::After),
        _ => {}
    }
    if let Some(art) = state.article_mut() {
        if let Some(sel) = art.selection {
            art.cursor = sel.start;
        }
        follow(art, page);
    }
}

/// `H` / `L`: move the active edge one token. An edge that would pass the
/// other one flips the selection to grow on the other side instead.
fn extend(toks: &Tokens, mut sel: Selection, right: bool) -> Selection {
    let next_end = |c: usize| toks.at_or_after(c).map(|i| toks.get(i).end);
    let prev_start = |c: usize| toks.before(c).map(|i| toks.get(i).start);
    match (sel.active, right) {
        (Edge::End, true) => sel.end = next_end(sel.end).unwrap_or(sel.end),
        (Edge::Start, false) => sel.start = prev_start(sel.start).unwrap_or(sel.start),
        (Edge::End, false) => {
            // The end of the token before the one that ends here.
            let prev_end = toks.before(sel.end).and_then(|i| {
                let t = toks.get(i);
                if t.end < sel.end {
                    Some(t.end)
                } else {
                    i.checked_sub(1).map(|j| toks.get(j).end)
                }
            });
            match prev_end.filter(|&e| e > sel.start) {
                Some(e) => sel.end = e,
                None => {
                    sel.active = Edge::Start;
                    sel.start = prev_start(sel.start).unwrap_or(sel.start);
                }
            }
        }
        (Edge::Start, true) => {
            let next_start = toks
                .at_or_after(sel.start + 1)
                .map(|i| toks.get(i).start)
                .filter(|&s| s > sel.start);
            match next_start.filter(|&s| s < sel.end) {
                Some(s) => sel.start = s,
                None => {
                    sel.active = Edge::End;
                    sel.end = next_end(sel.end).unwrap_or(sel.end);
                }
            }
        }
    }
    sel
}

/// `v`: from the cursor to the end of its token.
fn selection_at_cursor(art: &OpenArticle, active: Edge) -> Option<Selection> {
    let toks = art.doc.tokens();
    let t = toks.get(toks.at_or_after(art.cursor)?);
    Some(Selection {
        start: t.start.max(art.cursor),
        end: t.end,
        active,
        origin: None,
    })
}

/// A mouse drag from char `a` to char `b`, widened to whole tokens.
pub fn select_between(art: &mut OpenArticle, a: usize, b: usize) {
    let toks = art.doc.tokens();
    let (lo, hi) = (a.min(b), a.max(b));
    let start = toks.containing(lo).map_or(lo, |i| toks.get(i).start);
    let end = toks
        .containing(hi)
        .map_or_else(|| art.doc.text.next_grapheme(hi), |i| toks.get(i).end);
    art.selection = Some(Selection::of_range(start, end, None));
    art.cursor = start;
}

/// The span after (or before) `cur` in reading order: by start, and at the
/// same start the outer span before the inner one.
fn neighbour_span(
    spans: &crate::core::span::SpanStore,
    cur: (usize, usize),
    forward: bool,
) -> Option<usize> {
    let (s, e) = cur;
    // Spans sharing a start are contiguous, ordered by end.
    let group = |start: usize| {
        let lo = spans.partition_point(|x| x.start < start);
        let hi = spans.partition_point(|x| x.start <= start);
        lo..hi
    };
    let same = group(s);
    if forward {
        // An inner span at the same start (largest end below e) ...
        let end = |i: usize| spans.nth(i).map_or(0, |x| x.end);
        if let Some(i) = same.clone().rev().find(|&i| end(i) < e) {
            return Some(i);
        }
        // ... else the outermost span of the next start.
        let next = spans.partition_point(|x| x.start <= s);
        let next = spans.nth(next)?;
        Some(group(next.start).end - 1)
    } else {
        if let Some(i) = same
            .clone()
            .find(|&i| spans.nth(i).is_some_and(|x| x.end > e))
        {
            return Some(i);
        }
        let prev = spans.partition_point(|x| x.start < s).checked_sub(1)?;
        Some(group(spans.nth(prev)?.start).start)
    }
}

fn step_span(state: &mut State, step: Step) {
    let forward = step == Step::Forward;
    let Some(art) = state.article_mut() else {
        return;
    };
    let spans = &art.doc.spans;
    let cur = art
        .selection
        .and_then(|s| Some((s.origin?, s.range().0)))
        .and_then(|(id, near)| spans.find(id, near));
    let found = match cur {
        Some(c) => neighbour_span(spans, (c.start, c.end), forward),
        // From a bare cursor: the outermost span starting at or after it,
        // or the innermost one starting before it.
        None if forward => {
            let g = spans.partition_point(|x| x.start < art.cursor);
            let g = spans.nth(g).map(|x| x.start);
            g.map(|g| spans.partition_point(|x| x.start <= g) - 1)
        }
        None => neighbour_span(spans, (art.cursor, usize::MAX), false),
    };
    match found.and_then(|i| spans.nth(i)).cloned().map(|s| ((), s)) {
        Some((_, s)) => {
            art.selection = Some(Selection::of_range(s.start, s.end, Some(s.id)));
            let total = spans.len();
            state.info(format!("span of {total}: {} “{}”", s.label, s.text));
        }
        None if spans.is_empty() => state.error("no spans in this article yet"),
        None => state.info(if forward {
            "no more spans after this one"
        } else {
            "no spans before this one"
        }),
    }
}

pub fn run_search(state: &mut State, query: &str, case_insensitive: bool) {
    if query.is_empty() {
        return;
    }
    let Some(art) = state.article_mut() else {
        return;
    };
    if art
        .search_index
        .as_ref()
        .is_none_or(|i| i.case_insensitive != case_insensitive)
    {
        art.search_index = Some(SearchIndex::new(&art.doc.text, case_insensitive));
    }
    let matches = art
        .search_index
        .as_ref()
        .map(|i| i.find_all(query))
        .unwrap_or_default();
    state.last_search = Some(LastSearch {
        query: query.into(),
        case_insensitive,
        matches,
    });
    if let Some(art) = state.article_mut() {
        art.selection = None;
    }
    // A match starting at the cursor counts as the next one.
    search_step_from(state, Step::Forward, Matches::AtOrAfter);
}

/// Whether a search step may stay on a match at the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Matches {
    /// A new search: the match at the cursor counts.
    AtOrAfter,
    /// `n` / `N`: the next one past the cursor.
    After,
}

fn search_step_from(state: &mut State, step: Step, from: Matches) {
    let (forward, inclusive) = (step == Step::Forward, from == Matches::AtOrAfter);
    let Some(last) = state.last_search.clone() else {
        state.error("no search yet: press / to search");
        return;
    };
    let page = page_height(state);
    let Some(art) = state.article_mut() else {
        return;
    };
    if last.matches.is_empty() {
        let ci = if last.case_insensitive {
            " (ignoring case)"
        } else {
            ""
        };
        state.error(format!("no match for “{}”{ci}", last.query));
        return;
    }
    let at = art.selection.map_or(art.cursor, |s| s.range().0);
    let m = &last.matches;
    let (i, wrapped) = if forward {
        match m
            .iter()
            .position(|&(s, _)| if inclusive { s >= at } else { s > at })
        {
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
    state.info(format!(
        "match {}/{} for “{}”{w}",
        i + 1,
        m.len(),
        last.query
    ));
}
