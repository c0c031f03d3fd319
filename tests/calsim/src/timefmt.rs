//! Parsing and printing instants the way Cal.com's stack does.
//!
//! Cal.com prints times with three different libraries, and clients see the differences:
//! booking `start`/`end` and error `timestamp`s are JavaScript `Date.toJSON()`
//! (`2026-12-01T08:00:00.000Z`), slots are Luxon `toISO()` in the requested zone
//! (`2026-12-01T09:00:00.000+01:00`), and webhook `startTime`s are dayjs without
//! milliseconds (`2026-12-01T08:00:00Z`).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// `at` plus whole minutes.
pub fn plus_minutes(at: DateTime<Utc>, minutes: u32) -> DateTime<Utc> {
    at + chrono::Duration::minutes(i64::from(minutes))
}

/// `Date.prototype.toJSON()`: UTC, milliseconds, `Z`.
pub fn js_iso(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The webhook spelling: UTC, no milliseconds, `Z`.
pub fn webhook_iso(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A zone as the slots endpoint received it: Luxon prints `Z` for the names it maps to
/// its fixed UTC zone (`utc`, `gmt`, any case) and `+00:00` for IANA zones that merely
/// happen to sit at offset zero (`Etc/UTC`, `Europe/London` in winter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotZone {
    tz: Tz,
    fixed_utc: bool,
}

impl SlotZone {
    /// UTC, the default when no `timeZone` is given.
    pub const UTC: SlotZone = SlotZone {
        tz: Tz::UTC,
        fixed_utc: true,
    };

    /// Parses an IANA name case-insensitively (as `Intl.DateTimeFormat` accepts it).
    pub fn parse(name: &str) -> Option<SlotZone> {
        let lowered = name.to_ascii_lowercase();
        if lowered == "utc" || lowered == "gmt" {
            return Some(SlotZone::UTC);
        }
        let tz = name.parse::<Tz>().ok().or_else(|| {
            chrono_tz::TZ_VARIANTS
                .iter()
                .copied()
                .find(|tz| tz.name().eq_ignore_ascii_case(name))
        })?;
        Some(SlotZone {
            tz,
            fixed_utc: false,
        })
    }

    /// Luxon's `toISO()` of `at` in this zone.
    pub fn iso(self, at: DateTime<Utc>) -> String {
        if self.fixed_utc {
            js_iso(at)
        } else {
            at.with_timezone(&self.tz)
                .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
                .to_string()
        }
    }

    /// The calendar date of `at` in this zone (the key slots are grouped under).
    pub fn date(self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }
}

/// Parses an ISO 8601 instant as Cal.com's validators accept it. Strings without an offset
/// are read as UTC (Cal.com parses them with Luxon in zone `utc`); a bare date means
/// midnight UTC.
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(Utc.from_utc_datetime(&naive));
        }
    }
    if let Ok(at) = DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M%:z") {
        return Some(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .map(|date| Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_luxon_and_javascript() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).single();
        let Some(at) = at else { return };
        assert_eq!(js_iso(at), "2026-12-01T08:00:00.000Z");
        assert_eq!(webhook_iso(at), "2026-12-01T08:00:00Z");
        let berlin = SlotZone::parse("Europe/Berlin");
        assert_eq!(
            berlin.map(|zone| zone.iso(at)).as_deref(),
            Some("2026-12-01T09:00:00.000+01:00")
        );
        assert_eq!(
            SlotZone::parse("Etc/UTC")
                .map(|zone| zone.iso(at))
                .as_deref(),
            Some("2026-12-01T08:00:00.000+00:00")
        );
        assert_eq!(
            SlotZone::parse("utc").map(|zone| zone.iso(at)).as_deref(),
            Some("2026-12-01T08:00:00.000Z")
        );
    }

    #[test]
    fn parses_the_iso_forms_cal_com_accepts() {
        let expected = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).single();
        assert_eq!(parse_instant("2026-12-01T08:00:00Z"), expected);
        assert_eq!(parse_instant("2026-12-01T09:00:00+01:00"), expected);
        assert_eq!(parse_instant("2026-12-01T08:00:00.000Z"), expected);
        assert_eq!(parse_instant("2026-12-01T08:00:00"), expected);
        assert_eq!(
            parse_instant("2026-12-01"),
            Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single()
        );
        assert_eq!(parse_instant("tomorrow"), None);
    }
}
