//! Builds `help.json`, the passages of a folder of help articles, for the widget's bundled
//! search. Run by Trunk as a `pre_build` hook (see `Trunk.toml`).
//!
//! Usage: `help-index DIR [OUT]`: every `*.md` file of DIR, in name order, split into
//! passages by the core's `help::split`; OUT defaults to `$TRUNK_STAGING_DIR/help.json`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use support_core::help::article::passages_of;

const USAGE: &str = "usage: help-index DIR [OUT] (OUT defaults to $TRUNK_STAGING_DIR/help.json)";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(summary) => {
            println!("help-index: {summary}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("help-index: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<String, String> {
    let (dir, out) = match args.as_slice() {
        [dir] => {
            let staging = std::env::var_os("TRUNK_STAGING_DIR").ok_or(USAGE)?;
            (PathBuf::from(dir), PathBuf::from(staging).join("help.json"))
        }
        [dir, out] => (PathBuf::from(dir), PathBuf::from(out)),
        _ => return Err(USAGE.to_owned()),
    };
    let files = read_articles(&dir)?;
    let count = files.len();
    let passages = passages_of(files)?;
    let json = serde_json::to_string(&passages).map_err(|e| e.to_string())?;
    std::fs::write(&out, json + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(format!(
        "{count} articles, {} passages, written to {}",
        passages.len(),
        out.display()
    ))
}

/// The `*.md` files of `dir` as `(name, text)`, in name order.
fn read_articles(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(format!("{}: no .md articles", dir.display()));
    }
    paths
        .into_iter()
        .map(|path| {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            Ok((name, text))
        })
        .collect()
}
