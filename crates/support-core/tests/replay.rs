//! Data-driven decoder tests: every body in `fixtures/replay/` is decoded and compared with its
//! `.expected.json`. Run with `UPDATE_EXPECT=1` to rewrite the expectations, then review the diff.

use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use serde_json::Value;
use support_core::replay::replay;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay");
    let mut bodies: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/replay exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| !path.to_string_lossy().ends_with(".expected.json"))
        .collect();
    bodies.sort();
    assert!(
        bodies.len() >= 40,
        "fixtures went missing: {}",
        bodies.len()
    );
    bodies
}

fn expected_path(body: &Path) -> PathBuf {
    let name = body.file_name().expect("file name").to_string_lossy();
    body.with_file_name(format!("{name}.expected.json"))
}

#[test]
fn every_fixture_decodes_as_expected() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for body_path in fixtures() {
        let body = std::fs::read(&body_path).expect("fixture readable");
        let got = serde_json::to_value(replay(&body, None)).expect("serialisable");
        let expected_path = expected_path(&body_path);
        if update {
            let pretty = serde_json::to_string_pretty(&got).expect("serialisable") + "\n";
            std::fs::write(&expected_path, pretty).expect("expectation writable");
            continue;
        }
        let expected: Value = std::fs::read_to_string(&expected_path)
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(Value::Null);
        if got != expected {
            failures.push(format!(
                "{}:\n  got      {got}\n  expected {expected}",
                body_path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_gives_the_same_result_in_small_pieces() {
    for body_path in fixtures() {
        let body = std::fs::read(&body_path).expect("fixture readable");
        let whole = replay(&body, None);
        for size in 1..=9 {
            assert_eq!(
                replay(&body, Some(size)),
                whole,
                "{} in pieces of {size}",
                body_path.display()
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any split of any body into pieces gives the same result as the whole body.
    #[test]
    fn any_split_gives_the_same_result(
        fixture in 0usize..1000,
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..24),
    ) {
        let paths = fixtures();
        let body = std::fs::read(&paths[fixture % paths.len()]).expect("fixture readable");
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(body.len() + 1)).collect();
        points.sort_unstable();
        points.dedup();
        let mut pieces = Vec::new();
        let mut start = 0;
        for point in points.into_iter().chain([body.len()]) {
            pieces.push(&body[start..point]);
            start = point;
        }
        let names = ["lookup_order"];
        let split = support_core::replay::summarize(&support_core::decode::decode_pieces(pieces, &names));
        prop_assert_eq!(split, replay(&body, None));
    }
}

#[test]
fn the_command_prints_one_json_line() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay/tool_calls_parallel.sse");
    let output = Command::new(env!("CARGO_BIN_EXE_sse-replay"))
        .args(["--chunk-size", "7"])
        .arg(&path)
        .output()
        .expect("sse-replay runs");
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert_eq!(stdout.lines().count(), 1);
    let printed: Value = serde_json::from_str(&stdout).expect("one JSON line");
    assert_eq!(printed["outcome"], "complete");
    assert_eq!(
        printed["tool_calls"][1]["arguments"]["order_id"],
        "ORD-1003"
    );
}

#[test]
fn the_command_explains_bad_usage() {
    for args in [
        vec![],
        vec!["--chunk-size", "0", "x"],
        vec!["--chunk-size"],
        vec!["/no/such/file"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_sse-replay"))
            .args(&args)
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
}
