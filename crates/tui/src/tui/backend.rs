//! The backend frames are drawn through: crossterm's, minus two costs
//! ratatui would pay on every frame. Its `size()` opens `/dev/tty` and asks
//! the kernel (ratatui asks before each frame, to notice a resize we are
//! told about by an event anyway), and its cursor calls flush one by one, so
//! a frame left in two or three writes, each waking the terminal. Here the
//! size is what the last resize event said, and a frame leaves in one write.

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::crossterm::{cursor, queue};
use ratatui::layout::{Position, Size};
use std::io::{self, Write};

pub struct FrameBackend<W: Write> {
    inner: CrosstermBackend<W>,
    size: Size,
    /// What the terminal was last told, so an unchanged cursor costs nothing.
    cursor_shown: Option<bool>,
}

impl<W: Write> FrameBackend<W> {
    /// `size` is the terminal's size now; `resized` keeps it current.
    pub fn new(out: W, size: Size) -> Self {
        FrameBackend {
            inner: CrosstermBackend::new(out),
            size,
            cursor_shown: None,
        }
    }

    /// The size a resize event reported; the next frame is drawn at it.
    pub fn resized(&mut self, width: u16, height: u16) {
        self.size = Size::new(width, height);
    }

    fn cursor_shown(&mut self, shown: bool) -> io::Result<()> {
        if self.cursor_shown != Some(shown) {
            self.cursor_shown = Some(shown);
            if shown {
                queue!(self.inner, cursor::Show)?;
            } else {
                queue!(self.inner, cursor::Hide)?;
            }
        }
        Ok(())
    }
}

impl<W: Write> Backend for FrameBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.cursor_shown(false)
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.cursor_shown(true)
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let Position { x, y } = position.into();
        queue!(self.inner, cursor::MoveTo(x, y))
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        Ok(self.size)
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::widgets::Paragraph;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// Records what reached the terminal, one entry per flush.
    #[derive(Default, Clone)]
    struct Writes(Rc<RefCell<(Vec<u8>, Vec<String>)>>);

    impl Write for Writes {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().0.extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            let mut w = self.0.borrow_mut();
            if !w.0.is_empty() {
                let bytes = std::mem::take(&mut w.0);
                w.1.push(String::from_utf8(bytes).unwrap());
            }
            Ok(())
        }
    }

    impl Writes {
        fn flushed(&self) -> Vec<String> {
            self.0.borrow().1.clone()
        }
    }

    fn frame(term: &mut Terminal<FrameBackend<Writes>>, text: &str, cursor: Option<(u16, u16)>) {
        term.draw(|f| {
            f.render_widget(Paragraph::new(text), f.area());
            if let Some(p) = cursor {
                f.set_cursor_position(p);
            }
        })
        .unwrap();
    }

    #[test]
    fn a_frame_with_a_cursor_leaves_in_one_write_and_shows_the_cursor_once() {
        let out = Writes::default();
        let mut term = Terminal::new(FrameBackend::new(out.clone(), Size::new(20, 3))).unwrap();
        frame(&mut term, "Nguyễn Phú Trọng", Some((3, 0)));
        assert_eq!(out.flushed().len(), 1, "{:?}", out.flushed());
        let first = &out.flushed()[0];
        assert!(
            first.contains("Nguyễn") && first.contains("Trọng"),
            "{first:?}"
        );
        assert!(first.contains("\x1b[?25h"), "cursor shown: {first:?}");
        assert!(
            first.ends_with("\x1b[1;4H"),
            "cursor placed last: {first:?}"
        );
        frame(&mut term, "Nguyễn Phú Trọng", Some((4, 0)));
        assert_eq!(out.flushed().len(), 2);
        let second = &out.flushed()[1];
        assert!(second.ends_with("\x1b[1;5H"), "{second:?}");
        assert!(
            !second.contains("Nguy") && !second.contains("\x1b[?25h"),
            "{second:?}"
        );
        frame(&mut term, "Nguyễn Phú Trọng", None);
        assert!(out.flushed()[2].ends_with("\x1b[?25l"), "cursor hidden");
    }

    #[test]
    fn the_size_is_the_last_one_reported_and_a_resize_redraws_at_it() {
        let out = Writes::default();
        let mut term = Terminal::new(FrameBackend::new(out.clone(), Size::new(20, 3))).unwrap();
        frame(&mut term, "Hà Nội", None);
        assert_eq!(term.size().unwrap(), Size::new(20, 3));
        term.backend_mut().resized(8, 2);
        frame(&mut term, "Hà Nội", None);
        assert_eq!(
            term.get_frame().area(),
            ratatui::layout::Rect::new(0, 0, 8, 2)
        );
        let last = out.flushed().last().unwrap().clone();
        // An unchanged frame at an unnoticed size would write nothing.
        assert!(
            last.contains("Hà") && last.contains("Nội"),
            "drawn again whole: {last:?}"
        );
    }
}
