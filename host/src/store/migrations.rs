//! The schema, as an ordered list of migrations. Never edit a released migration: append.
//! The SQL stays plain (TEXT, INTEGER) so the same list can serve PostgreSQL.

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
];
