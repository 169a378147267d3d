//! evtchn-lab: the binary. Parses flags, hands over to the command they name, and turns its
//! result into an exit status.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use evtchn_lab::cmd::{self, cli::Cli};

fn main() -> ExitCode {
    let result = cmd::dispatch(Cli::parse());
    match result {
        Ok(code) => code,
        // The reader went away (`| head`): it has what it wanted; stop quietly, as other
        // command-line tools do.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // A full or closed stderr: nowhere to say it, and no reason to panic.
            let _ = writeln!(std::io::stderr(), "evtchn-lab: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether `e` comes from writing to a pipe whose reader is gone (directly, or inside
/// serde_json's error).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| c.downcast_ref::<serde_json::Error>()?.io_error_kind())
            == Some(std::io::ErrorKind::BrokenPipe)
    })
}
