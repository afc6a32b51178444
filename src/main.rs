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
        Some(Command::Agree(a)) => nhan::agree::run(&cli.project, a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("nhan: {}", nhan::core::escape::lines(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}
