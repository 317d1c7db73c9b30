//! `optscan`: run scans into the cache, inspect it, run the scheduled worker, and score the
//! probability models out of sample.
//!
//! Exit codes: 0 success, 1 failure (message on stderr, secrets redacted), 2 bad usage,
//! 130 cancelled by SIGINT/SIGTERM (leases released).

mod args;
mod calibrate;
mod commands;
mod output;
mod plan;
mod signals;
mod source;
mod worker;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = args::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    match runtime.block_on(scanner_core::catch_panic(commands::run(cli))) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", output::redact(&e.to_string()));
            std::process::ExitCode::from(match e.kind() {
                scanner_core::ErrorKind::InvalidInput => 2,
                scanner_core::ErrorKind::Cancelled => 130,
                _ => 1,
            })
        }
    }
}
