//! Sample configuration files: every one in `valid_configs` must load, and
//! every one in `invalid_configs` must fail with a message that names the
//! file and contains the text its first line promises (`# expect: …`).
//!
//! A sample's kind comes from its name: `keymap_*.toml` or `theme_*.toml`.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use revdesk::tui::keymap::{KeyMap, Layout};
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

/// A sample's path.
fn sample(dir: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir)
        .join(name)
}

#[test]
fn an_old_keys_file_binds_as_its_sections_would() {
    let old = KeyMap::load(&sample("valid_configs", "keymap_swap_keys.toml"));
    let new = KeyMap::from_toml("[scoring]\nrecuse = [\"m\"]\nflag = [\"x\"]\n", "new.toml");
    assert_eq!(old.ok(), new.ok());
    for name in ["keymap_sections.toml", "keymap_sections_chair_only.toml"] {
        let text = fs::read_to_string(sample("valid_configs", name)).expect("sample");
        let layout = KeyMap::parse_layout(&text, name).map(|(_, l)| l).ok();
        assert_eq!(layout, Some(Layout::Sections), "{name}");
    }
}

#[test]
fn the_program_notes_an_old_keys_file_on_stderr() {
    // Without a terminal the view cannot start, but the keymap is read (and noted) first.
    let old = sample("valid_configs", "keymap_swap_keys.toml");
    let out = Command::cargo_bin("revdesk")
        .expect("binary")
        .env("LC_ALL", "en_US.UTF-8")
        .args(["demo", "--keymap"])
        .arg(&old)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let notes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("[keys] layout"))
        .collect();
    assert_eq!(notes.len(), 1, "{stderr}");
    assert!(
        notes[0].contains("keymap_swap_keys.toml uses the old [keys] layout"),
        "{stderr}"
    );
    let new = sample("valid_configs", "keymap_sections.toml");
    let out = Command::cargo_bin("revdesk")
        .expect("binary")
        .env("LC_ALL", "en_US.UTF-8")
        .args(["demo", "--keymap"])
        .arg(&new)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("[keys] layout"), "{stderr}");
    assert!(stderr.contains("need a terminal"), "{stderr}");
}
