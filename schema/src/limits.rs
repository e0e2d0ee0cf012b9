//! Limits async-graphql lacks, checked right after parsing:
//!
//! * the number of aliases in one document — aliases let one small document
//!   ask for the same field hundreds of times;
//! * how deeply fragments spread into fragments — a long chain costs the
//!   server work in every later phase while each link looks harmless.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerResult, Variables};

use crate::errors::{ErrorCode, error_with_code};

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
