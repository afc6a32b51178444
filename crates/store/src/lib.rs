//! The one door to a project's files: the project's articles and sidecars,
//! atomic writes, the lock, git, the cache of opened texts, and the user's
//! own settings. The model (`nhan-model`) knows the formats; this crate
//! knows where they live.

pub mod atomic;
pub mod config;
pub mod disk;
pub mod encoding;
pub mod git;
pub mod lock;
pub mod progress;
pub mod project;
pub mod root;
pub mod session;
pub mod sidecar_file;
pub mod stream;
pub mod text_cache;
