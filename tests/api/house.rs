//! Tidy checks of the house's layout: module dependencies within each crate
//! form no cycle, and each shared mechanism (the request context, pages and
//! cursors, client ids, seeding) has one home.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::tidy::{root, rust_files};

/// The code of a file without its comments and its inline test module.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The modules of a crate's `src` by path (`""` is the crate root), with their code.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files
        .into_iter()
        .filter(|f| !f.starts_with(src.join("bin")))
        .map(|f| {
            let rel = f.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            if parts == ["lib"] || parts == ["main"] {
                parts.clear();
            }
            (
                parts.join("::"),
                code_of(&std::fs::read_to_string(&f).unwrap()),
            )
        })
        .collect()
}

/// Expands a use tree such as `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.split(" as ").next().unwrap().trim().to_owned()];
    };
    let Some(close) = tree.rfind('}').filter(|c| *c > open) else {
        // Not a use tree (a sentence in a string that happens to say "use").
        return Vec::new();
    };
    let prefix = tree[..open].trim_end_matches("::");
    let inner = &tree[open + 1..close];
    let (mut parts, mut depth, mut current) = (Vec::new(), 0, String::new());
    for ch in inner.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if ch == ',' && depth == 0 {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(ch);
        }
    }
    parts.push(current);
    parts
        .iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| expand(p))
        .map(|p| {
            if prefix.is_empty() {
                p
            } else {
                format!("{prefix}::{p}")
            }
        })
        .collect()
}

/// The paths a module's code names through `crate::`, `super::` or `self::`.
fn named_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        rest = &rest[i + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(end) = rest.find(';') {
            let tree: String = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
            paths.extend(expand(&tree));
        }
    }
    for start in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            let tail = &rest[i..];
            let len = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                paths.push(tail[..len].trim_end_matches(':').to_owned());
            }
            rest = &rest[i + start.len()..];
        }
    }
    paths
}

/// Which modules each module of a crate depends on. The crate root is left
/// out: it declares and composes the modules, and may name all of them.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules(src);
    let mut graph = BTreeMap::new();
    for (name, code) in &mods {
        if name.is_empty() {
            continue;
        }
        let own: Vec<&str> = name.split("::").collect();
        let mut deps = BTreeSet::new();
        for path in named_paths(code) {
            let segments: Vec<&str> = path.split("::").collect();
            let absolute: Vec<&str> = match segments[0] {
                "crate" => segments[1..].to_vec(),
                "super" => {
                    let mut base = own[..own.len() - 1].to_vec();
                    base.extend(&segments[1..]);
                    base
                }
                "self" => {
                    let mut base = own.clone();
                    base.extend(&segments[1..]);
                    base
                }
                _ => continue,
            };
            let target = (1..=absolute.len())
                .rev()
                .map(|k| absolute[..k].join("::"))
                .find(|m| mods.contains_key(m));
            if let Some(target) = target
                && target != *name
                && !name.starts_with(&format!("{target}::"))
            {
                deps.insert(target);
            }
        }
        graph.insert(name.clone(), deps);
    }
    graph
}

/// The strongly connected components of more than one module (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    struct Walk<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<BTreeSet<String>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, v: &'g str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = BTreeSet::new();
                loop {
                    let w = self.stack.pop().unwrap();
                    self.on_stack.remove(w);
                    component.insert(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found
}

#[test]
fn the_module_graph_sees_the_edges_it_must() {
    let graph = module_graph(&root().join("app").join("src"));
    assert!(graph["ports"].contains("kernel::blobs"), "{graph:?}");
    assert!(graph["events::room"].contains("events::room::model"));
    assert!(graph["kernel::id"].contains("kernel::error"));
    assert!(!graph["kernel::error"].contains("kernel::id"));
    let mut two = BTreeMap::new();
    two.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    two.insert("b".to_owned(), BTreeSet::from(["a".to_owned()]));
    two.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(
        cycles(&two),
        vec![BTreeSet::from(["a".to_owned(), "b".to_owned()])]
    );
}

/// Modules depend on each other in one direction only, so each can be read
/// knowing only what is below it.
#[test]
fn no_crate_has_a_module_cycle() {
    // Two GraphQL types that name each other, as the API's graph does:
    // `User.school` is a `School`, and `School.people` lists `User`s.
    let allowed: &[(&str, &[&str])] = &[("schema", &["network_types", "types"])];
    for krate in ["app", "store", "search", "schema", "server", "bench"] {
        let found = cycles(&module_graph(&root().join(krate).join("src")));
        let expected: Vec<BTreeSet<String>> = allowed
            .iter()
            .filter(|(k, _)| *k == krate)
            .map(|(_, m)| m.iter().map(|s| s.to_string()).collect())
            .collect();
        assert_eq!(
            found, expected,
            "{krate} has module cycles; move the shared part into a leaf module"
        );
    }
}

fn files_containing(krates: &[&str], needle: &str) -> BTreeSet<String> {
    let mut files = Vec::new();
    for krate in krates {
        rust_files(&root().join(krate).join("src"), &mut files);
    }
    files
        .into_iter()
        .filter(|f| code_of(&std::fs::read_to_string(f).unwrap()).contains(needle))
        .map(|f| {
            f.strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

fn only_in(found: BTreeSet<String>, homes: &[&str], what: &str) {
    let strays: Vec<_> = found
        .iter()
        .filter(|f| !homes.contains(&f.as_str()))
        .collect();
    assert!(
        strays.is_empty(),
        "{what} belongs in {homes:?}, not {strays:?}"
    );
}

/// Live events share one rendering among everyone whose answer cannot
/// differ; that is only sound if every resolver that reads who asks goes
/// through the one function that notes it.
#[test]
fn the_viewer_is_read_from_the_context_in_one_place() {
    for needle in [
        "data_opt::<app::Viewer>",
        "data::<app::Viewer>",
        "data_unchecked::<app::Viewer>",
    ] {
        only_in(
            files_containing(&["schema"], needle),
            &["schema/src/context.rs"],
            "reading the viewer",
        );
    }
}

#[test]
fn pages_cursors_and_client_ids_have_one_home() {
    only_in(
        files_containing(&["schema"], "PageRequest::parse"),
        &["schema/src/relay.rs"],
        "parsing a client's page",
    );
    only_in(
        files_containing(&["schema"], "Connection::new"),
        &["schema/src/relay.rs"],
        "building a connection",
    );
    only_in(
        files_containing(&["app", "schema"], "fn decode_cursor"),
        &["app/src/kernel/paging.rs"],
        "decoding a cursor",
    );
    only_in(
        files_containing(&["app", "schema", "store", "search", "server"], "base64::"),
        &["app/src/kernel/paging.rs", "app/src/kernel/secrets.rs"],
        "base64 (cursors and secrets)",
    );
}

/// The seeding entry points skip the checks a request passes; they are for
/// tests and the operator's `lff demo`, never for the API.
#[test]
fn seeding_is_unreachable_from_the_api() {
    for needle in ["seed_", "load_demo"] {
        only_in(
            files_containing(&["schema", "server"], needle),
            &["server/src/main.rs"],
            "seeding",
        );
    }
}
