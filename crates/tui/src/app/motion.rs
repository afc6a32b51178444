//! Cursor, selection, scrolling and search: everything that moves without
//! changing the document.

use super::action::Action;
use super::geometry;
use super::keys::{Code, Key};
use super::msg::Effect;
use super::state::{Edge, LastSearch, OpenArticle, Overlay, Selection, State, Step};
use nhan_model::search::{Fold, SearchIndex};
use nhan_model::tokens::Tokens;

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

fn page_height(state: &State) -> usize {
    (geometry::text_inner(state.size, state.mode).height as usize).max(1)
}

/// The handler of every command that moves the cursor or the selection.
pub fn run(state: &mut State, a: Action) -> Vec<Effect> {
    use Action::*;
    // While the next selection is built, what an earlier key said ("tagged
    // PER …") no longer describes the screen: it goes. Errors stay until
    // read (Esc) or replaced.
    let building = matches!(
        a,
        Select
            | ExtendLeft
            | ExtendRight
            | GraphemeLeft
            | GraphemeRight
            | SwapEdge
            | SelectName
            | NextName
            | ExtendToPhraseEnd
            | SelectInside
    );
    if building
        && !state.message_fresh
        && state
            .message
            .as_ref()
            .is_some_and(|m| m.kind == super::state::MessageKind::Info)
    {
        state.message = None;
    }
    motion_action(state, a);
    vec![]
}

/// `/`: the search prompt, keeping the last search's `Alt-c` setting.
pub fn open_search(state: &mut State) -> Vec<Effect> {
    let exact = state.last_search.as_ref().is_some_and(|s| s.exact);
    state.overlay = Overlay::Search {
        input: String::new(),
        exact,
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
        // With a selection, `h` / `l` end it and go on from its edge, as
        // arrow keys do in most editors (`H` / `L` move the edge).
        TokenLeft => {
            let from = art
                .selection
                .map_or(art.cursor, |s| s.start.min(art.cursor));
            art.selection = None;
            if let Some(i) = toks.before(from) {
                art.cursor = toks.get(i).start;
            }
        }
        TokenRight => {
            // The last char of the selection, or the cursor past it (after
            // a tag the cursor already waits after the span).
            let from = art
                .selection
                .map_or(art.cursor, |s| (s.end - 1).max(art.cursor));
            art.selection = None;
            let mut i = toks.at_or_after(from);
            if let Some(j) = i.filter(|&j| toks.get(j).start <= from) {
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
        LineStart => {
            art.selection = None;
            let row = art.layout.row_of_char(art.cursor);
            let first = art.layout.char_at(row, 0);
            // The row's first word: a wrapped row may begin with spaces.
            art.cursor = toks
                .at_or_after(first)
                .map(|i| toks.get(i).start.max(first))
                .filter(|&c| c <= art.cursor.max(first))
                .unwrap_or(first);
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
            // A span's selection (just tagged, `]`) is not one being
            // made: `v` starts a new one at the cursor, past the span.
            art.selection = match art.selection {
                Some(s) if s.origin.is_none() => None,
                _ => selection_at_cursor(art, Edge::End),
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
                    doc.text().prev_grapheme(c)
                } else {
                    doc.text().next_grapheme(c)
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
                    art.cursor =
                        step(art.cursor).min(doc.text().prev_grapheme(doc.text().len_chars()))
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
        SelectName => select_name(state),
        SelectInside => select_inside(state),
        NextName => {
            let from = art
                .selection
                .map_or(art.cursor, |s| s.end.max(art.cursor + 1));
            select_next_name(state, from);
        }
        ExtendToPhraseEnd => {
            let sel = art
                .selection
                .or_else(|| selection_at_cursor(art, Edge::End));
            if let Some(mut sel) = sel {
                if let Some(mut i) = toks.before(sel.end) {
                    while same_phrase(doc, i) {
                        i += 1;
                    }
                    sel.end = toks.get(i).end;
                    sel.active = Edge::End;
                }
                art.selection = Some(sel);
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
            // The start of the token after the one the start is in.
            let next_start = toks
                .at_or_after(sel.start)
                .map(|i| i + 1)
                .filter(|&j| j < toks.len())
                .map(|j| toks.get(j).start);
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

/// Whether token `i` is a word that starts with a capital letter.
fn capitalised(doc: &nhan_model::document::Document, i: usize) -> bool {
    let t = doc.tokens().get(i);
    doc.text()
        .slice(t.start, t.end)
        .chars()
        .next()
        .is_some_and(char::is_uppercase)
}

/// Whether token `i + 1` follows token `i` in the same phrase: a word
/// after nothing but spaces (no line break), or a mark inside a word such
/// as the `-` and `/` of "34-NQ/TW" and "08/08/2022" (glued on both sides).
fn same_phrase(doc: &nhan_model::document::Document, i: usize) -> bool {
    let toks = doc.tokens();
    if i + 1 >= toks.len() {
        return false;
    }
    let (a, b) = (toks.get(i), toks.get(i + 1));
    let word = |r: &std::ops::Range<usize>| {
        doc.text()
            .slice(r.start, r.end)
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
    };
    if word(&b) {
        return !doc.text().slice(a.end, b.start).contains(['\n', '\r']);
    }
    let glued_word_after = i + 2 < toks.len() && {
        let c = toks.get(i + 2);
        c.start == b.end && word(&c)
    };
    a.end == b.start && glued_word_after
}

/// The last token of the run of capitalised words that token `i` starts.
fn run_end(doc: &nhan_model::document::Document, mut i: usize) -> usize {
    while same_phrase(doc, i) && capitalised(doc, i + 1) {
        i += 1;
    }
    i
}

/// How many tokens `e` looks ahead for a capitalised word: a key stays
/// fast in an article without one.
const NAME_REACH: usize = 5_000;

/// `e`: most Vietnamese names, places and organisations are runs of
/// capitalised syllables ("Nguyễn Phú Trọng"), or such runs joined by a
/// few lower-case ones ("Ban Đối ngoại Trung ương"). The first press
/// selects from the cursor's capitalised word (or the next one) to the end
/// of its run; each further press grows the selection over the lower-case
/// words after it to the end of the next run in the same phrase, and at
/// the phrase's end (punctuation, a line break) selects the next name
/// instead, so that `e` also skips from name to name. A span's
/// selection is not grown: on a span the cursor is on (`]`, `[`), `e`
/// selects inside it as `i` does (an inner span ends where its outer one
/// does: "Ủy viên [Bộ Chính trị]"), or the name after it if there is none;
/// after a tag (the cursor waits past the span) it looks on from the
/// cursor.
fn select_name(state: &mut State) {
    let Some(art) = state.article_mut() else {
        return;
    };
    let doc = &art.doc;
    let toks = doc.tokens();
    let on_span = art
        .selection
        .filter(|s| s.origin.is_some() && (s.start..s.end).contains(&art.cursor));
    if let Some(sel) = on_span {
        match inside(doc, sel) {
            Some(start) => art.selection = Some(Selection::of_range(start, sel.end, None)),
            None => select_next_name(state, sel.end),
        }
        return;
    }
    let growing = art.selection.filter(|s| s.origin.is_none());
    if let Some(sel) = growing {
        let Some(mut i) = toks.before(sel.end) else {
            return;
        };
        while same_phrase(doc, i) {
            i += 1;
            if capitalised(doc, i) {
                let end = toks.get(run_end(doc, i)).end;
                art.selection = Some(Selection {
                    end,
                    active: Edge::End,
                    ..sel
                });
                return;
            }
        }
        // At the end of the phrase: on to the next name.
        return select_next_name(state, sel.end);
    }
    let from = art.cursor;
    select_next_name(state, from);
}

/// Where a selection inside `sel` starts: its next capitalised word past
/// the first one (the next word if none is capitalised), the end kept.
fn inside(doc: &nhan_model::document::Document, sel: Selection) -> Option<usize> {
    let toks = doc.tokens();
    let first = toks.at_or_after(sel.start)?;
    let words: Vec<usize> = (first + 1..toks.len())
        .take_while(|&i| toks.get(i).start < sel.end)
        .filter(|&i| {
            let t = toks.get(i);
            doc.text()
                .slice(t.start, t.end)
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
        })
        .collect();
    let i = words
        .iter()
        .copied()
        .find(|&i| capitalised(doc, i))
        .or(words.first().copied())?;
    Some(toks.get(i).start)
}

/// `i`: a selection inside the selected span or selection (or the
/// innermost span at the cursor), from its next capitalised word to its
/// end: nested names end together ("Ủy viên Ban Chấp hành Đảng bộ Bộ
/// Ngoại giao" holds "Ban Chấp hành …", "Đảng bộ …", "Bộ Ngoại giao").
/// Again: one name further in. A digit then tags it as a new span.
fn select_inside(state: &mut State) {
    let Some(art) = state.article_mut() else {
        return;
    };
    let doc = &art.doc;
    let outer = art.selection.or_else(|| {
        doc.spans()
            .innermost_at(art.cursor)
            .map(|s| Selection::of_range(s.start, s.end, Some(s.id)))
    });
    let Some(outer) = outer else {
        state.info("nothing to select inside: select a span first (] or [), then i");
        return;
    };
    match inside(doc, outer) {
        Some(start) => art.selection = Some(Selection::of_range(start, outer.end, None)),
        None => {
            let what = doc.text().slice(outer.start, outer.end).to_string();
            state.info(format!("nothing inside “{what}” past its first word"));
        }
    }
}

/// Selects the run of capitalised words at or after char `from` (from
/// `from` on, if it is inside the run's first word).
fn select_next_name(state: &mut State, from: usize) {
    let Some(art) = state.article_mut() else {
        return;
    };
    let doc = &art.doc;
    let toks = doc.tokens();
    let first = toks
        .at_or_after(from)
        .and_then(|i| (i..toks.len().min(i + NAME_REACH)).find(|&i| capitalised(doc, i)));
    match first {
        Some(i) => {
            let start = toks.get(i).start.max(from);
            let end = toks.get(run_end(doc, i)).end;
            art.selection = Some(Selection::of_range(start, end, None));
        }
        None => state.info("no capitalised word further on"),
    }
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
        .map_or_else(|| art.doc.text().next_grapheme(hi), |i| toks.get(i).end);
    art.selection = Some(Selection::of_range(start, end, None));
    art.cursor = start;
}

/// The span after (or before) `cur` in reading order: by start, and at the
/// same start the outer span before the inner one.
fn neighbour_span(
    spans: &nhan_model::span::SpanStore,
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
    let spans = art.doc.spans();
    // From the selected span when the cursor is on it (`]`, `[`), else
    // from the cursor: after a tag it waits past the span, so `[` selects
    // the span before it, the one just tagged (or its innermost part).
    let cur = art
        .selection
        .filter(|s| (s.start..s.end).contains(&art.cursor))
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
    match found.and_then(|i| Some((i, spans.nth(i)?.clone()))) {
        Some((i, s)) => {
            art.selection = Some(Selection::of_range(s.start, s.end, Some(s.id)));
            let total = spans.len();
            // Its place in reading order: spans sharing a start are stored
            // inner first but read outer first.
            let lo = spans.partition_point(|x| x.start < s.start);
            let hi = spans.partition_point(|x| x.start <= s.start);
            let number = lo + (hi - i);
            state.info(format!(
                "span {number} of {total}: {} “{}”",
                s.label, s.text
            ));
        }
        None if spans.is_empty() => state.error("no spans in this article yet"),
        None => state.info(if forward {
            "no more spans after this one"
        } else {
            "no spans before this one"
        }),
    }
}

/// What a search for `query` ignores: smart unless `exact`.
pub fn search_fold(query: &str, exact: bool) -> Fold {
    if exact {
        Fold::EXACT
    } else {
        Fold::smart(query)
    }
}

pub fn run_search(state: &mut State, query: &str, exact: bool) {
    if query.is_empty() {
        return;
    }
    let fold = search_fold(query, exact);
    let Some(art) = state.article_mut() else {
        return;
    };
    if art.search_index.as_ref().is_none_or(|i| i.fold() != fold) {
        art.search_index = Some(SearchIndex::with_fold(art.doc.text(), fold));
    }
    let matches = art
        .search_index
        .as_ref()
        .map(|i| i.find_all(query))
        .unwrap_or_default();
    state.last_search = Some(LastSearch {
        query: query.into(),
        exact,
        fold,
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
        state.error(format!(
            "no match for “{}” ({}; Alt-c in the prompt toggles exact)",
            last.query,
            last.fold.describe()
        ));
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

/// A key in the search prompt: typing edits the query, `Alt-c` toggles an
/// exact (accent- and case-sensitive) search, Enter searches, Esc closes.
pub fn search_key(state: &mut State, key: Key, mut input: String, mut exact: bool) -> Vec<Effect> {
    match key.code {
        Code::Esc => return vec![],
        Code::Enter => {
            run_search(state, &input, exact);
            return vec![];
        }
        Code::Backspace => {
            input.pop();
        }
        Code::Char('c') if key.mods.alt => exact = !exact,
        _ => {
            if let Some(c) = key.typed() {
                input.push(c);
            }
        }
    }
    state.overlay = Overlay::Search { input, exact };
    vec![]
}
