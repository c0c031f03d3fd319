//! A booking attempt on a call the gateway was told about when it started: the calendar is
//! fetched while the agent greets the caller, so the first check reads the cache, and the
//! slot the check offers is held at Cal.com before the caller says yes.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use chrono::{DateTime, NaiveDate};
use hyper::StatusCode;
use serde_json::json;

use crate::attempt::{Target, parse_wish, timed};
use crate::control::{self, Connection, SignedCall};

/// One simulated greeting: what the agent says before the caller's first wish.
pub const GREETING: Duration = Duration::from_secs(3);

/// How long a hold may take to appear before the attempt counts as failed (far above any
/// target: only a hold that never comes ends up here).
const HOLD_BOUND: Duration = Duration::from_secs(10);

/// The wishes of the prefetched attempts: distinct days within the warm-up's window (today
/// through `search_days` ahead), at half hours free in the demo calendar, which the cold
/// attempts' full-hour wishes never take.
pub const WISHES: [(u32, u32, u32); 5] = [
    (11, 27, 13),
    (11, 30, 14),
    (12, 1, 16),
    (12, 2, 12),
    (12, 3, 11),
];

/// The time of each step of one prefetched attempt, as the caller waits for it.
#[derive(Debug, Clone)]
pub struct Prefetched {
    pub parse: Duration,
    /// Answered from what the warm-up fetched.
    pub check: Duration,
    /// From the check's reply to the reservation being in place at Cal.com.
    pub hold: Duration,
    pub booking: Duration,
    /// Slots queries made between the greeting's end and the check's reply: the check's own.
    pub upstream_at_check: u64,
    /// Other Cal.com requests in that time (an earlier call's hold being released, say).
    pub others_at_check: Vec<String>,
}

impl Prefetched {
    /// Parse, check and booking: what the caller waits for once they have spoken.
    pub fn total(&self) -> Duration {
        self.parse + self.check + self.booking
    }
}

/// `call_started`, one greeting, then `parse_date`, `check_availability` of a free half
/// hour, the hold awaited (as the caller's "yes" would be), `create_booking`, `call_ended`.
pub async fn prefetched_attempt(target: Target, n: usize) -> Result<Prefetched> {
    let (month, day, hour) = WISHES[n % WISHES.len()];
    let day = NaiveDate::from_ymd_opt(2026, month, day).context("bad wish")?;
    let call_id = format!("prefetched-{n}");
    control::clear_cache(target.gateway).await?;
    let mut connection = Connection::open(target.gateway).await?;
    let (status, body) = connection
        .retell(&SignedCall::event("call_started", &call_id)?)
        .await?;
    ensure!(
        status == StatusCode::NO_CONTENT,
        "call_started answered {status}: {}",
        String::from_utf8_lossy(&body)
    );
    // The agent greets the caller; the warm-up runs meanwhile.
    tokio::time::sleep(GREETING).await;
    let before = target.sim.requests().await?;

    let parse = parse_wish(&mut connection, &call_id, day, &format!("{hour}:30")).await?;
    let date = day.format("%Y-%m-%d").to_string();
    let wish = json!({"datum": date, "uhrzeit": format!("{hour:02}:30")});
    let (check, availability) = timed(
        &mut connection,
        &call_id,
        "check_availability",
        wish.clone(),
    )
    .await?;
    let checked = Instant::now();
    ensure!(
        availability["available"] == true,
        "{date} {hour}:30 should be free: {availability}"
    );
    let (slots, others): (Vec<String>, Vec<String>) = target
        .sim
        .endpoints_since(before)
        .await?
        .into_iter()
        .partition(|endpoint| endpoint == "slots");
    let upstream_at_check = slots.len() as u64;
    let requested = availability["requested"]
        .as_str()
        .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
        .with_context(|| format!("the check names no requested start: {availability}"))?;

    // The caller hears "free, shall I book it?" and answers; the hold is made meanwhile.
    let hold = loop {
        if target.sim.holds(requested).await? {
            break checked.elapsed();
        }
        if checked.elapsed() > HOLD_BOUND {
            bail!("no hold for {requested} after {HOLD_BOUND:?}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };

    let booking_args = json!({"datum": date, "uhrzeit": format!("{hour:02}:30"), "name": "Bench Caller", "phone": "+4915112345678"});
    let (booking, booked) =
        timed(&mut connection, &call_id, "create_booking", booking_args).await?;
    ensure!(booked["status"] == "accepted", "not booked: {booked}");
    connection
        .retell(&SignedCall::event("call_ended", &call_id)?)
        .await?;
    Ok(Prefetched {
        parse,
        check,
        hold,
        booking,
        upstream_at_check,
        others_at_check: others,
    })
}
