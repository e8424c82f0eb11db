//! Paging of the API's lists: a page of at most `limit` rows and, when more follow, the
//! cursor of the next page (`next`), to pass back as `after`. Cursors are opaque to clients.

use crate::AppError;

/// Rows of a page when the client asks for no `limit`.
pub const DEFAULT_LIMIT: u32 = 100;
/// The largest `limit` accepted.
pub const MAX_LIMIT: u32 = 1000;

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last one.
    pub next: Option<String>,
}

/// The page size asked for: 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when absent; otherwise
/// the field error `limit`/`out_of_range`.
pub fn limit(asked: Option<u32>) -> Result<usize, AppError> {
    match asked.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => Ok(n as usize),
        _ => Err(AppError::field("limit", "out_of_range")),
    }
}

/// The page of `rows`, read with one row more than `limit` to learn whether more follow;
/// `cursor` gives the position of a page's last row.
pub fn page<T>(mut rows: Vec<T>, limit: usize, cursor: impl Fn(&T) -> String) -> Page<T> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more { rows.last().map(cursor) } else { None };
    Page { items: rows, next }
}

/// A page of a list read whole (an organization's settings, catalogue and stock: hundreds
/// to some thousands of rows), ordered by `key` — an id, which is a creation order since ids
/// are UUIDv7, or a date. The page holds the rows whose key follows `after`, the key of the
/// previous page's last row, so adding or removing rows between two calls neither skips nor
/// repeats one; a cursor that is not such a key is [`bad_cursor`].
pub fn by_key<T, K>(
    mut rows: Vec<T>,
    key: impl Fn(&T) -> K,
    after: Option<&str>,
    asked: Option<u32>,
) -> Result<Page<T>, AppError>
where
    K: Ord + std::str::FromStr + std::fmt::Display,
{
    let limit = limit(asked)?;
    let after: Option<K> = after
        .map(|a| a.parse().map_err(|_| bad_cursor()))
        .transpose()?;
    rows.sort_by_cached_key(|r| key(r));
    if let Some(after) = after {
        rows.retain(|r| key(r) > after);
    }
    rows.truncate(limit + 1);
    Ok(page(rows, limit, |r| key(r).to_string()))
}

/// A cursor this module did not write: the field error `after`/`invalid_cursor`.
pub fn bad_cursor() -> AppError {
    AppError::field("after", "invalid_cursor")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_says_whether_more_follow() {
        let p = page(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.next.as_deref(), Some("2"));
        let p = page(vec![1, 2], 2, |n| n.to_string());
        assert_eq!((p.items.len(), p.next), (2, None));
        assert_eq!(limit(None).unwrap(), 100);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(1001)).is_err());
        assert_eq!(limit(Some(1000)).unwrap(), 1000);
    }

    #[test]
    fn pages_by_key_cover_the_list_once_in_key_order() {
        let rows = vec![5u32, 1, 4, 2, 3];
        let p = by_key(rows.clone(), |n| *n, None, Some(2)).unwrap();
        assert_eq!((p.items, p.next.as_deref()), (vec![1, 2], Some("2")));
        let p = by_key(rows.clone(), |n| *n, Some("2"), Some(2)).unwrap();
        assert_eq!((p.items, p.next.as_deref()), (vec![3, 4], Some("4")));
        let p = by_key(rows.clone(), |n| *n, Some("4"), Some(2)).unwrap();
        assert_eq!((p.items, p.next), (vec![5], None));
        // A row removed since: the next page starts after its key all the same.
        let p = by_key(vec![1u32, 3, 4], |n| *n, Some("2"), Some(2)).unwrap();
        assert_eq!(p.items, vec![3, 4]);
        assert!(by_key(rows.clone(), |n| *n, Some("x"), None).is_err());
        assert!(by_key(rows, |n| *n, None, Some(0)).is_err());
    }
}
