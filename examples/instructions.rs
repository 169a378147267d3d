//! Instructions per delivered packet (issue 10's measure): runs the release binary's
//! `run --json --seconds 1 --guest linux --netback fixed` under `valgrind --tool=callgrind`
//! (instruction counts repeat exactly, whatever else the machine is doing) and divides the
//! instructions it executed by the packets it delivered.
//!
//! ```sh
//! cargo build --release && cargo run --release --example instructions
//! cargo run --release --example instructions -- --guest rogue --throttle off   # other flags
//! ```
//! Any arguments replace the scenario flags (`--json` and `--seconds 1` stay unless given).

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let bin = binary();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        args = ["--guest", "linux", "--netback", "fixed"]
            .map(String::from)
            .to_vec();
    }
    if !args.iter().any(|a| a == "--seconds") {
        args.extend(["--seconds", "1"].map(String::from));
    }
    if !args.iter().any(|a| a == "--json") {
        args.push("--json".into());
    }
    let out_file =
        std::env::temp_dir().join(format!("evtchn-lab-callgrind.{}", std::process::id()));
    let out = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(&bin)
        .arg("run")
        .args(&args)
        .output()
        .unwrap_or_else(|e| fail(&format!("cannot run valgrind ({e}); install valgrind")));
    let _ = std::fs::remove_file(&out_file);
    if !out.status.success() {
        fail(&format!(
            "valgrind failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let instructions: u64 = stderr
        .lines()
        .find_map(|l| l.split("Collected :").nth(1))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| {
            fail(&format!(
                "no instruction count in valgrind's output:\n{stderr}"
            ))
        });
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| fail(&format!("not JSON: {e}")));
    let packets = report["packets_delivered"].as_u64().unwrap_or(0);
    let events = report["events_sent"].as_u64().unwrap_or(0);
    println!("evtchn-lab run {}", args.join(" "));
    println!("  instructions (callgrind)  {instructions}");
    println!("  packets delivered         {packets}");
    println!("  notifies sent             {events}");
    if packets > 0 {
        println!(
            "  instructions per packet   {:.0}",
            instructions as f64 / packets as f64
        );
    } else if events > 0 {
        println!(
            "  instructions per notify   {:.1}",
            instructions as f64 / events as f64
        );
    }
}

/// `target/release/evtchn-lab`, next to this example's own directory.
fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| fail(&e.to_string()));
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .unwrap_or_else(|| fail("cannot find the target directory"));
    let bin = dir.join(format!("evtchn-lab{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        fail(&format!(
            "{} is missing: run `cargo build --release` first",
            bin.display()
        ));
    }
    bin
}

fn fail(msg: &str) -> ! {
    eprintln!("instructions: {msg}");
    std::process::exit(1);
}
