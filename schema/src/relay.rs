//! Relay connections and ids, the same way for every list and every id
//! argument: the page a client asks for, the connection it gets, and
//! client ids parsed into the domain's.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{ID, OutputType, Result};

use crate::errors::GqlResult;

/// The page a client asks for with `first` (1–100, 20 when not given) and
/// `after`, and whether there are items before it.
pub(crate) fn page(first: Option<i32>, after: Option<&str>) -> Result<(app::PageRequest, bool)> {
    let page = app::PageRequest::parse(first, after).gql()?;
    let has_previous = page.after.is_some();
    Ok((page, has_previous))
}

/// [`page`], for a list whose pages are `default` long when `first` is not given.
pub(crate) fn page_or(
    first: Option<i32>,
    default: i32,
    after: Option<&str>,
) -> Result<(app::PageRequest, bool)> {
    page(Some(first.unwrap_or(default)), after)
}

/// The page size of a list paged by log position (`first`, 1–100, 20 when
/// not given).
pub(crate) fn page_size(first: Option<i32>) -> Result<usize> {
    Ok(page(first, None)?.0.limit)
}

/// An id received from a client; one that is not an id of ours is simply not found.
pub(crate) fn parse_id<T: app::PlatformId>(id: &ID) -> Result<T> {
    T::parse(id).gql()
}

/// An id received from a client for a field that answers null for what it
/// does not know: one that is not an id of ours is `None`.
pub(crate) fn known_id<T: app::PlatformId>(id: &ID) -> Option<T> {
    T::parse(id).ok()
}

/// [`parse_id`], where an unknown id is bad input of `field` rather than not found.
pub(crate) fn parse_id_of<T: app::PlatformId>(
    id: &ID,
    field: &'static str,
    message: &'static str,
) -> Result<T> {
    T::parse(id)
        .map_err(|_| app::Error::invalid(field, message))
        .gql()
}

/// Builds a Relay connection from a domain page.
pub(crate) fn connection<T, N: OutputType>(
    page: app::Page<T>,
    has_previous: bool,
    wrap: impl Fn(T) -> N,
) -> Connection<String, N> {
    edges(
        has_previous,
        page.has_next,
        page.items.into_iter().map(|(cursor, t)| (cursor, wrap(t))),
    )
}

/// A connection of items with their cursors, for lists the domain pages by
/// log position.
pub(crate) fn edges<N: OutputType>(
    has_previous: bool,
    has_next: bool,
    items: impl IntoIterator<Item = (String, N)>,
) -> Connection<String, N> {
    let mut c = Connection::new(has_previous, has_next);
    c.edges
        .extend(items.into_iter().map(|(cursor, n)| Edge::new(cursor, n)));
    c
}

/// A page of a short list held whole in memory, by position: the cursor is
/// an item's index in the list.
pub(crate) fn by_position<T, N: OutputType>(
    all: Vec<T>,
    page: &app::PageRequest,
    wrap: impl Fn(T) -> N,
) -> Result<Connection<String, N>> {
    let start = match &page.after {
        Some(k) => {
            k.parse::<usize>()
                .map_err(|_| app::Error::invalid("after", "not a cursor from this list"))
                .gql()?
                + 1
        }
        None => 0,
    };
    let has_next = all.len() > start + page.limit;
    Ok(edges(
        start > 0,
        has_next,
        all.into_iter()
            .enumerate()
            .skip(start)
            .take(page.limit)
            .map(|(i, t)| (app::encode_cursor(&i.to_string()), wrap(t))),
    ))
}

/// What a list field may cost: its page (`first`, or the list's default
/// page of `default`) times what one item costs. Negative sizes are refused
/// by the page itself; they cost nothing here.
pub(crate) fn cost(first: Option<i32>, default: usize, child_complexity: usize) -> usize {
    first.map_or(default, |n| n.max(0) as usize) * child_complexity
}
