//! Replays one response body through the decoder and prints what it yields as one JSON line.
//!
//! Usage: `sse-replay [--chunk-size N] FILE`

use std::process::ExitCode;

const USAGE: &str = "usage: sse-replay [--chunk-size N] FILE";

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<(Option<usize>, String), String> {
    let mut chunk_size = None;
    let mut file = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--chunk-size" => {
                let value = args.next().ok_or("--chunk-size needs a number")?;
                let n: usize = value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    format!("--chunk-size takes a whole number above 0, not {value:?}")
                })?;
                chunk_size = Some(n);
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            _ if file.is_none() && !arg.starts_with("--") => file = Some(arg),
            _ => return Err(format!("unexpected argument {arg:?}\n{USAGE}")),
        }
    }
    Ok((chunk_size, file.ok_or(USAGE)?))
}

fn main() -> ExitCode {
    let (chunk_size, file) = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let body = match std::fs::read(&file) {
        Ok(body) => body,
        Err(err) => {
            eprintln!("sse-replay: cannot read {file}: {err}");
            return ExitCode::from(1);
        }
    };
    let summary = support_core::replay::replay(&body, chunk_size);
    match serde_json::to_string(&summary) {
        Ok(line) => println!("{line}"),
        Err(err) => {
            eprintln!("sse-replay: {err}");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
