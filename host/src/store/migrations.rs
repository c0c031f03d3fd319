//! The schema, as an ordered list of migrations, and the code that applies them.
//!
//! The schema version is SQLite's `PRAGMA user_version`, and on PostgreSQL (which has no such
//! thing) the one row of the table [`POSTGRES_VERSION_TABLE`]: 0 for a new database, `n` once
//! migration `n` is in. Each migration runs in its own transaction together with the version
//! bump, so a crash or an error leaves the previous version and none of the new one.
//!
//! Never edit a released migration: append one. The SQL is written for SQLite and kept plain
//! (TEXT, INTEGER, BLOB, standard constraints, no `BEGIN`/`COMMIT`, type names in upper case)
//! so that [`to_postgres`] can translate it for PostgreSQL with a few word substitutions.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Migration `n` (1-based) is `MIGRATIONS[n - 1]`.
pub const MIGRATIONS: &[&str] = &[
    // 1: tenants, plugin versions, the audit log.
    "CREATE TABLE tenants (
        id TEXT PRIMARY KEY,
        settings TEXT NOT NULL,
        active_version INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE plugin_versions (
        tenant TEXT NOT NULL REFERENCES tenants(id),
        version INTEGER NOT NULL,
        digest TEXT NOT NULL,
        size INTEGER NOT NULL,
        wit_version TEXT NOT NULL,
        uploaded_at TEXT NOT NULL,
        status TEXT NOT NULL,
        PRIMARY KEY (tenant, version),
        UNIQUE (tenant, digest)
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        tenant TEXT,
        action TEXT NOT NULL,
        detail TEXT NOT NULL
    );",
    // 2: what callers asked for while the calendar could not help (callbacks, booking
    // intents), with delivery state for the tenant's notification URL; and callers' names.
    "CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL REFERENCES tenants(id),
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        call_id TEXT NOT NULL,
        phone TEXT,
        name TEXT,
        details TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        notified_at TEXT
    );
    CREATE INDEX requests_by_tenant ON requests (tenant, status);
    CREATE TABLE callers (
        tenant TEXT NOT NULL REFERENCES tenants(id),
        phone TEXT NOT NULL,
        name TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (tenant, phone)
    );",
    // 3: the components' bytes, by digest, so that every replica sharing a database can load
    // a plugin version another replica received.
    "CREATE TABLE components (
        digest TEXT PRIMARY KEY,
        bytes BLOB NOT NULL,
        size INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );",
    // 4: the call log: every tool call with its latency waterfall, and the platforms' call
    // events, so one phone call reads as a timeline. No foreign key to `tenants`: a log
    // record must never be refused (and its batch lost) over a tenant removed meanwhile.
    "CREATE TABLE call_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant TEXT NOT NULL,
        platform TEXT NOT NULL,
        call_id TEXT NOT NULL,
        tool TEXT NOT NULL,
        at TEXT NOT NULL,
        plugin_digest TEXT,
        outcome TEXT NOT NULL,
        error_code TEXT,
        speech TEXT NOT NULL,
        arguments TEXT NOT NULL,
        total_us INTEGER NOT NULL,
        waterfall TEXT NOT NULL
    );
    CREATE INDEX call_log_by_time ON call_log (tenant, id);
    CREATE INDEX call_log_by_call ON call_log (tenant, call_id);
    CREATE INDEX call_log_by_duration ON call_log (tenant, total_us);
    CREATE INDEX call_log_by_at ON call_log (at);
    CREATE TABLE call_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant TEXT NOT NULL,
        platform TEXT NOT NULL,
        call_id TEXT NOT NULL,
        event TEXT NOT NULL,
        at TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX call_events_by_call ON call_events (tenant, call_id);
    CREATE INDEX call_events_by_at ON call_events (at);",
    // 5: replay recordings of the latest tool calls (compressed JSON), and the values they
    // refer to (upstream bodies, cache values), kept once per tenant by their hash.
    // `value_digests` lists those a recording refers to, so unreferenced values can be
    // swept without decoding recordings.
    "CREATE TABLE call_recordings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant TEXT NOT NULL,
        call_log_id INTEGER NOT NULL,
        at TEXT NOT NULL,
        recording BLOB NOT NULL,
        value_digests TEXT NOT NULL
    );
    CREATE INDEX call_recordings_by_tenant ON call_recordings (tenant, id);
    CREATE TABLE recorded_values (
        tenant TEXT NOT NULL,
        digest TEXT NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (tenant, digest)
    );",
    // 6: canaries: a candidate version serving a share of a tenant's phone calls, its rules
    // (kept with it, so every replica judges by the same ones), the outcomes counted by all
    // replicas, and how it ended.
    "CREATE TABLE canaries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant TEXT NOT NULL,
        candidate_version INTEGER NOT NULL,
        stable_version INTEGER NOT NULL,
        percent INTEGER NOT NULL,
        min_calls INTEGER NOT NULL,
        promote_after INTEGER NOT NULL,
        margin_percent INTEGER NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        stable_calls INTEGER NOT NULL DEFAULT 0,
        stable_failures INTEGER NOT NULL DEFAULT 0,
        candidate_calls INTEGER NOT NULL DEFAULT 0,
        candidate_failures INTEGER NOT NULL DEFAULT 0,
        started_at TEXT NOT NULL,
        started_by TEXT NOT NULL,
        ended_at TEXT
    );
    CREATE INDEX canaries_by_tenant ON canaries (tenant, id);",
    // 7: two indexes fewer on the call log, whose every row is a logged tool call: each index
    // is a B-tree insert at a random place per call (`make bench`: 3.5 µs of a row's 7). The
    // sweep goes by id instead of time, and slowest-first sorts the tenant's rows.
    "DROP INDEX call_log_by_duration;
    DROP INDEX call_log_by_at;",
];

/// The table that holds a PostgreSQL database's schema version, in its one row.
pub const POSTGRES_VERSION_TABLE: &str = "slotline_schema_version";

/// The advisory lock key every PostgreSQL migration and write transaction takes first
/// (`pg_advisory_xact_lock`): "slotline" in ASCII. Advisory locks are per database, so
/// databases on one server do not wait for each other.
pub const POSTGRES_LOCK: i64 = 0x736c_6f74_6c69_6e65;

/// A migration written for SQLite, as PostgreSQL wants it. Word by word (never inside a
/// longer identifier), outside quotes:
///
/// - `INTEGER PRIMARY KEY AUTOINCREMENT` becomes `BIGINT GENERATED BY DEFAULT AS IDENTITY
///   PRIMARY KEY`: SQLite's increasing row id;
/// - `INTEGER` becomes `BIGINT`: SQLite's integers are 64-bit, and the store reads every
///   integer as such;
/// - `BLOB` becomes `BYTEA`;
/// - `TEXT` becomes `TEXT COLLATE "C"`: SQLite compares text byte by byte, PostgreSQL by the
///   server's locale by default, which would order tenants and requests differently (and by
///   server).
pub fn to_postgres(sql: &str) -> String {
    const REPLACEMENTS: &[(&[&str], &str)] = &[
        (
            &["INTEGER", "PRIMARY", "KEY", "AUTOINCREMENT"],
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        ),
        (&["INTEGER"], "BIGINT"),
        (&["BLOB"], "BYTEA"),
        (&["TEXT"], "TEXT COLLATE \"C\""),
    ];
    let tokens = tokenize(sql);
    let mut out = String::with_capacity(sql.len() + sql.len() / 4);
    let mut at = 0;
    'tokens: while at < tokens.len() {
        for (words, replacement) in REPLACEMENTS {
            if let Some(next) = match_words(&tokens, at, words) {
                out.push_str(replacement);
                at = next;
                continue 'tokens;
            }
        }
        out.push_str(tokens[at].text);
        at += 1;
    }
    out
}

/// A piece of SQL: a word (letters, digits, `_`), a run of white space, a quoted string or
/// identifier, or any other character.
#[derive(Debug)]
struct Token<'a> {
    text: &'a str,
    kind: TokenKind,
}

#[derive(Debug, PartialEq, Eq)]
enum TokenKind {
    Word,
    Space,
    Other,
}

fn tokenize(sql: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut rest = sql;
    while let Some(first) = rest.chars().next() {
        let (len, kind) = if first.is_alphanumeric() || first == '_' {
            let len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (len, TokenKind::Word)
        } else if first.is_whitespace() {
            let len = rest
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(rest.len());
            (len, TokenKind::Space)
        } else if first == '\'' || first == '"' {
            // Up to and including the closing quote (a doubled quote reads as two strings,
            // which leaves it alone all the same).
            let len = rest[1..].find(first).map_or(rest.len(), |end| end + 2);
            (len, TokenKind::Other)
        } else {
            (first.len_utf8(), TokenKind::Other)
        };
        let (text, tail) = rest.split_at(len);
        tokens.push(Token { text, kind });
        rest = tail;
    }
    tokens
}

/// Whether `words` (separated by white space) start at `tokens[at]`; the index after them.
fn match_words(tokens: &[Token<'_>], mut at: usize, words: &[&str]) -> Option<usize> {
    for (n, word) in words.iter().enumerate() {
        if n > 0 {
            if tokens.get(at)?.kind != TokenKind::Space {
                return None;
            }
            at += 1;
        }
        let token = tokens.get(at)?;
        if token.kind != TokenKind::Word || token.text != *word {
            return None;
        }
        at += 1;
    }
    Some(at)
}

/// The schema version this binary migrates to.
#[cfg(test)]
pub fn latest() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// The database's schema version (`PRAGMA user_version`).
pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// The migration that comes after schema version `found`, if any; [`StoreError::TooNew`] for
/// a version this binary does not know (newer, or negative: nothing we wrote either).
fn next_migration<'a>(found: i64, migrations: &[&'a str]) -> Result<Option<&'a str>, StoreError> {
    let known = i64::try_from(migrations.len()).unwrap_or(i64::MAX);
    match usize::try_from(found) {
        Ok(applied) if found <= known => Ok(migrations.get(applied).copied()),
        _ => Err(StoreError::TooNew { found, known }),
    }
}

/// Applies the `migrations` the database has not seen, one transaction each.
///
/// Each step takes the write lock first (`BEGIN IMMEDIATE`) and reads the version inside it,
/// so two processes opening the same new file at once cannot both run a migration.
pub fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<(), StoreError> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = schema_version(&tx)?;
        let Some(sql) = next_migration(found, migrations)? else {
            return Ok(());
        };
        let version = found + 1;
        tx.execute_batch(sql)
            .map_err(|source| StoreError::Migration { version, source })?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "store schema migrated");
    }
}

/// The PostgreSQL database's schema version (0 before the first migration).
pub async fn postgres_schema_version(
    client: &impl tokio_postgres::GenericClient,
) -> Result<i64, tokio_postgres::Error> {
    let row = client
        .query_opt(
            &format!("SELECT version FROM {POSTGRES_VERSION_TABLE}"),
            &[],
        )
        .await?;
    row.map_or(Ok(0), |row| row.try_get(0))
}

/// Applies the `migrations` a PostgreSQL database has not seen, each translated by
/// [`to_postgres`], one transaction each.
///
/// Each step first takes the advisory lock [`POSTGRES_LOCK`] and only then creates the version
/// table (if missing) and reads the version, so replicas starting at once against a new
/// database run each migration exactly once: the others wait, then see it done.
pub async fn migrate_postgres(
    client: &mut tokio_postgres::Client,
    migrations: &[&str],
) -> Result<(), StoreError> {
    loop {
        let tx = client.transaction().await?;
        tx.execute(
            &format!("SELECT pg_advisory_xact_lock({POSTGRES_LOCK})"),
            &[],
        )
        .await?;
        tx.batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS {POSTGRES_VERSION_TABLE} (
                 one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
                 version BIGINT NOT NULL
             )"
        ))
        .await?;
        let found = postgres_schema_version(&tx).await?;
        let Some(sql) = next_migration(found, migrations)? else {
            return Ok(());
        };
        let version = found + 1;
        tx.batch_execute(&to_postgres(sql))
            .await
            .map_err(|source| StoreError::PostgresMigration { version, source })?;
        tx.execute(
            &format!(
                "INSERT INTO {POSTGRES_VERSION_TABLE} (one, version) VALUES (TRUE, $1)
                 ON CONFLICT (one) DO UPDATE SET version = excluded.version"
            ),
            &[&version],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(version, "store schema migrated (PostgreSQL)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_types_replace_whole_words_only() {
        assert_eq!(
            to_postgres("id INTEGER PRIMARY KEY AUTOINCREMENT,\n  n INTEGER NOT NULL, b BLOB"),
            "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n  n BIGINT NOT NULL, b BYTEA"
        );
        assert_eq!(
            to_postgres("a TEXT, INTEGERS INTEGER_X, my_BLOB TEXTS, t2 TEXT)"),
            "a TEXT COLLATE \"C\", INTEGERS INTEGER_X, my_BLOB TEXTS, t2 TEXT COLLATE \"C\")"
        );
        assert_eq!(
            to_postgres("v INTEGER PRIMARY KEY, w INTEGER\tPRIMARY  KEY\nAUTOINCREMENT"),
            "v BIGINT PRIMARY KEY, w BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        );
    }

    #[test]
    fn quoted_text_is_not_translated() {
        assert_eq!(
            to_postgres("DEFAULT 'INTEGER BLOB', \"TEXT\" TEXT"),
            "DEFAULT 'INTEGER BLOB', \"TEXT\" TEXT COLLATE \"C\""
        );
    }

    #[test]
    fn every_migration_translates_to_postgres_types() {
        for (n, sql) in MIGRATIONS.iter().enumerate() {
            let translated = to_postgres(sql);
            for sqlite_only in ["INTEGER", "BLOB", "AUTOINCREMENT"] {
                assert!(
                    !translated.contains(sqlite_only),
                    "migration {}: {sqlite_only} left in {translated}",
                    n + 1
                );
            }
            // Nothing but the types changed.
            let strip = |s: &str| {
                s.replace("GENERATED BY DEFAULT AS IDENTITY ", "")
                    .replace(" COLLATE \"C\"", "")
                    .replace("BIGINT", "INTEGER")
                    .replace("BYTEA", "BLOB")
                    .replace(" AUTOINCREMENT", "")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            assert_eq!(strip(&translated), strip(sql), "migration {}", n + 1);
        }
    }

    #[test]
    fn a_failed_migration_is_rolled_back_whole() -> Result<(), StoreError> {
        let mut conn = Connection::open_in_memory()?;
        let broken = [
            MIGRATIONS[0],
            "CREATE TABLE extra (a INTEGER); THIS IS NOT SQL;",
        ];
        let err = migrate(&mut conn, &broken);
        assert!(
            matches!(err, Err(StoreError::Migration { version: 2, .. })),
            "{err:?}"
        );
        assert_eq!(schema_version(&conn)?, 1);
        let extra: i64 = conn.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'extra'",
            [],
            |row| row.get(0),
        )?;
        assert_eq!(extra, 0);
        // Fixed, the migration goes through from where it stopped.
        let fixed = [MIGRATIONS[0], "CREATE TABLE extra (a INTEGER);"];
        migrate(&mut conn, &fixed)?;
        assert_eq!(schema_version(&conn)?, 2);
        Ok(())
    }

    #[test]
    fn versions_outside_the_known_range_are_too_new() {
        let list = ["a", "b"];
        assert!(matches!(next_migration(0, &list), Ok(Some("a"))));
        assert!(matches!(next_migration(2, &list), Ok(None)));
        assert!(matches!(
            next_migration(3, &list),
            Err(StoreError::TooNew { found: 3, known: 2 })
        ));
        assert!(matches!(
            next_migration(-1, &list),
            Err(StoreError::TooNew { found: -1, .. })
        ));
    }
}
