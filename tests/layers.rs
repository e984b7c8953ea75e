//! The layers of `src/` point one way. Reads the layer list of `docs/ARCHITECTURE.md` (highest
//! first, one layer per line), finds every `crate::<module>` path in every source file of
//! every top-level module, and fails with the file and line of each edge that reaches a module
//! of its own layer or above. Edges that only point down cannot close a cycle.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// `app` holds the handles every layer shares; it may name these types of upper layers and
/// nothing else above it (docs/ARCHITECTURE.md).
const APP_HANDLE_TYPES: &[&str] = &[
    "crate::logs::deferred::DeferredLogs",
    "crate::service_keys::Signer",
];

/// The composition root: wires every layer together.
const ROOT_FILES: &[&str] = &["lib.rs", "main.rs"];

#[derive(Debug)]
struct Edge {
    from: String,
    to: String,
    /// The whole path as written, e.g. `crate::workers::enqueue`.
    path: String,
    file: PathBuf,
    line: usize,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Module name -> layer rank (0 is the lowest), from the fenced block after the layers marker.
fn written_layers() -> BTreeMap<String, usize> {
    let doc = fs::read_to_string(root().join("docs/ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let start = doc.find("<!-- layers").expect("a `<!-- layers` marker");
    let block = &doc[start..];
    let open = block
        .find("```text\n")
        .expect("a text block after the marker")
        + 8;
    let close = open + block[open..].find("```").expect("the block's end");
    let lines: Vec<&str> = block[open..close]
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut ranks = BTreeMap::new();
    for (highest_first, line) in lines.iter().enumerate() {
        for module in line.split_whitespace() {
            let rank = lines.len() - 1 - highest_first;
            assert!(
                ranks.insert(module.to_owned(), rank).is_none(),
                "{module} is listed twice in docs/ARCHITECTURE.md"
            );
        }
    }
    ranks
}

/// Top-level modules: each folder and each `.rs` file of `src/` but the root files.
fn top_level_modules(src: &Path) -> Vec<String> {
    let mut modules: Vec<String> = fs::read_dir(src)
        .expect("src/")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| !ROOT_FILES.contains(&name.as_str()))
        .map(|name| name.trim_end_matches(".rs").to_owned())
        .collect();
    modules.sort();
    modules.dedup();
    modules
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a source file with comments blanked out (line breaks kept), so that line
/// numbers still match and paths named in comments do not count.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for skipped in chars.by_ref() {
                    if skipped == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut previous = ' ';
                for skipped in chars.by_ref() {
                    if skipped == '\n' {
                        out.push('\n');
                    }
                    if previous == '*' && skipped == '/' {
                        break;
                    }
                    previous = skipped;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every `crate::` path in `code` with its line: `crate::a::b`, `$crate::a::b`, and each item
/// of `crate::{a, b::c}`, written out as `crate::a`, `crate::b::c`.
fn crate_paths(code: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("crate::") {
        let start = from + at;
        from = start + "crate::".len();
        if code[..start].chars().next_back().is_some_and(is_ident) {
            continue; // a longer identifier; `$crate::` in a macro does count
        }
        let line = code[..start].matches('\n').count() + 1;
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push((format!("crate::{}", item.trim()), line));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            if !item.trim().is_empty() {
                found.push((format!("crate::{}", item.trim()), line));
            }
        } else {
            let path: String = rest
                .chars()
                .take_while(|c| is_ident(*c) || *c == ':')
                .collect();
            found.push((format!("crate::{}", path.trim_end_matches(':')), line));
        }
    }
    found
}

fn edges(src: &Path, modules: &[String]) -> Vec<Edge> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut edges = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("inside src/");
        let first = relative.components().next().expect("a component");
        let from = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if ROOT_FILES.contains(&relative.to_string_lossy().as_ref()) {
            continue;
        }
        let code = without_comments(&fs::read_to_string(&file).expect("readable source"));
        for (path, line) in crate_paths(&code) {
            let to = path["crate::".len()..]
                .split(|c: char| !is_ident(c))
                .next()
                .unwrap_or_default()
                .to_owned();
            if to != from && modules.contains(&to) {
                edges.push(Edge {
                    from: from.clone(),
                    to,
                    path,
                    file: file.clone(),
                    line,
                });
            }
        }
    }
    edges
}

#[test]
fn layers_point_one_way() {
    let src = root().join("src");
    let ranks = written_layers();
    let modules = top_level_modules(&src);
    let unplaced: Vec<&String> = modules.iter().filter(|m| !ranks.contains_key(*m)).collect();
    assert!(
        unplaced.is_empty(),
        "modules of src/ missing from the layer list of docs/ARCHITECTURE.md: {unplaced:?}"
    );
    let stale: Vec<&String> = ranks.keys().filter(|m| !modules.contains(m)).collect();
    assert!(
        stale.is_empty(),
        "docs/ARCHITECTURE.md lists modules that src/ does not have: {stale:?}"
    );

    let upward: Vec<String> = edges(&src, &modules)
        .into_iter()
        .filter(|e| ranks[&e.to] >= ranks[&e.from])
        .filter(|e| !(e.from == "app" && APP_HANDLE_TYPES.contains(&e.path.as_str())))
        .map(|e| {
            let place = if ranks[&e.to] == ranks[&e.from] {
                "its own layer"
            } else {
                "a higher layer"
            };
            format!(
                "{}:{}: {} uses {} ({} is in {place} of docs/ARCHITECTURE.md)",
                e.file.strip_prefix(root()).unwrap_or(&e.file).display(),
                e.line,
                e.from,
                e.path,
                e.to,
            )
        })
        .collect();
    assert!(
        upward.is_empty(),
        "{} import(s) against the layer order:\n{}",
        upward.len(),
        upward.join("\n")
    );
}

#[test]
fn paths_are_read_from_code_only() {
    let code = without_comments(
        "use crate::{db::{self, DbConn}, logs};\n// crate::http\nlet s = \"// not a comment\"; \
         crate::jobs::enqueue(x);\n/* crate::workers */ $crate::paging::x",
    );
    let paths: Vec<String> = crate_paths(&code).into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        paths,
        [
            "crate::db::{self, DbConn}",
            "crate::logs",
            "crate::jobs::enqueue",
            "crate::paging::x"
        ]
    );
}
