//! The text model: no terminal, no UI. Everything here speaks in code-point
//! offsets into the article text.

pub mod adjudication;
pub mod atomic;
pub mod attrs;
pub mod consistency;
pub mod disk;
pub mod document;
pub mod edit;
pub mod encoding;
pub mod escape;
pub mod extent;
pub mod git;
pub mod interned;
pub mod json;
pub mod lock;
pub mod markup;
pub mod merge;
pub mod project;
pub mod reanchor;
pub mod record;
pub mod review;
pub mod root;
pub mod schema;
pub mod search;
pub mod sidecar;
pub mod span;
pub mod status;
pub mod stream;
pub mod text;
pub mod text_cache;
pub mod tokens;
pub mod utf8;
