//! The architecture, enforced: reads `src/` and fails, naming file and line, when
//!
//! - the core (every top-level part of `src/` but the front-ends) imports a front-end or uses a
//!   terminal, command-line, error-context or network crate;
//! - SQL is used outside `store/`;
//! - two top-level parts import each other, directly or through others (a cycle), or two
//!   modules inside one part do;
//! - a source file holds more than [`MAX_LINES`] lines of non-test code.
//!
//! The checker is plain functions over (path, text) pairs, so its own tests below feed it
//! violations and watch it fail.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level parts that sit on the core and may use anything.
const FRONT_ENDS: &[&str] = &["cli", "tui", "server", "main.rs"];

/// Crates the core must not use: terminals, command lines, error context, networking.
const FRONT_END_CRATES: &[&str] = &[
    "ratatui",
    "crossterm",
    "ratatui_textarea",
    "clap",
    "clap_complete",
    "clap_mangen",
    "anyhow",
    "russh",
    "tokio",
];

/// The one part allowed to speak SQL.
const SQL_PART: &str = "store";

/// Lines of non-test code a file may hold.
const MAX_LINES: usize = 1_000;

/// One broken rule, where it is broken.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Violation {
    file: String,
    line: usize,
    what: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.what)
    }
}

/// A source file: its path under `src/` (with `/`) and its text.
struct Source {
    path: String,
    text: String,
}

/// The top-level part a file belongs to: `io` for `io/sheet.rs`, `main.rs` for `main.rs`.
fn part_of(path: &str) -> &str {
    match path.split_once('/') {
        Some((dir, _)) => dir,
        None => path
            .strip_suffix(".rs")
            .map_or(path, |p| if p == "main" || p == "lib" { path } else { p }),
    }
}

/// The module a file is, inside its part: `io::sheet` for `io/sheet.rs`, `io` for `io/mod.rs`,
/// `tui::scoring` for `tui/scoring/update.rs` (a folder is one module for the cycle check).
fn module_of(path: &str) -> String {
    let parts: Vec<&str> = path.trim_end_matches(".rs").split('/').collect();
    match parts.as_slice() {
        [one] => one.to_string(),
        [part, "mod"] => part.to_string(),
        [part, sub, ..] => format!("{part}::{sub}"),
        [] => String::new(),
    }
}

/// The code of a line without its `//` comment (a string holding `//` is rare enough here that
/// the checker may see less of such a line, never more).
fn code(line: &str) -> &str {
    match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Line numbers (1-based) and code of the non-test part of a file: everything before the first
/// `#[cfg(test)]` at the start of a line.
fn non_test_lines(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| !l.starts_with("#[cfg(test)]"))
        .map(|(i, l)| (i + 1, code(l)))
        .collect()
}

/// Whether `code` names the path root `name` (`name::…` or `use name`), as a whole word.
fn names_root(code: &str, name: &str) -> bool {
    let mut from = 0;
    while let Some(i) = code[from..].find(name) {
        let at = from + i;
        let before = code[..at].chars().next_back();
        let after = &code[at + name.len()..];
        let word_start = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let is_path = word_start
            && before != Some(':')
            && (after.starts_with("::")
                || (code.trim_start().starts_with("use ")
                    && after.trim_start().starts_with([';', ':', ' ', '}', ','])));
        if is_path {
            return true;
        }
        from = at + name.len();
    }
    false
}

/// The top-level parts (and the modules inside the file's own part) a line of code refers to
/// through `crate::…`.
fn crate_refs(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().next_back();
        let after = &rest[i + "crate::".len()..];
        rest = after;
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let path: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        if !path.is_empty() {
            out.push(path);
        }
        // `crate::{a, b::c}`: each branch names a part.
        if let Some(group) = after.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let item = item.trim();
                if !item.is_empty() {
                    out.push(item.to_string());
                }
            }
        }
    }
    out
}

/// Every broken rule in a set of sources.
fn check(sources: &[Source]) -> Vec<Violation> {
    let parts: BTreeSet<&str> = sources.iter().map(|s| part_of(&s.path)).collect();
    let mut found = Vec::new();
    let mut part_edges: BTreeMap<(String, String), (String, usize)> = BTreeMap::new();
    let mut module_edges: BTreeMap<(String, String), (String, usize)> = BTreeMap::new();
    for s in sources {
        let part = part_of(&s.path);
        let core = !FRONT_ENDS.contains(&part) && part != "lib.rs";
        let lines = non_test_lines(&s.text);
        if lines.len() > MAX_LINES {
            found.push(Violation {
                file: s.path.clone(),
                line: MAX_LINES + 1,
                what: format!(
                    "{} lines of non-test code (at most {MAX_LINES}): split the file",
                    lines.len()
                ),
            });
        }
        // Tests inside a core file may use what they like; the rules are for shipped code.
        for (n, code) in &lines {
            if core {
                for krate in FRONT_END_CRATES {
                    if names_root(code, krate) {
                        found.push(Violation {
                            file: s.path.clone(),
                            line: *n,
                            what: format!("the core uses `{krate}`, a front-end crate"),
                        });
                    }
                }
            }
            if part != SQL_PART && names_root(code, "rusqlite") {
                found.push(Violation {
                    file: s.path.clone(),
                    line: *n,
                    what: format!("SQL (`rusqlite`) outside `{SQL_PART}/`"),
                });
            }
            for path in crate_refs(code) {
                let mut segs = path.split("::").filter(|p| !p.is_empty());
                let Some(target) = segs.next() else { continue };
                if !(parts.contains(target) || FRONT_ENDS.contains(&target)) || target == part {
                    if target == part
                        && let Some(sub) = segs.next()
                    {
                        let from = module_of(&s.path);
                        let to = format!("{part}::{sub}");
                        let is_module = sources
                            .iter()
                            .any(|o| o.path != s.path && module_of(&o.path) == to);
                        if is_module && from != to && from != part {
                            module_edges
                                .entry((from, to))
                                .or_insert((s.path.clone(), *n));
                        }
                    }
                    continue;
                }
                if core && FRONT_ENDS.contains(&target) {
                    found.push(Violation {
                        file: s.path.clone(),
                        line: *n,
                        what: format!("the core imports the front-end `{target}`"),
                    });
                }
                part_edges
                    .entry((part.to_string(), target.to_string()))
                    .or_insert((s.path.clone(), *n));
            }
            // `super::x` from a file inside a part names a sibling module.
            if let Some(i) = code.find("super::") {
                let depth = s.path.matches('/').count();
                let own = module_of(&s.path);
                let sub: String = code[i + "super::".len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let is_sibling_file = depth == 1 && !s.path.ends_with("/mod.rs");
                if is_sibling_file && !sub.is_empty() && !code[..i].ends_with("super::") {
                    let to = format!("{part}::{sub}");
                    let is_module = sources.iter().any(|o| module_of(&o.path) == to);
                    if is_module && own != to {
                        module_edges
                            .entry((own, to))
                            .or_insert((s.path.clone(), *n));
                    }
                }
            }
        }
    }
    found.extend(cycles(&part_edges, "top-level parts"));
    found.extend(cycles(&module_edges, "modules"));
    found.sort();
    found.dedup();
    found
}

/// One violation per cycle in a dependency graph, at the import that closes it.
fn cycles(edges: &BTreeMap<(String, String), (String, usize)>, kind: &str) -> Vec<Violation> {
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        graph.entry(from).or_default().push(to);
    }
    let mut out = Vec::new();
    let mut reported: BTreeSet<BTreeSet<String>> = BTreeSet::new();
    for (from, to) in edges.keys() {
        // A path back from `to` to `from` makes the edge part of a cycle.
        if let Some(path) = path_between(&graph, to, from) {
            let members: BTreeSet<String> = path.iter().map(|s| s.to_string()).collect();
            if !reported.insert(members) {
                continue;
            }
            let (file, line) = &edges[&(from.clone(), to.clone())];
            let mut ring = vec![from.as_str()];
            ring.extend(path.iter());
            out.push(Violation {
                file: file.clone(),
                line: *line,
                what: format!("import cycle between {kind}: {}", ring.join(" -> ")),
            });
        }
    }
    out
}

/// A path of nodes from `a` to `b` (both included), if any.
fn path_between<'a>(
    graph: &BTreeMap<&'a str, Vec<&'a str>>,
    a: &'a str,
    b: &str,
) -> Option<Vec<&'a str>> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![vec![a]];
    while let Some(path) = stack.pop() {
        let last = *path.last()?;
        if last == b {
            return Some(path);
        }
        if !seen.insert(last) {
            continue;
        }
        for next in graph.get(last).into_iter().flatten() {
            let mut p = path.clone();
            p.push(next);
            stack.push(p);
        }
    }
    None
}

fn read_tree(root: &Path) -> Vec<Source> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("src is readable")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(root, &mut files);
    files
        .into_iter()
        .map(|p| Source {
            path: p
                .strip_prefix(root)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/"),
            text: std::fs::read_to_string(&p).expect("source is text"),
        })
        .collect()
}

#[test]
fn the_source_tree_keeps_its_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let sources = read_tree(&root);
    assert!(sources.len() > 20, "read the tree");
    let found = check(&sources);
    assert!(
        found.is_empty(),
        "architecture rules broken:\n{}",
        found
            .iter()
            .map(|v| format!("  src/{v}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[cfg(test)]
mod checker {
    use super::*;

    fn src(path: &str, text: &str) -> Source {
        Source {
            path: path.into(),
            text: text.into(),
        }
    }

    fn clean_tree() -> Vec<Source> {
        vec![
            src("lib.rs", "pub mod domain;\npub mod io;\npub mod cli;\n"),
            src("domain/mod.rs", "pub mod batch;\n"),
            src("domain/batch.rs", "use serde::Serialize;\n"),
            src("io/mod.rs", "pub mod sheet;\n"),
            src("io/sheet.rs", "use crate::domain::batch::Batch;\n"),
            src("store/mod.rs", "use rusqlite::Connection;\n"),
            src(
                "cli/mod.rs",
                "use anyhow::Context;\nuse crate::io::sheet;\nuse clap::Parser;\n",
            ),
            src("main.rs", "fn main() { revdesk::cli::main() }\n"),
        ]
    }

    #[test]
    fn a_clean_tree_passes() {
        assert_eq!(check(&clean_tree()), vec![]);
    }

    #[test]
    fn the_core_importing_a_front_end_fails_with_file_and_line() {
        let mut t = clean_tree();
        t.push(src(
            "io/export.rs",
            "use crate::domain::batch;\n\nuse crate::tui::chair::describe;\n",
        ));
        let v = check(&t);
        assert!(
            v.iter().any(|v| v.file == "io/export.rs"
                && v.line == 3
                && v.what.contains("front-end `tui`")),
            "{v:?}"
        );
    }

    #[test]
    fn front_end_crates_in_the_core_fail() {
        for krate in ["ratatui", "crossterm", "clap", "anyhow", "russh", "tokio"] {
            let mut t = clean_tree();
            t.push(src(
                "domain/x.rs",
                &format!(
                    "// {krate} in a comment is fine\nfn f() -> {krate}::Thing {{ todo!() }}\n"
                ),
            ));
            let v = check(&t);
            assert_eq!(v.len(), 1, "{krate}: {v:?}");
            assert_eq!((v[0].file.as_str(), v[0].line), ("domain/x.rs", 2));
        }
        // `use clap;` and grouped uses count too; a name that merely contains it does not.
        let mut t = clean_tree();
        t.push(src("io/y.rs", "use anyhow;\nlet my_anyhow_count = 1;\n"));
        let v = check(&t);
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].line, 1);
    }

    #[test]
    fn tests_inside_a_core_file_are_exempt() {
        let mut t = clean_tree();
        t.push(src(
            "domain/z.rs",
            "pub fn f() {}\n#[cfg(test)]\nmod tests {\n    use anyhow::Result;\n}\n",
        ));
        assert_eq!(check(&t), vec![]);
    }

    #[test]
    fn sql_outside_the_store_fails() {
        let mut t = clean_tree();
        t.push(src("io/db.rs", "use rusqlite::params;\n"));
        let v = check(&t);
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].what.contains("SQL"));
        // The front-ends may not either.
        let mut t = clean_tree();
        t.push(src("tui/db.rs", "fn f(c: &rusqlite::Connection) {}\n"));
        assert_eq!(check(&t).len(), 1);
    }

    #[test]
    fn a_cycle_between_parts_fails() {
        let mut t = clean_tree();
        t.push(src("domain/back.rs", "use crate::io::sheet::Sheet;\n"));
        let v = check(&t);
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].what.contains("cycle between top-level parts"), "{v:?}");
        // A longer ring: domain -> store -> io -> domain.
        let mut t = clean_tree();
        t.push(src("domain/k.rs", "use crate::store::Store;\n"));
        t.push(src("store/x.rs", "use crate::{io::sheet, domain};\n"));
        let v = check(&t);
        assert!(v.iter().any(|v| v.what.contains("cycle")), "{v:?}");
    }

    #[test]
    fn a_cycle_between_modules_of_a_part_fails() {
        let mut t = clean_tree();
        t.push(src(
            "domain/results.rs",
            "use crate::domain::decisions::Applied;\n",
        ));
        t.push(src("domain/decisions.rs", "use super::results::Results;\n"));
        let v = check(&t);
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(
            v[0].what.contains("cycle between modules")
                && v[0].what.contains("domain::results")
                && v[0].what.contains("domain::decisions"),
            "{v:?}"
        );
    }

    #[test]
    fn a_long_file_fails_but_its_tests_do_not_count() {
        let body = "fn f() {}\n".repeat(MAX_LINES + 1);
        let mut t = clean_tree();
        t.push(src("io/big.rs", &body));
        let v = check(&t);
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].what.contains("lines of non-test code"));
        let body = format!(
            "{}#[cfg(test)]\nmod tests {{\n{}}}\n",
            "fn f() {}\n".repeat(MAX_LINES - 5),
            "fn t() {}\n".repeat(2000)
        );
        let mut t = clean_tree();
        t.push(src("io/big.rs", &body));
        assert_eq!(check(&t), vec![]);
    }
}
