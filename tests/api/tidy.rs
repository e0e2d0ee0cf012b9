//! Tidy checks: the architecture's rules that code review would miss.

use std::path::{Path, PathBuf};

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub(crate) fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
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
            in_deps = line == "[dependencies]" || line == "[dev-dependencies]";
            continue;
        }
        if in_deps && let Some((name, _)) = line.split_once(['=', '.']) {
            deps.push(name.trim().to_owned());
        }
    }
    deps
}

/// Each technology has one owner; our crates depend on each other only in
/// the documented direction (server → schema → app ← store, search), tests
/// included.
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

/// The text of every JavaScript module of the web front end.
fn front_end_sources() -> Vec<String> {
    let mut sources = Vec::new();
    let mut stack = vec![root().join("web/js")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "js") {
                sources.push(std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    sources
}

/// The message keys a front-end file asks for: `t('key')` and `t(`key`)`
/// with a fixed key, and the enumerations it labels with `label('Kind', …)`.
fn catalog_uses(source: &str) -> (Vec<String>, Vec<String>) {
    let mut keys = Vec::new();
    let mut enums = Vec::new();
    for (marker, out) in [("t(", &mut keys), ("label(", &mut enums)] {
        let mut rest = source;
        while let Some(at) = rest.find(marker) {
            let before = rest[..at].chars().last();
            rest = &rest[at + marker.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '`') else {
                continue;
            };
            let body = &rest[1..];
            let Some(end) = body.find(quote) else {
                continue;
            };
            let key = &body[..end];
            if !key.contains("${") {
                out.push(key.to_owned());
            }
        }
    }
    (keys, enums)
}

fn enum_values(schema: &str, name: &str) -> Vec<String> {
    let head = format!("enum {name} {{");
    let Some(at) = schema.find(&head) else {
        return Vec::new();
    };
    schema[at + head.len()..]
        .split('}')
        .next()
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with('"')
                && l.chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_string_of_the_front_end_is_in_every_catalog() {
    let web = root().join("web");
    let sources = front_end_sources();
    let mut keys = Vec::new();
    let mut enums = Vec::new();
    for s in &sources {
        let (k, e) = catalog_uses(s);
        keys.extend(k);
        enums.extend(e);
    }
    assert!(
        keys.len() > 200,
        "the scan found the front end's strings: {}",
        keys.len()
    );
    // Keys built at run time: every value of the enumerations they come from.
    let schema = std::fs::read_to_string(root().join("schema/schema.graphql")).unwrap();
    enums.extend(["Role", "NotificationKind", "EventStatus", "SearchKind"].map(String::from));
    enums.sort();
    enums.dedup();
    for e in &enums {
        let values = enum_values(&schema, e);
        assert!(!values.is_empty(), "{e} is an enumeration of the API");
        keys.extend(values.into_iter().map(|v| format!("{e}.{v}")));
    }
    for code in [
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "BAD_USER_INPUT",
        "CONFLICT",
        "RATE_LIMITED",
        "QUOTA_EXCEEDED",
        "PAYLOAD_TOO_LARGE",
        "RESYNC_REQUIRED",
        "INTERNAL",
        "NETWORK",
    ] {
        keys.push(format!("error.{code}"));
    }
    for k in [
        "context",
        "whatWasDone",
        "results",
        "evidence",
        "lessonsLearned",
    ] {
        keys.push(format!("material.gp.{k}"));
    }
    for phase in ["hashing", "sending", "finishing"] {
        keys.push(format!("upload.{phase}"));
    }
    // The front door says what each pillar of learning means.
    for p in enum_values(&schema, "Pillar") {
        keys.push(format!("welcome.pillar.{p}"));
    }
    // A twinning's answers, and what the school page says after each.
    for k in ["accept", "decline", "end"] {
        keys.push(format!("school.twinning.{k}"));
        keys.push(format!("school.twinning.{k}Named"));
    }
    for done in ["accepted", "declined", "withdrawn", "ended"] {
        keys.push(format!("school.twinning.{done}"));
    }
    // The moderation queue's filter: each status, and all of them.
    for st in enum_values(&schema, "ReportStatus")
        .into_iter()
        .chain(["ALL".to_owned()])
    {
        keys.push(format!("reports.show.{st}"));
    }
    // The audit trail's columns.
    for col in ["when", "who", "what", "target", "outcome", "country"] {
        keys.push(format!("audit.col.{col}"));
    }
    // The Sustainable Development Goals by their names.
    for n in 1..=17 {
        keys.push(format!("sdg.{n}"));
    }
    keys.sort();
    keys.dedup();

    let languages = std::fs::read_to_string(web.join("js/i18n.js")).unwrap();
    let mut catalogs = Vec::new();
    for e in std::fs::read_dir(web.join("i18n")).unwrap() {
        let p = e.unwrap().path();
        let code = p.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            languages.contains(&format!("code: '{code}'")),
            "the catalog {code}.json is offered in LANGUAGES"
        );
        let cat: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        catalogs.push((code, cat));
    }
    assert!(catalogs.iter().any(|(c, _)| c == "en") && catalogs.iter().any(|(c, _)| c == "ru"));
    let english = &catalogs.iter().find(|(c, _)| c == "en").unwrap().1;
    for (code, cat) in &catalogs {
        let missing: Vec<&String> = keys.iter().filter(|k| !cat.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{code}.json lacks {missing:?}");
        let extra: Vec<&String> = cat.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(
            extra.is_empty(),
            "{code}.json has keys English lacks: {extra:?}"
        );
        for (k, v) in english {
            let placeholders = |v: &serde_json::Value| -> Vec<String> {
                let text = match v {
                    serde_json::Value::Object(m) => m
                        .values()
                        .filter_map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    other => other.as_str().unwrap_or("").to_owned(),
                };
                let mut out: Vec<String> = text
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(name, _)| name.to_owned()))
                    .filter(|name| name.chars().all(char::is_alphanumeric))
                    .collect();
                out.sort();
                out.dedup();
                out
            };
            assert_eq!(
                placeholders(v),
                placeholders(&cat[k]),
                "{code}.json's {k} keeps the placeholders of the English"
            );
        }
    }
}

/// The string literals of a JavaScript source (quotes, apostrophes and
/// template literals, with `${…}` parts left out), skipping comments.
fn js_strings(source: &str) -> Vec<String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
            continue;
        }
        if !matches!(c, '\'' | '"' | '`') {
            i += 1;
            continue;
        }
        let mut text = String::new();
        i += 1;
        let mut depth = 0;
        while i < chars.len() {
            let d = chars[i];
            if d == '\\' {
                i += 2;
                continue;
            }
            if c == '`' && d == '$' && chars.get(i + 1) == Some(&'{') {
                depth += 1;
                i += 2;
                continue;
            }
            if depth > 0 {
                match d {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                i += 1;
                continue;
            }
            if d == c || (c != '`' && d == '\n') {
                break;
            }
            text.push(d);
            i += 1;
        }
        i += 1;
        out.push(text);
    }
    out
}

/// The root type and root fields a GraphQL document selects, if the text
/// is a GraphQL document.
fn selected_root_fields(doc: &str) -> Option<(&'static str, Vec<String>)> {
    let d = doc.trim_start();
    let root = if d.starts_with('{') || d.starts_with("query") {
        "Query"
    } else if d.starts_with("mutation") {
        "Mutation"
    } else if d.starts_with("subscription") {
        "Subscription"
    } else {
        return None;
    };
    let mut parens = 0;
    let open = d.char_indices().find(|&(_, c)| {
        match c {
            '(' => parens += 1,
            ')' => parens -= 1,
            _ => {}
        }
        c == '{' && parens == 0
    })?;
    let body: Vec<char> = d[open.0 + 1..].chars().collect();
    let (mut braces, mut parens, mut i) = (1, 0, 0);
    let mut fields = Vec::new();
    while i < body.len() && braces > 0 {
        let c = body[i];
        match c {
            '{' => braces += 1,
            '}' => braces -= 1,
            '(' => parens += 1,
            ')' => parens -= 1,
            _ => {}
        }
        let starts_name = (c.is_ascii_alphabetic() || c == '_')
            && (i == 0
                || !(body[i - 1].is_ascii_alphanumeric()
                    || matches!(body[i - 1], '_' | '@' | '$' | '.')));
        if starts_name && braces == 1 && parens == 0 {
            let mut j = i;
            while j < body.len() && (body[j].is_ascii_alphanumeric() || body[j] == '_') {
                j += 1;
            }
            let name: String = body[i..j].iter().collect();
            let after = body[j..].iter().find(|c| !c.is_whitespace());
            if after != Some(&':') {
                fields.push(name);
            }
            i = j;
            continue;
        }
        i += 1;
    }
    Some((root, fields))
}

/// The fields of a root type of the committed schema.
fn schema_root_fields(sdl: &str, root: &str) -> Vec<String> {
    let head = format!("type {root} {{");
    let Some(at) = sdl.find(&head) else {
        return Vec::new();
    };
    let block = sdl[at + head.len()..].split("\n}").next().unwrap_or("");
    let mut out = Vec::new();
    let mut in_doc = false;
    // Arguments may span lines; a field starts a line outside them.
    let mut parens = 0;
    for line in block.lines() {
        let l = line.trim();
        if l.starts_with("\"\"\"") {
            in_doc = !(in_doc || (l.len() > 3 && l.ends_with("\"\"\"")));
            continue;
        }
        if in_doc || l.is_empty() {
            continue;
        }
        let name: String = l
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && parens == 0 {
            out.push(name);
        }
        parens += l.matches('(').count() as i32 - l.matches(')').count() as i32;
    }
    out
}

/// Fields for API clients only, which no screen needs.
const API_ONLY: &[&str] = &[
    // Small files in one GraphQL multipart request; the portal sends every
    // file with the resumable upload, which survives a dropped connection.
    "Mutation.uploadMaterialFile",
];

/// Root fields the portal does not reach yet: the rest of the work of
/// making every capability reachable from a screen. This list only shrinks.
const NOT_YET_IN_THE_PORTAL: &[&str] = &[];

/// Every root field of the API is used by a screen of the portal, but
/// those for API clients only; the portal's GraphQL documents are read
/// from its sources.
#[test]
fn every_root_field_has_a_screen() {
    let sdl = std::fs::read_to_string(root().join("schema/schema.graphql")).unwrap();
    let mut used = std::collections::BTreeSet::new();
    for source in front_end_sources() {
        for s in js_strings(&source) {
            if let Some((root, fields)) = selected_root_fields(&s) {
                used.extend(fields.into_iter().map(|f| format!("{root}.{f}")));
            }
        }
    }
    assert!(
        used.contains("Query.me") && used.contains("Mutation.login"),
        "{used:?}"
    );
    let mut missing = Vec::new();
    let mut stale = Vec::new();
    let mut count = 0;
    for root in ["Query", "Mutation", "Subscription"] {
        for f in schema_root_fields(&sdl, root) {
            count += 1;
            let name = format!("{root}.{f}");
            let listed =
                API_ONLY.contains(&name.as_str()) || NOT_YET_IN_THE_PORTAL.contains(&name.as_str());
            match (used.contains(&name), listed) {
                (false, false) => missing.push(name),
                (true, true) => stale.push(name),
                _ => {}
            }
        }
    }
    assert!(count > 100, "the schema's root fields were read: {count}");
    assert!(
        missing.is_empty(),
        "root fields no screen uses (give them a screen, or list them as API-only with a reason): {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "root fields a screen uses now: take them off the lists: {stale:?}"
    );
}

#[test]
fn the_portal_scan_reads_graphql_documents_as_a_client_sends_them() {
    let src = "const Q = `query($c: String) { a: schools(country: $c) { nodes { id } } me { id } }`;\n\
               // gql('{ commented }')\n\
               gql('mutation($i: X!) { applySchool(input: $i) { id } }');\n\
               const s = `subscription { spaceEvents(spaceId: ${id}) { cursor } }`;";
    let docs: Vec<_> = js_strings(src)
        .iter()
        .filter_map(|s| selected_root_fields(s))
        .collect();
    assert_eq!(
        docs,
        vec![
            ("Query", vec!["schools".to_owned(), "me".to_owned()]),
            ("Mutation", vec!["applySchool".to_owned()]),
            ("Subscription", vec!["spaceEvents".to_owned()]),
        ]
    );
}
