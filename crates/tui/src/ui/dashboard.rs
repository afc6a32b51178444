//! The dashboard (`%`): the project at a glance, drawn with ratatui's own
//! widgets from the figures `nhan stats` computes. Every distinction made
//! with colour is made with a fill symbol or a number too (`NO_COLOR`).

use super::theme::Theme;
use crate::app::dashboard::{View, lacking};
use crate::app::state::State;
use nhan_figures::counts::Stats;
use nhan_figures::overview::Overview;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Block, Borders, Cell, Clear, LineGauge, Paragraph, Row, Table,
};

/// Statuses as the stacked bar shows them: name, fill, colour.
const STATUSES: [(&str, &str, &str, Color); 4] = [
    ("todo", "todo", "░", Color::DarkGray),
    ("in_progress", "in progress", "▒", Color::Yellow),
    ("done", "done", "▓", Color::Blue),
    ("reviewed", "reviewed", "█", Color::Green),
];

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: Theme, view: View) {
    f.render_widget(Clear, area);
    let d = &state.dashboard;
    let status = match (&d.figures, d.complete) {
        (None, _) => " reading the project… ".to_string(),
        (Some(s), false) => format!(
            " reading… {} of {} articles ",
            s.by_status.values().sum::<u64>(),
            s.articles
        ),
        (Some(_), true) => String::new(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Project at a glance ")
        .title(Line::from(status).right_aligned())
        .title_bottom(" j/k label · Enter articles without it · Esc back ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(stats) = d.figures.as_deref() else {
        return;
    };
    // The bottom row grows to show every recommender and relation type
    // when there is room; the labels above keep at least ten rows.
    let o = &stats.overview;
    let relation_rows = if o.relations.is_empty() {
        0
    } else {
        2 + o.relations.len()
    };
    let wanted = (o.suggestions.len() + 1).max(1) + relation_rows + 2;
    let room = usize::from(inner.height.saturating_sub(3 + 10));
    let bottom_height = u16::try_from(wanted.min(room).max(7)).unwrap_or(7);
    let rows = Layout::vertical([
        Constraint::Length(3),
        Constraint::Fill(1),
        Constraint::Length(bottom_height),
    ])
    .split(inner);
    progress(f, rows[0], stats, theme);
    let middle =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).split(rows[1]);
    if view.lacking {
        lacking_list(f, middle[0], stats, d.complete, view);
    } else {
        labels(f, middle[0], state, stats, theme, view);
    }
    annotators(f, middle[1], &stats.overview, theme);
    let bottom =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).split(rows[2]);
    agreement(f, bottom[0], &stats.overview, d.complete, theme);
    suggestions(f, bottom[1], &stats.overview, theme);
}

fn coloured(theme: Theme, c: Color) -> Style {
    if theme.color {
        Style::default().fg(c)
    } else {
        Style::default()
    }
}

/// Articles by status as one stacked bar, and spans decided in review.
fn progress(f: &mut Frame, area: Rect, stats: &Stats, theme: Theme) {
    let count = |k: &str| stats.by_status.get(k).copied().unwrap_or(0);
    let mut legend = vec![Span::styled(
        format!("{} articles: ", stats.articles),
        Style::default().add_modifier(Modifier::BOLD),
    )];
    for (k, name, fill, c) in STATUSES {
        legend.push(Span::styled(fill, coloured(theme, c)));
        legend.push(Span::raw(format!(" {name} {}  ", count(k))));
    }
    let width = u64::from(area.width);
    let total: u64 = STATUSES.iter().map(|s| count(s.0)).sum::<u64>().max(1);
    let mut bar = Vec::new();
    let mut used = 0;
    for (i, (k, _, fill, c)) in STATUSES.iter().enumerate() {
        // Cells by rounding the running sum: the bar always fills the row.
        let upto = if i + 1 == STATUSES.len() {
            if used < width && total > 0 && STATUSES.iter().any(|s| count(s.0) > 0) {
                width
            } else {
                used
            }
        } else {
            (STATUSES[..=i].iter().map(|s| count(s.0)).sum::<u64>() * width + total / 2) / total
        };
        let n = upto.saturating_sub(used);
        if count(k) > 0 || n > 0 {
            bar.push(Span::styled(fill.repeat(n as usize), coloured(theme, *c)));
        }
        used = upto.max(used);
    }
    let o = &stats.overview;
    let spans = o.decided + o.undecided;
    let ratio = if spans == 0 {
        0.0
    } else {
        o.decided as f64 / spans as f64
    };
    let gauge = LineGauge::default()
        .ratio(ratio)
        .label(format!("spans decided {} of {spans}", o.decided))
        .filled_symbol("█")
        .unfilled_symbol("░")
        .filled_style(coloured(theme, Color::Green))
        .unfilled_style(coloured(theme, Color::DarkGray));
    let r = Layout::vertical([Constraint::Length(1); 3]).split(area);
    f.render_widget(Paragraph::new(Line::from(legend)), r[0]);
    f.render_widget(Paragraph::new(Line::from(bar)), r[1]);
    f.render_widget(gauge, r[2]);
}

/// Spans per label, bars in the labels' own colours; the chosen one marked.
fn labels(f: &mut Frame, area: Rect, state: &State, stats: &Stats, theme: Theme, view: View) {
    let schema = &state.project.schema;
    let bars: Vec<Bar> = stats
        .overview
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let place = schema.index_of(&l.label);
            let colour = place.and_then(|p| schema.labels[p].color.as_deref());
            let style = theme.label(colour, place.unwrap_or(i));
            let mark = if i == view.label { "›" } else { " " };
            let name = Line::from(format!(
                "{mark}{:<6}{:>7}{:>7} ",
                l.label, l.spans, l.articles_without
            ))
            .style(if i == view.label {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            });
            Bar::default()
                .value(l.spans)
                .label(name)
                .text_value("")
                .style(style)
                .value_style(style.add_modifier(Modifier::REVERSED))
        })
        .collect();
    let chart = BarChart::default()
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Spans per label · articles without "),
        )
        .direction(Direction::Horizontal)
        .bar_width(1)
        .bar_gap(0)
        .data(BarGroup::default().bars(&bars));
    f.render_widget(chart, area);
}

fn lacking_list(f: &mut Frame, area: Rect, stats: &Stats, complete: bool, view: View) {
    let label = stats
        .overview
        .labels
        .get(view.label)
        .map_or("", |l| l.label.as_str());
    let lines: Vec<Line> = if complete {
        let names = lacking(stats, view.label);
        if names.is_empty() {
            vec![Line::from("every article has one")]
        } else {
            names.into_iter().map(Line::from).collect()
        }
    } else {
        vec![Line::from("listed when the figures are complete")]
    };
    let p = Paragraph::new(lines)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" Articles without {label} (Enter: back) ")),
        )
        .scroll((view.scroll, 0));
    f.render_widget(p, area);
}

/// Agreement as a heatmap cell: the figure, on a colour from red to green.
fn heat(theme: Theme, v: Option<f64>) -> Cell<'static> {
    let Some(v) = v else {
        return Cell::from("  –");
    };
    let text = format!("{v:>5.2}");
    if !theme.color {
        return Cell::from(text);
    }
    let bg = if v >= 0.8 {
        Color::Green
    } else if v >= 0.6 {
        Color::Yellow
    } else {
        Color::Red
    };
    Cell::from(text).style(Style::default().bg(bg).fg(Color::Black))
}

/// Articles and spans per annotator; in a blind project, Cohen's κ of each
/// pair as a heatmap.
fn annotators(f: &mut Frame, area: Rect, o: &Overview, theme: Theme) {
    let block = Block::default().borders(Borders::ALL).title(" Annotators ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let people = o.annotators.len() as u16;
    let parts =
        Layout::vertical([Constraint::Length(people + 1), Constraint::Fill(1)]).split(inner);
    let rows = o.annotators.iter().map(|a| {
        Row::new([
            Cell::from(a.annotator.clone()),
            Cell::from(format!("{:>8}", a.articles)),
            Cell::from(format!("{:>8}", a.spans)),
        ])
    });
    let head = Row::new(["", "articles", "   spans"]).style(theme.dim());
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(8),
        Constraint::Length(8),
    ];
    f.render_widget(Table::new(rows, widths).header(head), parts[0]);
    let Some(ag) = o.agreement.as_ref().filter(|a| a.error.is_none()) else {
        return;
    };
    let kappa = |a: &str, b: &str| {
        ag.pairs
            .iter()
            .find(|p| (p.reference == a && p.other == b) || (p.reference == b && p.other == a))
            .and_then(|p| p.cohen_kappa)
    };
    let head = Row::new(
        std::iter::once(Cell::from("κ")).chain(ag.annotators.iter().map(|a| Cell::from(a.clone()))),
    )
    .style(theme.dim());
    let rows = ag.annotators.iter().map(|a| {
        Row::new(
            std::iter::once(Cell::from(a.clone())).chain(ag.annotators.iter().map(|b| {
                if a == b {
                    Cell::from("")
                } else {
                    heat(theme, kappa(a, b))
                }
            })),
        )
    });
    let widths = std::iter::once(Constraint::Length(8))
        .chain(ag.annotators.iter().map(|_| Constraint::Length(6)));
    f.render_widget(Table::new(rows, widths).header(head), parts[1]);
}

/// Strict span F1 per label over every pair of annotators, worst first.
fn agreement(f: &mut Frame, area: Rect, o: &Overview, complete: bool, theme: Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Agreement per label (F1) ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let note = |s: &str| Paragraph::new(s.to_string()).wrap(ratatui::widgets::Wrap { trim: true });
    let ag = match (&o.agreement, complete) {
        (_, false) => return f.render_widget(note("computed at the end of the pass"), inner),
        (None, true) => {
            return f.render_widget(
                note("needs two annotators' work (annotations/<name>/)"),
                inner,
            );
        }
        (Some(a), true) => a,
    };
    if let Some(e) = &ag.error {
        return f.render_widget(note(e), inner);
    }
    for (i, l) in ag.labels.iter().take(inner.height as usize).enumerate() {
        let r = Rect {
            y: inner.y + i as u16,
            height: 1,
            ..inner
        };
        let c = if l.strict_f1 >= 0.8 {
            Color::Green
        } else if l.strict_f1 >= 0.6 {
            Color::Yellow
        } else {
            Color::Red
        };
        let g = LineGauge::default()
            .ratio(l.strict_f1.clamp(0.0, 1.0))
            .label(format!("{:<6} {:.2}", l.label, l.strict_f1))
            .filled_symbol("█")
            .unfilled_symbol("░")
            .filled_style(coloured(theme, c))
            .unfilled_style(coloured(theme, Color::DarkGray));
        f.render_widget(g, r);
    }
}

/// Suggestions accepted and rejected per recommender; relations per type
/// when the project has any.
fn suggestions(f: &mut Frame, area: Rect, o: &Overview, theme: Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(if o.relations.is_empty() {
            " Suggestions "
        } else {
            " Suggestions · relations "
        });
    let inner = block.inner(area);
    f.render_widget(block, area);
    if o.suggestions.is_empty() {
        f.render_widget(Paragraph::new("none accepted or rejected yet"), inner);
    } else {
        let head = Row::new(["recommender", "accepted", "rejected"]).style(theme.dim());
        let rows = o.suggestions.iter().map(|s| {
            Row::new([
                Cell::from(s.recommender.clone()),
                Cell::from(format!("{:>8}", s.accepted)).style(theme.ok()),
                Cell::from(format!("{:>8}", s.rejected)).style(theme.error()),
            ])
        });
        let widths = [
            Constraint::Fill(1),
            Constraint::Length(8),
            Constraint::Length(8),
        ];
        f.render_widget(Table::new(rows, widths).header(head), inner);
    }
    // Relations per type, under the suggestions after a blank line.
    if !o.relations.is_empty() {
        let rows = o.relations.iter().map(|r| {
            Row::new([
                Cell::from(r.relation.clone()),
                Cell::from(format!("{:>8}", r.count)),
            ])
        });
        // The rows above: the message, or the header and one per recommender.
        let above = o.suggestions.len().max(1) as u16 + u16::from(!o.suggestions.is_empty());
        let at = Rect {
            y: inner.y + above + 1,
            height: inner.height.saturating_sub(above + 1),
            ..inner
        };
        let head = Row::new(["relation", "   count"]).style(theme.dim());
        f.render_widget(
            Table::new(rows, [Constraint::Fill(1), Constraint::Length(8)]).header(head),
            at,
        );
    }
}
