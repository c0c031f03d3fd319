//! A booking attempt as a caller lives it: the wish is parsed, is taken, alternatives are
//! offered, and the first one is booked. Each attempt uses its own day and hour, and starts
//! with an empty cache, so its availability check must ask the calendar.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Weekday};
use serde_json::{Value, json};

use crate::control::{self, Connection, Simulator};

/// The hours the callers wish for, in turn, so attempts differ in time as well as day.
const HOURS: [u32; 5] = [15, 11, 14, 10, 16];

/// Distinct workdays, from the Tuesday after the demo's "now" on. The simulator's calendar is
/// in Europe/Berlin; days stay in winter time (UTC+1) so no timezone database is needed here.
pub struct Days {
    next: NaiveDate,
    count: usize,
}

impl Days {
    pub fn new() -> Result<Days> {
        let next = NaiveDate::from_ymd_opt(2026, 12, 1).context("bad first day")?;
        Ok(Days { next, count: 0 })
    }

    /// The next workday, and the hour wished on it.
    fn next(&mut self) -> Result<(NaiveDate, u32)> {
        while matches!(self.next.weekday(), Weekday::Sat | Weekday::Sun) {
            self.next = self.next.succ_opt().context("out of days")?;
        }
        let day = self.next;
        let summer = NaiveDate::from_ymd_opt(2027, 3, 28).context("bad date")?;
        ensure!(
            day < summer,
            "too many attempts: days must stay in winter time"
        );
        self.next = day.succ_opt().context("out of days")?;
        let hour = HOURS[self.count % HOURS.len()];
        self.count += 1;
        Ok((day, hour))
    }
}

/// Where the attempts are made.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub gateway: SocketAddr,
    pub sim: Simulator,
}

/// The time of each step of one attempt, as the caller waits for it.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    pub parse: Duration,
    /// The wished slot, taken: the cache is empty, so the calendar is asked.
    pub check: Duration,
    pub alternatives: Duration,
    /// The first alternative, checked again before booking: answered from the cache.
    pub check_warm: Duration,
    pub booking: Duration,
    /// Cal.com API requests the attempt caused.
    pub upstream: u64,
}

impl Attempt {
    /// Parse, check, alternatives and booking: the attempt as the issue defines it (the warm
    /// check is a step some callers add, not counted).
    pub fn total(&self) -> Duration {
        self.parse + self.check + self.alternatives + self.booking
    }
}

/// One attempt on the next day from `days`: `parse_date`, `check_availability` of a taken
/// slot (cold cache), `find_alternatives` right after, `check_availability` of the first
/// alternative (warm cache), `create_booking` of it.
pub async fn attempt(target: Target, days: &mut Days) -> Result<Attempt> {
    let (day, hour) = days.next()?;
    // Each attempt is a phone call of its own.
    let call_id = format!("attempt-{day}");
    let date = day.format("%Y-%m-%d").to_string();
    let time = format!("{hour:02}:00");
    // Someone else has the wished slot, so the caller hears alternatives.
    target
        .sim
        .book_directly(&format!("{date}T{time}:00+01:00"))
        .await?;
    control::clear_cache(target.gateway).await?;
    let mut connection = Connection::open(target.gateway).await?;
    let before = target.sim.requests().await?;

    let parse = parse_wish(&mut connection, &call_id, day, &hour.to_string()).await?;

    let wish = json!({"datum": date, "uhrzeit": time});
    let (check, availability) = timed(
        &mut connection,
        &call_id,
        "check_availability",
        wish.clone(),
    )
    .await?;
    ensure!(
        availability["available"] == false,
        "{date} {time} should be taken: {availability}"
    );

    let (alternatives, found) = timed(&mut connection, &call_id, "find_alternatives", wish).await?;
    let first = found["alternatives"][0]["start"]
        .as_str()
        .with_context(|| format!("no alternative offered: {found}"))?
        .to_owned();

    // In the calendar's winter time, whatever offset the plugin wrote.
    let berlin = FixedOffset::east_opt(3600).context("bad offset")?;
    let offered = DateTime::parse_from_rfc3339(&first)
        .with_context(|| format!("alternative {first} is not RFC 3339"))?
        .with_timezone(&berlin);
    let again = json!({
        "datum": offered.format("%Y-%m-%d").to_string(),
        "uhrzeit": offered.format("%H:%M").to_string(),
    });
    let (check_warm, availability) =
        timed(&mut connection, &call_id, "check_availability", again).await?;
    ensure!(
        availability["available"] == true,
        "the offered {first} should be free: {availability}"
    );

    let booking_args = json!({"start": first, "name": "Bench Caller", "phone": "+4915112345678"});
    let (booking, booked) =
        timed(&mut connection, &call_id, "create_booking", booking_args).await?;
    ensure!(booked["status"] == "accepted", "not booked: {booked}");

    let upstream = target.sim.requests().await? - before;
    Ok(Attempt {
        parse,
        check,
        alternatives,
        check_warm,
        booking,
        upstream,
    })
}

/// `find_alternatives` with an empty cache, on a day of its own: one upstream request.
pub async fn cold_alternatives(target: Target, days: &mut Days) -> Result<Duration> {
    let (day, hour) = days.next()?;
    let call_id = format!("alternatives-{day}");
    control::clear_cache(target.gateway).await?;
    let mut connection = Connection::open(target.gateway).await?;
    let wish =
        json!({"datum": day.format("%Y-%m-%d").to_string(), "uhrzeit": format!("{hour:02}:00")});
    let (elapsed, found) = timed(&mut connection, &call_id, "find_alternatives", wish).await?;
    ensure!(
        found["alternatives"]
            .as_array()
            .is_some_and(|list| !list.is_empty()),
        "no alternatives offered: {found}"
    );
    Ok(elapsed)
}

/// `parse_date` of "am {day} um {time} Uhr" (`time` as a caller says it, `15` or `11:30`),
/// checked to have read `day`; how long it took.
pub async fn parse_wish(
    connection: &mut Connection,
    call_id: &str,
    day: NaiveDate,
    time: &str,
) -> Result<Duration> {
    let text = format!(
        "am {}.{}.{} um {time} Uhr",
        day.day(),
        day.month(),
        day.year()
    );
    let (parse, parsed) = timed(connection, call_id, "parse_date", json!({ "text": text })).await?;
    let date = day.format("%Y-%m-%d").to_string();
    ensure!(
        parsed["date"] == date.as_str(),
        "parse_date({text}) read {parsed}"
    );
    Ok(parse)
}

pub async fn timed(
    connection: &mut Connection,
    call_id: &str,
    tool: &str,
    args: Value,
) -> Result<(Duration, Value)> {
    let started = Instant::now();
    let data = connection.tool(call_id, tool, args).await?;
    Ok((started.elapsed(), data))
}

/// The middle value (the upper one of the two middle values for an even count).
pub fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    values.get(values.len() / 2).copied().unwrap_or_default()
}
