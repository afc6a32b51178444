//! Colours and their NO_COLOR stand-ins: every distinction made with colour
//! is also made with brackets, reverse video or underline.

use ratatui::style::{Color, Modifier, Style};
use std::str::FromStr;

const PALETTE: [Color; 8] = [
    Color::Red,
    Color::Blue,
    Color::Green,
    Color::Yellow,
    Color::Magenta,
    Color::Cyan,
    Color::LightRed,
    Color::Gray,
];

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn label(&self, name: Option<&str>, index: usize) -> Style {
        if !self.color {
            return Style::default();
        }
        let c = name
            .and_then(|n| Color::from_str(n).ok())
            .unwrap_or(PALETTE[index % PALETTE.len()]);
        Style::default().fg(c)
    }

    pub fn span_text(&self, label: Style, depth: usize) -> Style {
        let s = label.add_modifier(Modifier::BOLD);
        if depth > 1 {
            s.add_modifier(Modifier::UNDERLINED)
        } else {
            s
        }
    }

    /// A suggestion's text and brackets: never bold (spans are), dim and
    /// italic in its label's colour; without colour its `{…}LABEL?`
    /// brackets and dim text set it apart.
    pub fn suggestion(&self, label: Style) -> Style {
        let s = Style::default().add_modifier(Modifier::DIM);
        if self.color {
            s.patch(label).add_modifier(Modifier::ITALIC)
        } else {
            s
        }
    }

    pub fn selection(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn cursor(&self) -> Style {
        if self.color {
            Style::default().bg(Color::DarkGray)
        } else {
            Style::default().add_modifier(Modifier::UNDERLINED)
        }
    }

    pub fn search_hit(&self) -> Style {
        if self.color {
            Style::default().bg(Color::Yellow).fg(Color::Black)
        } else {
            Style::default().add_modifier(Modifier::ITALIC)
        }
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default()
        }
    }

    pub fn error(&self) -> Style {
        if self.color {
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }

    pub fn ok(&self) -> Style {
        if self.color {
            Style::default().fg(Color::Green)
        } else {
            Style::default()
        }
    }

    /// A pane's border: thick (and coloured) when it has the focus, so the
    /// focus shows without colour too.
    pub fn pane<'a>(
        &self,
        block: ratatui::widgets::Block<'a>,
        focused: bool,
    ) -> ratatui::widgets::Block<'a> {
        if focused {
            block
                .border_type(ratatui::widgets::BorderType::Thick)
                .border_style(self.focused_border())
        } else {
            block
        }
    }

    pub fn focused_border(&self) -> Style {
        if self.color {
            Style::default().fg(Color::Cyan)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }

    pub fn status_bar(&self) -> Style {
        if self.color {
            Style::default().bg(Color::Indexed(236)).fg(Color::White)
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema check (core, without ratatui) accepts exactly the
    /// colours the interface can draw.
    #[test]
    fn the_schema_accepts_the_colours_ratatui_reads() {
        for c in [
            "red",
            "Light Blue",
            "bright-green",
            "grey",
            "silver",
            "dark_gray",
            "#00ff7f",
            "#ABCDEF",
            "208",
            "0",
            "white",
            "reset",
            "ultraviolet",
            "#zzzzzz",
            "#12345",
            "256",
            "",
            "lightpink",
            "#1234567",
            "-1",
        ] {
            assert_eq!(
                nhan_model::schema::is_color(c),
                Color::from_str(c).is_ok(),
                "{c:?}"
            );
        }
    }
}
