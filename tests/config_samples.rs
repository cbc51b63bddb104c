//! Sample configuration files: every one in `valid_configs` must load, and
//! every one in `invalid_configs` must fail with a message that names the
//! file and contains the text its first line promises (`# expect: …`).
//!
//! A sample's kind comes from its name: `keymap_*.toml` or `theme_*.toml`.

use std::fs;
use std::path::{Path, PathBuf};

use revdesk::tui::keymap::KeyMap;
use revdesk::tui::theme::Theme;

/// The `.toml` files of a directory under `tests/`, sorted.
fn samples(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no samples in {}", dir.display());
    files
}

/// Loads a sample as the kind its name says; the error message on failure.
fn load(path: &Path) -> Result<(), String> {
    let name = file_name(path);
    if name.starts_with("keymap_") {
        KeyMap::load(path).map(drop).map_err(|e| e.to_string())
    } else if name.starts_with("theme_") {
        Theme::load(path).map(drop).map_err(|e| e.to_string())
    } else {
        panic!("{name}: sample names start with keymap_ or theme_");
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn valid_configs_load() {
    let failures: Vec<String> = samples("valid_configs")
        .iter()
        .filter_map(|path| load(path).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_configs_fail_with_the_promised_message() {
    let mut failures = Vec::new();
    for path in samples("invalid_configs") {
        let name = file_name(&path);
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some(expected) = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
        else {
            failures.push(format!(
                "{name}: first line must be `# expect: <substring>`"
            ));
            continue;
        };
        match load(&path) {
            Ok(()) => failures.push(format!("{name}: loaded, but should fail")),
            Err(message) => {
                if !message.contains(&name) {
                    failures.push(format!("{name}: message does not name the file: {message}"));
                }
                if !message.contains(expected.trim_end()) {
                    failures.push(format!(
                        "{name}: message lacks `{expected}`:\n    {message}"
                    ));
                }
                if message.contains('\n') {
                    failures.push(format!("{name}: message spans lines: {message}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn builtin_files_load_as_user_files() {
    // What users copy to start their own files must itself load unchanged.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let keymap = KeyMap::load(&root.join("src/tui/keymap.toml"));
    assert_eq!(keymap.ok(), Some(KeyMap::default()));
    for name in Theme::names() {
        let path = root.join("themes").join(format!("{name}.toml"));
        let theme = Theme::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Some(theme), Theme::builtin(name), "{name}");
    }
}
