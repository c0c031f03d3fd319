//! The call's "now", in the business's timezone.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;

use crate::errors;
use crate::exports::slotline::plugin::booking::{CallContext, PluginError};

/// Wall-clock time where the business is. Plugins take `now` from the call context rather
/// than the system clock, so demos and tests can freeze it.
pub struct Clock {
    pub tz: Tz,
    pub now: NaiveDateTime,
}

impl Clock {
    pub fn from_context(ctx: &CallContext) -> Result<Clock, PluginError> {
        let tz: Tz = ctx
            .timezone
            .parse()
            .map_err(|_| errors::internal(format!("unknown timezone {:?}", ctx.timezone)))?;
        let now = DateTime::parse_from_rfc3339(&ctx.now)
            .map_err(|_| errors::internal(format!("`now` is not RFC 3339: {:?}", ctx.now)))?;
        Ok(Clock {
            tz,
            now: now.with_timezone(&tz).naive_local(),
        })
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date()
    }

    /// The instant of a local wall-clock time. In the hour skipped by a DST change the next
    /// valid instant is used; in the repeated hour, the earlier one.
    pub fn instant(&self, local: NaiveDateTime) -> DateTime<Tz> {
        match self.tz.from_local_datetime(&local).earliest() {
            Some(instant) => instant,
            None => {
                let later = local + chrono::TimeDelta::hours(1);
                self.tz
                    .from_local_datetime(&later)
                    .earliest()
                    .unwrap_or_else(|| self.tz.from_utc_datetime(&local))
            }
        }
    }

    /// RFC 3339 with the business's offset, e.g. `2026-12-01T15:00:00+01:00`.
    pub fn rfc3339(&self, local: NaiveDateTime) -> String {
        self.instant(local)
            .to_rfc3339_opts(SecondsFormat::Secs, false)
    }

    /// The UTC instants bounding the local days `first..=last`.
    pub fn utc_range(&self, first: NaiveDate, last: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = self
            .instant(first.and_time(NaiveTime::MIN))
            .with_timezone(&Utc);
        let end = last
            .succ_opt()
            .map(|next| {
                self.instant(next.and_time(NaiveTime::MIN))
                    .with_timezone(&Utc)
            })
            .unwrap_or(start);
        (start, end - chrono::TimeDelta::seconds(1))
    }
}
