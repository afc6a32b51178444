//! Inter-annotator agreement (`nhan agree`).

use clap::Args;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct AgreeArgs {
    /// Annotators to compare (default: every folder under annotations/).
    #[arg(long, value_delimiter = ',')]
    pub annotators: Vec<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_project: &Path, _args: &AgreeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("nhan agree is being built")
}
