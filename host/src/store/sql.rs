//! The one interface the store's logic talks to, whichever database is underneath.
//!
//! Every query is written once, in PostgreSQL's style (`$1`, `$2`, ...), with values that both
//! databases store the same way: NULL, 64-bit integers, text and bytes ([`Param`] going in,
//! [`Value`] coming out). [`Db`] runs such a query on a SQLite connection (after
//! [`to_sqlite`] renumbers the parameters as `?1`, `?2`, ...) or on a PostgreSQL connection or
//! transaction (see `pg.rs`). Keeping the logic in one place means both backends answer the
//! same way, and the SQLite tests exercise the same code the PostgreSQL ones do.
//!
//! PostgreSQL types parameters strictly, so queries follow two rules: compare a parameter that
//! may be NULL as `CAST($1 AS TEXT) IS NULL` (a bare `$1 IS NULL` has no type), and read
//! integers as 64-bit (every integer column is `BIGINT` there).
//!
//! Beyond those four kinds, two formats are the store's own, kept in text columns the same way
//! on both: times ([`now`]: RFC 3339, UTC, milliseconds) and JSON ([`parse_json`]).

use std::borrow::Cow;

use rusqlite::types::{ToSqlOutput, ValueRef};

use super::StoreError;
use super::event::StoreEvent;

/// A query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Param<'a> {
    /// SQL NULL.
    Null,
    /// An integer (`INTEGER` on SQLite, `BIGINT` on PostgreSQL).
    Int(i64),
    /// Text.
    Text(&'a str),
    /// Bytes (`BLOB` on SQLite, `BYTEA` on PostgreSQL).
    Bytes(&'a [u8]),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(text: &'a str) -> Self {
        Param::Text(text)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(text: &'a String) -> Self {
        Param::Text(text)
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(text: Option<&'a str>) -> Self {
        text.map_or(Param::Null, Param::Text)
    }
}

impl<'a> From<&'a Option<String>> for Param<'a> {
    fn from(text: &'a Option<String>) -> Self {
        Param::from(text.as_deref())
    }
}

impl<'a> From<&'a [u8]> for Param<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Param::Bytes(bytes)
    }
}

impl From<i64> for Param<'_> {
    fn from(n: i64) -> Self {
        Param::Int(n)
    }
}

impl From<u32> for Param<'_> {
    fn from(n: u32) -> Self {
        Param::Int(i64::from(n))
    }
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Param::Null => ValueRef::Null,
            Param::Int(n) => ValueRef::Integer(n),
            Param::Text(text) => ValueRef::Text(text.as_bytes()),
            Param::Bytes(bytes) => ValueRef::Blob(bytes),
        }))
    }
}

/// `[Param, ...]` from values that convert into one: `params![tenant, version, None::<&str>]`.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        &[$($crate::store::sql::Param::from($value)),*][..]
    };
}
pub(crate) use params;

/// A column's value as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes.
    Bytes(Vec<u8>),
}

impl Value {
    /// What kind of value this is, for error messages (never the value: it may be large).
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "an integer",
            Value::Text(_) => "text",
            Value::Bytes(_) => "bytes",
        }
    }
}

/// One result row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row(pub(crate) Vec<Value>);

impl Row {
    /// Column `index` as a `T`. A column of another type is [`StoreError::Corrupt`]: the
    /// store's own queries always read what its schema holds.
    pub(crate) fn get<T: FromValue>(&self, index: usize) -> Result<T, StoreError> {
        let value = self.0.get(index).unwrap_or(&Value::Null);
        T::from_value(value).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "column {index} holds {}, not {}",
                value.kind(),
                T::EXPECTED
            ))
        })
    }
}

/// A Rust type a column can be read as.
pub(crate) trait FromValue: Sized {
    /// What the column should hold, for error messages.
    const EXPECTED: &'static str;
    /// The value as `Self`, or `None` when it does not fit.
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    const EXPECTED: &'static str = "an integer";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
}

impl FromValue for u32 {
    const EXPECTED: &'static str = "an integer from 0 to 4294967295";
    fn from_value(value: &Value) -> Option<Self> {
        i64::from_value(value).and_then(|n| u32::try_from(n).ok())
    }
}

impl FromValue for u64 {
    const EXPECTED: &'static str = "a non-negative integer";
    fn from_value(value: &Value) -> Option<Self> {
        i64::from_value(value).and_then(|n| u64::try_from(n).ok())
    }
}

impl FromValue for String {
    const EXPECTED: &'static str = "text";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(text) => Some(text.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    const EXPECTED: &'static str = "bytes";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Bytes(bytes) => Some(bytes.clone()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            value => T::from_value(value).map(Some),
        }
    }
}

/// Now, as the store writes times: RFC 3339, UTC, milliseconds.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A JSON text column. The store only ever writes valid JSON there, so anything else is
/// corruption, reported as such rather than papered over.
pub(super) fn parse_json(
    text: &str,
    what: impl FnOnce() -> String,
) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text)
        .map_err(|err| StoreError::Corrupt(format!("{} are not JSON ({err})", what())))
}

/// A connection or transaction the store's logic runs its queries on.
///
/// Async because PostgreSQL's client is (`pg.rs`); SQLite's side answers at once, and its
/// callers run it on the blocking pool (`backend.rs`). `Send`, so that the store's futures
/// are, and can be awaited on any of the gateway's workers.
#[async_trait::async_trait]
pub(crate) trait Db: Send {
    /// Runs a statement; returns the number of rows it changed.
    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError>;

    /// Runs a query; returns all its rows.
    async fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError>;

    /// Runs an `INSERT` of one row into a table whose key is `id`; the new row's id. SQLite
    /// reads it off the connection: `RETURNING` makes it build a result table for every row,
    /// which cost the call log's writer 3 µs of its 7 a row.
    async fn insert(&mut self, sql: &str, params: &[Param<'_>]) -> Result<i64, StoreError>;

    /// Tells other processes sharing the database about `event`, once the transaction
    /// commits. A no-op where nobody else can be listening (SQLite).
    async fn notify(&mut self, event: &StoreEvent) -> Result<(), StoreError>;

    /// The first row of a query, if any.
    async fn query_opt(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params).await?.into_iter().next())
    }

    /// The first row of a query that always returns one (an aggregate).
    async fn query_one(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Row, StoreError> {
        self.query_opt(sql, params)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("no row from `{sql}`")))
    }
}

/// A SQLite connection as a [`Db`]. Its futures are ready when first polled: the work is
/// done inside `poll`, which is why the store polls them on the blocking pool.
///
/// `&mut` rather than `&`: a `Connection` is not `Sync`, so only a unique reference to it is
/// `Send`, as [`Db`] must be. Write transactions are begun and ended by the store with plain
/// statements (`backend.rs`) for the same reason: `rusqlite::Transaction` holds a shared one.
pub(crate) struct Sqlite<'a>(pub(crate) &'a mut rusqlite::Connection);

impl Sqlite<'_> {
    fn run(&self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        let mut statement = self.0.prepare_cached(&to_sqlite(sql))?;
        let changed = statement.execute(rusqlite::params_from_iter(params))?;
        Ok(u64::try_from(changed).unwrap_or(u64::MAX))
    }

    fn rows(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        let mut statement = self.0.prepare_cached(&to_sqlite(sql))?;
        let columns = statement.column_count();
        let mut rows = statement.query(rusqlite::params_from_iter(params))?;
        let mut all = Vec::new();
        while let Some(row) = rows.next()? {
            let values = (0..columns)
                .map(|index| {
                    Ok(match row.get_ref(index)? {
                        ValueRef::Null => Value::Null,
                        ValueRef::Integer(n) => Value::Int(n),
                        ValueRef::Text(text) => {
                            Value::Text(String::from_utf8_lossy(text).into_owned())
                        }
                        ValueRef::Blob(bytes) => Value::Bytes(bytes.to_vec()),
                        ValueRef::Real(real) => {
                            return Err(StoreError::Corrupt(format!(
                                "column {index} holds the real number {real}; the store writes none"
                            )));
                        }
                    })
                })
                .collect::<Result<_, StoreError>>()?;
            all.push(Row(values));
        }
        Ok(all)
    }
}

#[async_trait::async_trait]
impl Db for Sqlite<'_> {
    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        self.run(sql, params)
    }

    async fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        self.rows(sql, params)
    }

    async fn insert(&mut self, sql: &str, params: &[Param<'_>]) -> Result<i64, StoreError> {
        self.run(sql, params)?;
        Ok(self.0.last_insert_rowid())
    }

    async fn notify(&mut self, _event: &StoreEvent) -> Result<(), StoreError> {
        // One process owns a SQLite store: whoever activated already knows.
        Ok(())
    }
}

/// A boxed future of a store operation's work: what the closures handed to `Store::read` and
/// `Store::write` return (`backend.rs`).
pub(crate) type Work<'c, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, StoreError>> + Send + 'c>>;

/// A query in the store's (PostgreSQL's) parameter style as SQLite wants it: `$N` becomes
/// `?N`. SQLite would read `$1` as a *named* parameter numbered by first appearance, which
/// silently swaps values when a query mentions `$2` before `$1`. Quoted text (`'...'`,
/// `"..."`) is left alone.
pub(crate) fn to_sqlite(sql: &str) -> Cow<'_, str> {
    if !sql.contains('$') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(open) => {
                // A doubled quote inside quotes is an escaped quote: leaving and re-entering
                // gives the same result.
                if c == open {
                    quote = None;
                }
                out.push(c);
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) => out.push('?'),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use futures::executor::block_on;

    use super::*;

    #[test]
    fn parameters_are_renumbered_for_sqlite() {
        assert_eq!(
            to_sqlite("SELECT a FROM t WHERE b = $2 AND c = $1 LIMIT $10"),
            "SELECT a FROM t WHERE b = ?2 AND c = ?1 LIMIT ?10"
        );
        assert_eq!(
            to_sqlite("WHERE CAST($1 AS TEXT) IS NULL OR tenant = $1"),
            "WHERE CAST(?1 AS TEXT) IS NULL OR tenant = ?1"
        );
    }

    #[test]
    fn quoted_dollars_and_plain_text_are_left_alone() {
        assert!(matches!(to_sqlite("SELECT 1"), Cow::Borrowed("SELECT 1")));
        assert_eq!(
            to_sqlite("SELECT '$1', 'it''s $2', \"$3\", $4, $ x"),
            "SELECT '$1', 'it''s $2', \"$3\", ?4, $ x"
        );
    }

    #[test]
    fn renumbered_parameters_bind_in_the_right_order() -> Result<(), StoreError> {
        let mut conn = rusqlite::Connection::open_in_memory()?;
        let mut db = Sqlite(&mut conn);
        let row = block_on(db.query_one("SELECT $2, $1, $2 || $1", params!["a", "b"]))?;
        assert_eq!(row.get::<String>(0)?, "b");
        assert_eq!(row.get::<String>(1)?, "a");
        assert_eq!(row.get::<String>(2)?, "ba");
        Ok(())
    }

    #[test]
    fn values_round_trip_and_mismatches_are_reported() -> Result<(), StoreError> {
        let mut conn = rusqlite::Connection::open_in_memory()?;
        let mut db = Sqlite(&mut conn);
        let bytes: &[u8] = &[0, 1, 255];
        let row = block_on(db.query_one(
            "SELECT $1, $2, $3, $4",
            params![7_i64, "x", bytes, None::<&str>],
        ))?;
        assert_eq!(row.get::<i64>(0)?, 7);
        assert_eq!(row.get::<u32>(0)?, 7);
        assert_eq!(row.get::<String>(1)?, "x");
        assert_eq!(row.get::<Vec<u8>>(2)?, bytes);
        assert_eq!(row.get::<Option<String>>(3)?, None);
        assert_eq!(row.get::<Option<i64>>(0)?, Some(7));
        assert!(matches!(row.get::<String>(0), Err(StoreError::Corrupt(_))));
        assert!(matches!(row.get::<i64>(3), Err(StoreError::Corrupt(_))));
        let negative = block_on(db.query_one("SELECT -1", params![]))?;
        assert!(matches!(
            negative.get::<u64>(0),
            Err(StoreError::Corrupt(_))
        ));
        Ok(())
    }
}
