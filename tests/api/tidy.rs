//! Tidy checks: the architecture's rules that code review would miss.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if !matches!(name.as_str(), "target" | "node_modules" | ".git" | "data") {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let mut files = Vec::new();
    for krate in [
        "app", "store", "search", "schema", "server", "tests", "bench",
    ] {
        rust_files(&root().join(krate), &mut files);
    }
    assert!(files.len() > 20);
    let missing: Vec<_> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//!"))
        .map(|f| f.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "these files need a //! module doc saying what they are for: {missing:?}"
    );
}

fn dependencies(krate: &str) -> Vec<String> {
    let manifest = std::fs::read_to_string(root().join(krate).join("Cargo.toml")).unwrap();
    let mut deps = Vec::new();
    let mut in_deps = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && let Some((name, _)) = line.split_once(['=', '.']) {
            deps.push(name.trim().to_owned());
        }
    }
    deps
}

/// Each technology has one owner; our crates depend on each other only in
/// the documented direction (server → schema → app ← store, search).
#[test]
fn crates_depend_only_on_what_the_architecture_allows() {
    let owners: &[(&str, &[&str])] = &[
        ("surrealdb", &["store"]),
        ("object_store", &["store"]),
        ("tantivy", &["search"]),
        ("meilisearch-sdk", &["search"]),
        ("frostem", &["search"]),
        ("async-graphql", &["schema", "server"]),
        ("axum", &["server"]),
        // The benchmark tool is a program of its own, with its own flags.
        ("clap", &["server", "bench"]),
        ("hyper", &["server"]),
        ("icalendar", &["server"]),
    ];
    let ours: &[(&str, &[&str])] = &[
        ("app", &[]),
        ("store", &["app"]),
        ("search", &["app"]),
        ("schema", &["app"]),
        ("server", &["app", "store", "search", "schema"]),
        // A client like any other: it speaks to a server over the wire only.
        ("bench", &[]),
    ];
    for (krate, allowed) in ours {
        let deps = dependencies(krate);
        for (tech, owners) in owners {
            if deps.iter().any(|d| d == tech) {
                assert!(
                    owners.contains(krate),
                    "{krate} must not depend on {tech}; that belongs to {owners:?}"
                );
            }
        }
        for (other, _) in ours {
            if deps.iter().any(|d| d == other) {
                assert!(
                    allowed.contains(other),
                    "{krate} must not depend on {other}"
                );
            }
        }
    }
}

#[test]
fn only_the_server_reads_the_environment() {
    let mut files = Vec::new();
    for krate in ["app", "store", "search", "schema"] {
        rust_files(&root().join(krate).join("src"), &mut files);
    }
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            !text.contains("std::env::var"),
            "{} reads the environment",
            f.display()
        );
    }
}

#[test]
fn the_committed_schema_is_current() {
    let path = root().join("schema").join("schema.graphql");
    let current = schema::sdl();
    if std::env::var_os("LFF_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "schema/schema.graphql is stale; regenerate it with `LFF_UPDATE_SCHEMA=1 cargo test -p tests the_committed_schema_is_current` and commit it"
    );
}

/// The GraphQL names that clients rely on (the product's binding list, as
/// far as it is built): each field exists with these arguments and this
/// type. Extra optional arguments are allowed.
#[test]
fn the_binding_api_names_are_kept() {
    let sdl = std::fs::read_to_string(root().join("schema").join("schema.graphql")).unwrap();
    let bindings: &[(&str, &[&str], &str)] = &[
        ("me", &[], "User"),
        ("countries", &[], "[Country!]!"),
        (
            "schools",
            &[
                "country: String",
                "status: SchoolStatus",
                "first: Int",
                "after: String",
            ],
            "SchoolConnection!",
        ),
        ("school", &["id: ID!"], "School"),
        ("space", &["id: ID!"], "Space"),
        (
            "mySpaces",
            &["first: Int", "after: String"],
            "SpaceConnection!",
        ),
        (
            "login",
            &["login: String!", "password: String!"],
            "Session!",
        ),
        ("logout", &[], "Boolean!"),
        ("approveSchool", &["id: ID!", "reason: String"], "School!"),
        ("rejectSchool", &["id: ID!", "reason: String!"], "School!"),
        ("createSpace", &["input: CreateSpaceInput!"], "Space!"),
        (
            "postMessage",
            &["channelId: ID!", "body: String!", "replyTo: ID"],
            "Message!",
        ),
        (
            "spaceEvents",
            &["spaceId: ID!", "after: String"],
            "SpaceEvent!",
        ),
        ("notifications", &[], "Notification!"),
    ];
    // The lines of the root types only.
    let mut root_lines = Vec::new();
    let mut in_root = false;
    for line in sdl.lines() {
        if line.starts_with("type ") {
            in_root = ["type Query ", "type Mutation ", "type Subscription "]
                .iter()
                .any(|t| line.starts_with(t));
        } else if in_root {
            root_lines.push(line.trim());
        }
    }
    for (field, args, ty) in bindings {
        let line = root_lines
            .iter()
            .find(|l| l.starts_with(&format!("{field}(")) || l.starts_with(&format!("{field}:")))
            .unwrap_or_else(|| panic!("the schema has no field {field}"));
        for a in *args {
            assert!(line.contains(a), "{field} lost its argument `{a}`: {line}");
        }
        assert!(
            line.ends_with(&format!(": {ty}")),
            "{field} must be of type {ty}: {line}"
        );
    }
}
