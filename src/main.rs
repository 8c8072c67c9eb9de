//! The `stancer` binary: parse flags, run, turn errors into a message and exit status.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = stancer::cli::args::Cli::parse();
    match stancer::cli::run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
