//! Limits async-graphql lacks, checked right after parsing:
//!
//! * the number of aliases in one document — aliases let one small document
//!   ask for the same field hundreds of times;
//! * how deeply fragments spread into fragments — a long chain costs the
//!   server work in every later phase while each link looks harmless;
//!
//! and one checked before parsing: how deeply braces, brackets and
//! parentheses nest ([`nesting_ok`]). The parser recurses once per level
//! before any depth limit applies, so a 16 KiB document of 8,000 nested
//! selections could overflow a worker's stack and abort the process.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerResult, Variables};

use crate::errors::{ErrorCode, error_with_code};

/// Deepest nesting of `{`, `[` and `(` a document may have before it is
/// parsed at all; the field depth limit (12 by default) applies after.
pub const MAX_NESTING: usize = 64;

/// Whether `query` nests braces, brackets and parentheses at most
/// [`MAX_NESTING`] deep, outside strings and comments. A linear scan that
/// needs no stack: it runs before the recursive parser sees the document.
pub fn nesting_ok(query: &str) -> bool {
    let b = query.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                // A block string ends at the next unescaped """.
                i += 3;
                while i < b.len() && !b[i..].starts_with(b"\"\"\"") {
                    i += if b[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return false;
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    true
}

fn nesting_error() -> async_graphql::ServerError {
    error_with_code(
        ErrorCode::BadUserInput,
        format!("the document nests more than {MAX_NESTING} levels deep"),
    )
}

pub(crate) struct DocumentLimits {
    pub max_aliases: usize,
    pub max_fragment_depth: usize,
}

impl ExtensionFactory for DocumentLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DocumentLimitsExtension {
            max_aliases: self.max_aliases,
            max_fragment_depth: self.max_fragment_depth,
        })
    }
}

struct DocumentLimitsExtension {
    max_aliases: usize,
    max_fragment_depth: usize,
}

fn count(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|s| match &s.node {
            Selection::Field(f) => {
                usize::from(f.node.alias.is_some()) + count(&f.node.selection_set.node)
            }
            Selection::InlineFragment(f) => count(&f.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

pub(crate) fn alias_count(doc: &ExecutableDocument) -> usize {
    let ops: usize = doc
        .operations
        .iter()
        .map(|(_, op)| count(&op.node.selection_set.node))
        .sum();
    let frags: usize = doc
        .fragments
        .values()
        .map(|f| count(&f.node.selection_set.node))
        .sum();
    ops + frags
}

/// The longest chain of fragment spreads below a selection set. Memoised per
/// fragment so that fan-out cannot make this exponential; a cycle counts as
/// nothing here (validation rejects cycles with a clear message).
fn spread_depth<'d>(
    set: &'d SelectionSet,
    doc: &'d ExecutableDocument,
    memo: &mut HashMap<&'d str, Option<usize>>,
) -> usize {
    set.items
        .iter()
        .map(|s| match &s.node {
            Selection::Field(f) => spread_depth(&f.node.selection_set.node, doc, memo),
            Selection::InlineFragment(f) => spread_depth(&f.node.selection_set.node, doc, memo),
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                match memo.get(name) {
                    Some(Some(d)) => 1 + d,
                    Some(None) => 0,
                    None => {
                        memo.insert(name, None);
                        let d = doc
                            .fragments
                            .get(&spread.node.fragment_name.node)
                            .map(|f| spread_depth(&f.node.selection_set.node, doc, memo))
                            .unwrap_or(0);
                        memo.insert(name, Some(d));
                        1 + d
                    }
                }
            }
        })
        .max()
        .unwrap_or(0)
}

pub(crate) fn fragment_depth(doc: &ExecutableDocument) -> usize {
    let mut memo = HashMap::new();
    doc.operations
        .iter()
        .map(|(_, op)| spread_depth(&op.node.selection_set.node, doc, &mut memo))
        .max()
        .unwrap_or(0)
}

#[async_trait::async_trait]
impl Extension for DocumentLimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if !nesting_ok(query) {
            return Err(nesting_error());
        }
        let doc = next.run(ctx, query, variables).await?;
        let n = alias_count(&doc);
        if n > self.max_aliases {
            return Err(error_with_code(
                ErrorCode::BadUserInput,
                format!(
                    "the document uses {n} aliases; at most {} are allowed",
                    self.max_aliases
                ),
            ));
        }
        let d = fragment_depth(&doc);
        if d > self.max_fragment_depth {
            return Err(error_with_code(
                ErrorCode::BadUserInput,
                format!(
                    "fragments are nested {d} deep; at most {} levels are allowed",
                    self.max_fragment_depth
                ),
            ));
        }
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn nesting_is_measured_outside_strings_and_comments() {
        assert!(super::nesting_ok("{ a { b(x: [1, [2]]) { c } } }"));
        let deep = format!("{}{}", "{a".repeat(8000), "}".repeat(8000));
        assert!(!super::nesting_ok(&deep));
        let quoted = format!("{{ a(s: \"{}\") }}", "{".repeat(100));
        assert!(super::nesting_ok(&quoted));
        let block = format!("{{ a(s: \"\"\"{} \\\"\"\" \"\"\") }}", "[".repeat(100));
        assert!(super::nesting_ok(&block));
        let comment = format!("# {}\n{{ a }}", "(".repeat(100));
        assert!(super::nesting_ok(&comment));
        let at_the_limit = format!("{}{}", "{a".repeat(64), "}".repeat(64));
        assert!(super::nesting_ok(&at_the_limit));
    }

    #[test]
    fn aliases_are_counted_in_operations_and_fragments() {
        let doc = async_graphql::parser::parse_query(
            "query { a: me { id } b: me { x: id } ...F } fragment F on Query { c: me { id } }",
        )
        .unwrap();
        assert_eq!(super::alias_count(&doc), 4);
    }

    #[test]
    fn fragment_chains_are_measured_once_per_fragment() {
        let mut q = String::from("query { ...F0 ...F0 }");
        for i in 0..40 {
            // Each fragment spreads the next one twice: 2^40 paths, 40 levels.
            q.push_str(&format!(
                " fragment F{i} on Query {{ ...F{n} ...F{n} }}",
                n = i + 1
            ));
        }
        q.push_str(" fragment F40 on Query { me { id } }");
        let doc = async_graphql::parser::parse_query(&q).unwrap();
        assert_eq!(super::fragment_depth(&doc), 41);
        let cyclic = async_graphql::parser::parse_query(
            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
        )
        .unwrap();
        assert_eq!(super::fragment_depth(&cyclic), 2);
    }
}
