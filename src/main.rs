//! The `nhan` binary: parses the command line and runs the command.

use nhan::cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse_args();
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
        None => nhan_tui::tui::run(&cli.project, cli.annotator.clone(), cli.adjudicate)
            .map(|()| ExitCode::SUCCESS),
        Some(Command::Init(a)) => nhan::init::run(&cli.project, a, &mut std::io::stdout()),
        Some(Command::Export(a)) => nhan_formats::run_export(&cli.project, a),
        Some(Command::Import(a)) => nhan_formats::run_import(&cli.project, a),
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
            nhan_store::git::merge_file(base, ours, theirs, &shown, &mut std::io::stderr()).map(
                |o| match o {
                    nhan_store::git::Outcome::Clean => ExitCode::SUCCESS,
                    nhan_store::git::Outcome::Conflicts => ExitCode::from(1),
                },
            )
        }
        Some(Command::GitSetup) => nhan_store::git::setup(&cli.project).map(|done| {
            for d in done {
                println!("{d}");
            }
            println!("git now merges sidecars span by span (annotations/**/*.json merge=nhan)");
            ExitCode::SUCCESS
        }),
        Some(Command::Suggest(a)) => {
            // `nhan --annotator lan suggest` names the annotator too.
            let mut a = a.clone();
            a.annotator = a.annotator.or_else(|| cli.annotator.clone());
            nhan_suggest::run::run(&cli.project, &a)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("nhan: {}", nhan_model::escape::lines(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}
