//! The `canaries` table: a candidate plugin version serving a share of a tenant's phone calls
//! beside the active (stable) one, until it is promoted, rolled back or replaced.
//!
//! A tenant has at most one running canary. Its rules are stored with it, so every replica
//! judges it by the same numbers whatever its own configuration says, and its outcomes are
//! the sums every replica adds ([`Store::tally_canary`]). Ending one is a conditional update
//! (`WHERE state = 'running'`), so of two replicas deciding at once only one ends it; a
//! promotion changes the active version in the same transaction. Every change is audited and
//! announced like an activation, so other replicas follow it at once.

use serde::Serialize;

use super::audit::insert_audit;
use super::sql::{Db, Row, now, params};
use super::tenants::require_tenant;
use super::{Store, StoreError, StoreEvent, status};

/// When a canary is promoted or rolled back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CanaryRules {
    /// The candidate's tool calls before its failure rate is judged.
    pub min_calls: u32,
    /// The candidate's tool calls without regression after which it becomes the active version.
    pub promote_after: u32,
    /// How many percentage points the candidate's failure rate may exceed the stable one's.
    pub margin_percent: u32,
}

/// Where a canary is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CanaryState {
    /// Serving its share of phone calls.
    Running,
    /// It became the active version.
    Promoted,
    /// Its failure rate was too high: the stable version serves every new phone call.
    RolledBack,
    /// Another version was activated (or the canary replaced) by hand.
    Stopped,
}

impl CanaryState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Promoted => "promoted",
            Self::RolledBack => "rolled_back",
            Self::Stopped => "stopped",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "running" => Self::Running,
            "promoted" => Self::Promoted,
            "rolled_back" => Self::RolledBack,
            "stopped" => Self::Stopped,
            other => return Err(StoreError::Corrupt(format!("canary state {other:?}"))),
        })
    }
}

/// Tool calls and failures of one side of a canary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SideCounts {
    /// Tool calls answered.
    pub calls: u64,
    /// Of those, failures (traps, limits, deadlines, the plugin's own `internal` errors).
    pub failures: u64,
}

impl SideCounts {
    /// Failures per 100 calls (0 without calls).
    pub fn failure_percent(&self) -> f64 {
        if self.calls == 0 {
            return 0.0;
        }
        // Precision beyond 2^53 calls does not matter for a rate.
        #[allow(clippy::cast_precision_loss)]
        let rate = self.failures as f64 * 100.0 / self.calls as f64;
        rate
    }
}

/// One canary of a tenant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Canary {
    /// Increasing per store.
    pub id: i64,
    /// The tenant.
    pub tenant: String,
    /// The version under test.
    pub candidate_version: u32,
    /// The version that was active when it started.
    pub stable_version: u32,
    /// Share of new phone calls sent to the candidate.
    pub percent: u32,
    /// When it is promoted or rolled back.
    pub rules: CanaryRules,
    /// Where it is.
    pub state: CanaryState,
    /// Why it ended, in words.
    pub reason: Option<String>,
    /// The stable version's outcomes since the start, over all replicas.
    pub stable: SideCounts,
    /// The candidate's.
    pub candidate: SideCounts,
    /// When it started: RFC 3339, UTC.
    pub started_at: String,
    /// Who started it.
    pub started_by: String,
    /// When it ended.
    pub ended_at: Option<String>,
}

/// Counts one replica adds to a running canary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CanaryDelta {
    /// The stable version's.
    pub stable: SideCounts,
    /// The candidate's.
    pub candidate: SideCounts,
}

/// How a canary ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CanaryEnd {
    /// The candidate becomes the active version.
    Promoted(String),
    /// The stable version stays; the candidate serves no new phone call.
    RolledBack(String),
    /// Ended by hand.
    Stopped(String),
}

impl CanaryEnd {
    fn state(&self) -> CanaryState {
        match self {
            Self::Promoted(_) => CanaryState::Promoted,
            Self::RolledBack(_) => CanaryState::RolledBack,
            Self::Stopped(_) => CanaryState::Stopped,
        }
    }

    fn reason(&self) -> &str {
        match self {
            Self::Promoted(reason) | Self::RolledBack(reason) | Self::Stopped(reason) => reason,
        }
    }
}

const CANARY_COLUMNS: &str = "id, tenant, candidate_version, stable_version, percent, min_calls, \
     promote_after, margin_percent, state, reason, stable_calls, stable_failures, \
     candidate_calls, candidate_failures, started_at, started_by, ended_at";

fn canary_row(row: &Row) -> Result<Canary, StoreError> {
    Ok(Canary {
        id: row.get(0)?,
        tenant: row.get(1)?,
        candidate_version: row.get(2)?,
        stable_version: row.get(3)?,
        percent: row.get(4)?,
        rules: CanaryRules {
            min_calls: row.get(5)?,
            promote_after: row.get(6)?,
            margin_percent: row.get(7)?,
        },
        state: CanaryState::parse(&row.get::<String>(8)?)?,
        reason: row.get(9)?,
        stable: SideCounts {
            calls: row.get(10)?,
            failures: row.get(11)?,
        },
        candidate: SideCounts {
            calls: row.get(12)?,
            failures: row.get(13)?,
        },
        started_at: row.get(14)?,
        started_by: row.get(15)?,
        ended_at: row.get(16)?,
    })
}

fn count(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::OutOfRange(format!("the canary count {n}")))
}

/// The tenant's running canary, if any.
pub(super) async fn running(db: &mut dyn Db, tenant: &str) -> Result<Option<Canary>, StoreError> {
    db.query_opt(
        &format!(
            "SELECT {CANARY_COLUMNS} FROM canaries WHERE tenant = $1 AND state = 'running'
             ORDER BY id DESC LIMIT 1"
        ),
        params![tenant],
    )
    .await?
    .as_ref()
    .map(canary_row)
    .transpose()
}

/// Ends the tenant's running canary (if one runs) as `end`, audited by `actor`; the ended
/// canary, or `None` when none ran. Promoting makes the candidate the active version.
pub(super) async fn end_running(
    db: &mut dyn Db,
    tenant: &str,
    end: &CanaryEnd,
    actor: &str,
    at: &str,
) -> Result<Option<Canary>, StoreError> {
    let Some(canary) = running(db, tenant).await? else {
        return Ok(None);
    };
    let row = db
        .query_opt(
            &format!(
                "UPDATE canaries SET state = $2, reason = $3, ended_at = $4
             WHERE id = $1 AND state = 'running' RETURNING {CANARY_COLUMNS}"
            ),
            params![canary.id, end.state().as_str(), end.reason(), at],
        )
        .await?;
    let Some(ended) = row.as_ref().map(canary_row).transpose()? else {
        return Ok(None);
    };
    if let CanaryEnd::Promoted(_) = end {
        db.execute(
            "UPDATE tenants SET active_version = $2, updated_at = $3 WHERE id = $1",
            params![tenant, ended.candidate_version, at],
        )
        .await?;
    }
    insert_audit(
        db,
        at,
        actor,
        Some(tenant),
        &format!("plugin.canary.{}", end.state().as_str()),
        &format!(
            "version {} ({}% of calls, stable version {}): {}",
            ended.candidate_version,
            ended.percent,
            ended.stable_version,
            end.reason()
        ),
    )
    .await?;
    Ok(Some(ended))
}

impl Store {
    /// Starts a canary of `candidate` at `percent` of the tenant's new phone calls beside its
    /// active version, under `rules`, in one transaction with its audit entry; a canary that
    /// was running is stopped. Announced like an activation.
    ///
    /// [`StoreError::UnknownTenant`], [`StoreError::UnknownVersion`], or
    /// [`StoreError::CanaryRefused`] when the tenant has no active version or `candidate` is
    /// it; nothing is written then.
    pub async fn start_canary(
        &self,
        tenant: &str,
        candidate: u32,
        percent: u32,
        rules: CanaryRules,
        actor: &str,
    ) -> Result<Canary, StoreError> {
        let at = now();
        let (tenant, actor) = (tenant.to_owned(), actor.to_owned());
        self.write((tenant, actor, at), move |db, (tenant, actor, at)| Box::pin(async move {
            let Some(stable) = require_tenant(db, &tenant).await?.active_version else {
                return Err(StoreError::CanaryRefused(format!(
                    "tenant {tenant} has no active version to compare a canary with; activate one first"
                )));
            };
            let uploaded = db
                .query_opt(
                    "SELECT 1 FROM plugin_versions WHERE tenant = $1 AND version = $2 AND status <> $3",
                    params![&tenant, candidate, status::DELETED],
                ).await?
                .is_some();
            if !uploaded {
                return Err(StoreError::UnknownVersion {
                    tenant: tenant.clone(),
                    version: candidate,
                });
            }
            if candidate == stable {
                return Err(StoreError::CanaryRefused(format!(
                    "version {candidate} is the active version of tenant {tenant}"
                )));
            }
            end_running(
                db,
                &tenant,
                &CanaryEnd::Stopped(format!("replaced by a canary of version {candidate}")),
                &actor,
                &at,
            ).await?;
            let row = db.query_one(
                &format!(
                    "INSERT INTO canaries (tenant, candidate_version, stable_version, percent,
                     min_calls, promote_after, margin_percent, state, started_at, started_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8, $9)
                     RETURNING {CANARY_COLUMNS}"
                ),
                params![
                    &tenant,
                    candidate,
                    stable,
                    percent,
                    rules.min_calls,
                    rules.promote_after,
                    rules.margin_percent,
                    &at,
                    &actor
                ],
            ).await?;
            let canary = canary_row(&row)?;
            insert_audit(
                db,
                &at,
                &actor,
                Some(tenant.as_str()),
                "plugin.canary.start",
                &format!(
                    "version {candidate} at {percent}% of calls beside version {stable} \
                     (judged after {} calls, margin {} points, promoted after {} calls)",
                    rules.min_calls, rules.margin_percent, rules.promote_after
                ),
            ).await?;
            db.notify(&StoreEvent::Activated {
                tenant: tenant.clone(),
            }).await?;
            Ok(canary)
        })).await
    }

    /// The tenant's latest canary, running or ended (`None` when it never had one).
    pub async fn canary(&self, tenant: &str) -> Result<Option<Canary>, StoreError> {
        let tenant = tenant.to_owned();
        self.read(tenant, move |db, tenant| Box::pin(async move {
            db.query_opt(
                &format!(
                    "SELECT {CANARY_COLUMNS} FROM canaries WHERE tenant = $1 ORDER BY id DESC LIMIT 1"
                ),
                params![&tenant],
            ).await?
            .as_ref()
            .map(canary_row)
            .transpose()
        })).await
    }

    /// The canary `id`, whatever its state.
    pub async fn canary_by_id(&self, id: i64) -> Result<Option<Canary>, StoreError> {
        self.read((), move |db, ()| {
            Box::pin(async move {
                db.query_opt(
                    &format!("SELECT {CANARY_COLUMNS} FROM canaries WHERE id = $1"),
                    params![id],
                )
                .await?
                .as_ref()
                .map(canary_row)
                .transpose()
            })
        })
        .await
    }

    /// Adds one replica's counts to the running canary `id`: its totals over all replicas,
    /// or `None` when it is no longer running (the counts are dropped then: they no longer
    /// decide anything).
    pub async fn tally_canary(
        &self,
        id: i64,
        delta: CanaryDelta,
    ) -> Result<Option<Canary>, StoreError> {
        let values = [
            count(delta.stable.calls)?,
            count(delta.stable.failures)?,
            count(delta.candidate.calls)?,
            count(delta.candidate.failures)?,
        ];
        self.write((), move |db, ()| {
            Box::pin(async move {
                db.query_opt(
                    &format!(
                        "UPDATE canaries SET stable_calls = stable_calls + $2,
                     stable_failures = stable_failures + $3,
                     candidate_calls = candidate_calls + $4,
                     candidate_failures = candidate_failures + $5
                     WHERE id = $1 AND state = 'running' RETURNING {CANARY_COLUMNS}"
                    ),
                    params![id, values[0], values[1], values[2], values[3]],
                )
                .await?
                .as_ref()
                .map(canary_row)
                .transpose()
            })
        })
        .await
    }

    /// Ends the running canary `id` as `end` (a promotion also activates the candidate), in
    /// one transaction with its audit entry, announced like an activation. `None` when it was
    /// no longer running: another replica ended it first.
    pub async fn end_canary(
        &self,
        tenant: &str,
        id: i64,
        end: CanaryEnd,
        actor: &str,
    ) -> Result<Option<Canary>, StoreError> {
        let at = now();
        let (tenant, actor) = (tenant.to_owned(), actor.to_owned());
        self.write(
            (tenant, actor, at, end),
            move |db, (tenant, actor, at, end)| {
                Box::pin(async move {
                    match running(db, &tenant).await? {
                        Some(canary) if canary.id == id => {}
                        _ => return Ok(None),
                    }
                    let ended = end_running(db, &tenant, &end, &actor, &at).await?;
                    if ended.is_some() {
                        db.notify(&StoreEvent::Activated {
                            tenant: tenant.clone(),
                        })
                        .await?;
                    }
                    Ok(ended)
                })
            },
        )
        .await
    }
}
