//! Paging of every list: the page a client asks for, the page it gets, and
//! the two cursor formats (an opaque sort key, or a log position).

use crate::kernel::error::{Error, Result};

/// One page of a list, with the opaque cursor of each item.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<(String, T)>,
    pub has_next: bool,
}

impl<T> Page<T> {
    /// A page of a list held whole in memory, each item with its sort key;
    /// keys compare as strings, in the list's order.
    pub fn of_sorted(mut items: Vec<(String, T)>, page: &PageRequest) -> Page<T> {
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let rest: Vec<(String, T)> = items
            .into_iter()
            .filter(|(k, _)| page.after.as_ref().is_none_or(|a| k > a))
            .collect();
        let (rest, has_next) = split_look_ahead(rest, page.limit);
        Page {
            items: rest
                .into_iter()
                .map(|(k, t)| (encode_cursor(&k), t))
                .collect(),
            has_next,
        }
    }
}

/// Where a list page starts and how long it is.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// The sort key of the last item seen (decoded from the client's cursor).
    pub after: Option<String>,
    pub limit: usize,
}

pub const MAX_PAGE: usize = 100;

impl PageRequest {
    /// `first` defaults to 20 and may be 1–100; `after` is a cursor from an earlier page.
    pub fn parse(first: Option<i32>, after: Option<&str>) -> Result<Self> {
        let limit = match first {
            None => 20,
            Some(n) if (1..=MAX_PAGE as i32).contains(&n) => n as usize,
            Some(_) => {
                return Err(Error::invalid(
                    "first",
                    format!("ask for 1 to {MAX_PAGE} items"),
                ));
            }
        };
        let after = after
            .map(|c| {
                decode_cursor(c)
                    .ok_or_else(|| Error::invalid("after", "not a cursor from this list"))
            })
            .transpose()?;
        Ok(PageRequest { after, limit })
    }

    /// How many rows to read for this page: one more than it holds, so that
    /// whether more follow is read, not guessed (see [`split_look_ahead`]).
    pub fn look_ahead(&self) -> usize {
        self.limit + 1
    }
}

/// Rows read with one look-ahead row, as the page of `limit` and whether
/// more follow. Every list pages this way, so that its largest page tells
/// the truth too.
pub fn split_look_ahead<T>(mut rows: Vec<T>, limit: usize) -> (Vec<T>, bool) {
    let more = rows.len() > limit;
    rows.truncate(limit);
    (rows, more)
}

pub fn encode_cursor(sort_key: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sort_key.as_bytes())
}

fn decode_cursor(c: &str) -> Option<String> {
    use base64::Engine as _;
    if c.len() > 800 {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// Parses a space cursor: the decimal position of an event in its space's log.
pub fn parse_seq_cursor(s: &str) -> Result<u64> {
    if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid("after", "not a cursor of this space"));
    }
    s.parse()
        .map_err(|_| Error::invalid("after", "not a cursor of this space"))
}

pub fn seq_cursor(seq: u64) -> String {
    seq.to_string()
}

/// A cursor into results an engine ranked: the position of the item.
pub fn offset_cursor(position: usize) -> String {
    encode_cursor(&format!("o{position}"))
}

/// Where ranked results continue after `after` (a [`PageRequest::after`]
/// of an [`offset_cursor`]): the position past it, or 0 without one.
pub fn offset_after(after: Option<&str>) -> Result<usize> {
    match after {
        None => Ok(0),
        Some(a) => a
            .strip_prefix('o')
            .filter(|n| !n.is_empty() && n.len() <= 20 && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<usize>().ok())
            .map(|n| n.saturating_add(1))
            .ok_or_else(|| Error::invalid("after", "not a cursor of these results")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_cursors_continue_past_their_item_and_garbage_is_refused() {
        let page = PageRequest::parse(Some(5), Some(&offset_cursor(41))).unwrap();
        assert_eq!(offset_after(page.after.as_deref()).unwrap(), 42);
        assert_eq!(offset_after(None).unwrap(), 0);
        for bad in ["", "o", "o-1", "o+1", "x3", "o99999999999999999999999"] {
            assert!(offset_after(Some(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let p = PageRequest::parse(Some(5), Some(&encode_cursor("школа 1"))).unwrap();
        assert_eq!(p.after.as_deref(), Some("школа 1"));
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(101), None).is_err());
        assert!(PageRequest::parse(None, Some("%%%")).is_err());
    }
}
