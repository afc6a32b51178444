//! Dataset export and import.

use clap::Args;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// jsonl | conll | brat | hf
    #[arg(long)]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// jsonl | conll | brat
    #[arg(long)]
    pub format: String,
    pub paths: Vec<std::path::PathBuf>,
}
