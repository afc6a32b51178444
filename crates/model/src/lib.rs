//! The text model: no terminal, no UI, no file system. Everything here
//! speaks in code-point offsets into the article text; reading and writing
//! files is the store's job (`nhan-store`).

pub mod adjudication;
pub mod attrs;
pub mod consistency;
pub mod details;
pub mod document;
pub mod edit;
pub mod escape;
pub mod extent;
pub mod ids;
pub mod interned;
pub mod json;
pub mod markup;
pub mod merge;
pub mod reanchor;
pub mod record;
pub mod relation;
pub mod review;
pub mod schema;
pub mod search;
pub mod sidecar;
pub mod span;
pub mod status;
pub mod text;
pub mod tokens;
pub mod utf8;
