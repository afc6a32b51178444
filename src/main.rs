//! The `nhan` binary: parses the command line and runs the command.

use clap::Parser;
use nhan::cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.command.is_some() {
        // A command's output piped into `head` ends quietly when the pipe
        // closes, as Unix tools do, instead of panicking on the write.
        // (The terminal interface keeps ignoring SIGPIPE.)
        // SAFETY: at start-up, before any thread; restores the default.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let result = match &cli.command {
        None => nhan::tui::run(&cli.project, cli.annotator.clone(), cli.adjudicate)
            .map(|()| ExitCode::SUCCESS),
        Some(Command::Export(a)) => nhan::export::run_export(&cli.project, a),
        Some(Command::Import(a)) => nhan::export::run_import(&cli.project, a),
        Some(Command::Stats { json }) => nhan::commands::stats(&cli.project, *json),
        Some(Command::Validate) => nhan::commands::validate(&cli.project),
        Some(Command::Report { out }) => nhan::report::run(&cli.project, out),
        Some(Command::Agree(a)) => nhan::agree::run(&cli.project, a),
        Some(Command::MergeFile {
            base,
            ours,
            theirs,
            path,
        }) => {
            let shown = path.clone().unwrap_or_else(|| ours.display().to_string());
            nhan::core::git::merge_file(base, ours, theirs, &shown, &mut std::io::stderr()).map(
                |o| match o {
                    nhan::core::git::Outcome::Clean => ExitCode::SUCCESS,
                    nhan::core::git::Outcome::Conflicts => ExitCode::from(1),
                },
            )
        }
        Some(Command::GitSetup) => nhan::core::git::setup(&cli.project).map(|done| {
            for d in done {
                println!("{d}");
            }
            println!("git now merges sidecars span by span (annotations/**/*.json merge=nhan)");
            ExitCode::SUCCESS
        }),
        Some(Command::Suggest(a)) => {
            nhan::suggest::run::run(&cli.project, cli.annotator.clone(), a)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("nhan: {}", nhan::core::escape::lines(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}
