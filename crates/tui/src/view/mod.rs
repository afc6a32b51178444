//! Display decisions shared by the app and the UI that depend only on the
//! core and the Unicode tables: how an article wraps into screen rows.

pub mod drawn;
pub mod wrap;
