//! Replays every input saved in `tests/fuzz-corpus/<target>/` (the corpus the fuzzers built,
//! including any input that once crashed) through the same harness, as a regression test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

#[test]
fn every_saved_input_passes_its_harness() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fuzz-corpus");
    let mut total = 0;
    for (name, harness) in cem_fuzz::TARGETS {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("corpus folder {}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .collect();
        files.sort();
        assert!(
            !files.is_empty(),
            "no saved inputs for fuzz target `{name}`"
        );
        for file in &files {
            let data = std::fs::read(file).unwrap();
            let outcome = std::panic::catch_unwind(|| harness(&data));
            assert!(
                outcome.is_ok(),
                "fuzz input {} fails `{name}`",
                file.display()
            );
        }
        println!("{name}: {} inputs replayed", files.len());
        total += files.len();
    }
    assert!(total > 0);
}
