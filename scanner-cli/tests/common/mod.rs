//! Running the `optscan` binary from the CLI's integration tests.

#![allow(dead_code)] // each test file uses a subset

use std::process::{Command, Output};

/// Run `optscan ARGS` without `$DATABASE_URL`.
pub fn optscan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_optscan"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run optscan")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
