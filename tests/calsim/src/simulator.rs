//! [`Simulator`]: the handle tests, demos and the `calsim` binary hold.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::faults::{Endpoint, Fault, FaultTable, Latency};
use crate::model::{Booking, EventType};
use crate::rate_limit::{RateLimitConfig, RateLimiter};
use crate::requests::{RequestLog, RequestRecord};
use crate::reservations::{Reservation, ReservationError, ReserveRequest};
use crate::seed::{Seed, SeedError, WebhookSeed};
use crate::server::RunningSimulator;
use crate::state::{AttendeeInput, BookingError, Calendar, Change, NewBooking};
use crate::webhooks::{self, Dispatcher, WebhookDelivery};

/// A simulated Cal.com account. Cheap to clone: clones share one state.
#[derive(Debug, Clone)]
pub struct Simulator {
    pub(crate) shared: Arc<Shared>,
}

/// Everything behind the handle.
#[derive(Debug)]
pub(crate) struct Shared {
    seed: Mutex<Seed>,
    calendar: Mutex<Calendar>,
    pub(crate) limiter: RateLimiter,
    pub(crate) faults: FaultTable,
    pub(crate) requests: RequestLog,
    webhooks: Dispatcher,
    /// Bumped on reset and shutdown; hung requests wait for it to change.
    pub(crate) release: watch::Sender<u64>,
}

/// A booking made "by hand", as a person would on Cal.com's own booking page: it goes
/// through the same availability checks as the API and fires the same webhooks, but it is
/// not an API request (not counted, not rate-limited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectBooking {
    /// The event type to book.
    pub event_type_id: i64,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// Length; the event type's when absent.
    pub length_in_minutes: Option<u32>,
    /// Booker's name.
    pub name: String,
    /// Booker's email.
    pub email: Option<String>,
    /// Booker's phone number (international format).
    pub phone_number: Option<String>,
    /// Booker's timezone; the schedule's when absent.
    pub time_zone: Option<String>,
}

impl Simulator {
    /// A simulator serving `seed`.
    ///
    /// # Panics
    /// If the seed is invalid (unknown timezone, bad times, a booking of an unknown event
    /// type); use [`Simulator::try_new`] to handle that.
    pub fn new(seed: Seed) -> Simulator {
        match Simulator::try_new(seed) {
            Ok(sim) => sim,
            Err(error) => panic!("invalid calsim seed: {error}"),
        }
    }

    /// A simulator serving `seed`, or why the seed is invalid.
    pub fn try_new(seed: Seed) -> Result<Simulator, SeedError> {
        let calendar = Calendar::from_seed(&seed)?;
        let (release, _) = watch::channel(0);
        Ok(Simulator {
            shared: Arc::new(Shared {
                limiter: RateLimiter::new(seed.rate_limit),
                seed: Mutex::new(seed),
                calendar: Mutex::new(calendar),
                faults: FaultTable::default(),
                requests: RequestLog::default(),
                webhooks: Dispatcher::default(),
                release,
            }),
        })
    }

    /// The demo calendar ([`Seed::demo`]) as of today in Europe/Berlin.
    pub fn demo() -> Simulator {
        Simulator::new(Seed::demo(Seed::berlin_today()))
    }

    /// All routes: the simulated API under `/v2` and the control plane under `/_sim`.
    pub fn router(&self) -> Router {
        crate::routes::router(self.clone())
    }

    /// Binds `addr` (port 0 picks a free port) and serves in a background task.
    pub async fn spawn(self, addr: SocketAddr) -> std::io::Result<RunningSimulator> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        RunningSimulator::start(self, listener).await
    }

    /// Serves on an already bound listener in a background task.
    pub async fn spawn_on(
        self,
        listener: tokio::net::TcpListener,
    ) -> std::io::Result<RunningSimulator> {
        RunningSimulator::start(self, listener).await
    }

    /// `/v2` requests received, all paths, answered or not.
    pub fn request_count(&self) -> u64 {
        self.shared.requests.count()
    }

    /// The `/v2` requests received, oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.requests.records()
    }

    /// Adds latency to `endpoint` (or to every endpoint with [`Endpoint::All`]).
    pub fn set_latency(&self, endpoint: Endpoint, latency: Latency) {
        self.shared.faults.set_latency(endpoint, Some(latency));
    }

    /// Removes the latency of `endpoint`.
    pub fn clear_latency(&self, endpoint: Endpoint) {
        self.shared.faults.set_latency(endpoint, None);
    }

    /// Sets (`Some`) or clears (`None`) the fault of `endpoint`.
    pub fn set_fault(&self, endpoint: Endpoint, fault: Option<Fault>) {
        self.shared.faults.set_fault(endpoint, fault);
    }

    /// Changes the rate limit (counters start afresh).
    pub fn set_rate_limit(&self, config: RateLimitConfig) {
        self.shared.limiter.configure(config);
    }

    /// The current rate limit.
    pub fn rate_limit(&self) -> RateLimitConfig {
        self.shared.limiter.config()
    }

    /// Freezes the clock at `now`, or with `None` returns to the real clock.
    pub fn set_now(&self, now: Option<DateTime<Utc>>) {
        self.calendar().fixed_now = now;
    }

    /// The simulator's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.calendar().now()
    }

    /// Moves the clock `by` forward (or back) and freezes it there; returns the new now.
    /// Reservations expire by this clock, so a test advances past `reservationUntil`
    /// instead of sleeping.
    pub fn advance_clock(&self, by: chrono::Duration) -> DateTime<Utc> {
        let mut calendar = self.calendar();
        let now = calendar.now() + by;
        calendar.fixed_now = Some(now);
        now
    }

    /// Every slot reservation not yet deleted, expired ones included (Cal.com deletes
    /// those on the next `GET /v2/slots` of their event type), oldest first.
    pub fn reservations(&self) -> Vec<Reservation> {
        self.calendar().reservations.clone()
    }

    /// Reserves a slot as another booker would (an authenticated one, so a custom
    /// `reservation_duration` is allowed), with the API's checks. Returns the reservation
    /// and its hold length in minutes.
    pub fn reserve_directly(
        &self,
        request: &ReserveRequest,
    ) -> Result<(Reservation, i64), ReservationError> {
        self.calendar().reserve(request, true)
    }

    /// Books like [`Simulator::book_directly`], holding reservation `reserved_slot_uid`.
    pub fn book_directly_holding(
        &self,
        booking: DirectBooking,
        reserved_slot_uid: Option<String>,
    ) -> Result<Booking, BookingError> {
        self.create_booking(&NewBooking {
            reserved_slot_uid,
            ..direct_request(booking)
        })
    }

    /// Books as a person would on Cal.com's booking page (see [`DirectBooking`]), holding
    /// no reservation: a live reservation of exactly that slot refuses it with
    /// [`BookingError::ReservedByOther`].
    pub fn book_directly(&self, booking: DirectBooking) -> Result<Booking, BookingError> {
        self.create_booking(&direct_request(booking))
    }

    /// Cancels as the host would in Cal.com's UI; fires `BOOKING_CANCELLED`.
    pub fn cancel_directly(
        &self,
        uid: &str,
        reason: Option<String>,
    ) -> Result<Booking, BookingError> {
        self.apply(|calendar| calendar.cancel(uid, reason))
    }

    /// Every booking, in creation order, cancelled ones included.
    pub fn bookings(&self) -> Vec<Booking> {
        self.calendar().bookings.clone()
    }

    /// One booking by uid.
    pub fn booking(&self, uid: &str) -> Option<Booking> {
        self.calendar().booking(uid).cloned()
    }

    /// The event types.
    pub fn event_types(&self) -> Vec<EventType> {
        self.calendar().event_types.clone()
    }

    /// Subscribes `url` to booking webhooks, signed with `secret`.
    pub fn add_webhook(&self, url: String, secret: String) {
        self.calendar().webhooks.push(WebhookSeed { url, secret });
    }

    /// Webhook deliveries so far, oldest first.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.shared.webhooks.deliveries()
    }

    /// Back to the seed: bookings, clock, webhooks, rate limit and its counters; clears
    /// latency, faults, the request log and webhook deliveries; releases hung requests.
    pub fn reset(&self) {
        let seed = self.seed().clone();
        self.restore(&seed);
    }

    /// Replaces the seed and resets to it.
    pub fn load_seed(&self, seed: Seed) -> Result<(), SeedError> {
        Calendar::from_seed(&seed)?;
        *self.seed() = seed.clone();
        self.restore(&seed);
        Ok(())
    }

    fn restore(&self, seed: &Seed) {
        match Calendar::from_seed(seed) {
            Ok(calendar) => *self.calendar() = calendar,
            Err(error) => tracing::error!(%error, "seed no longer valid; calendar kept"),
        }
        self.shared.limiter.configure(seed.rate_limit);
        self.shared.faults.clear();
        self.shared.requests.clear();
        self.shared.webhooks.clear();
        self.shared
            .release
            .send_modify(|generation| *generation += 1);
    }

    /// Books through the shared path of the API and direct bookings.
    pub(crate) fn create_booking(&self, request: &NewBooking) -> Result<Booking, BookingError> {
        self.apply(|calendar| calendar.create(request))
    }

    /// Runs a calendar change under the lock, then queues its webhooks outside it.
    pub(crate) fn apply(
        &self,
        change: impl FnOnce(&mut Calendar) -> Result<(Booking, Change), BookingError>,
    ) -> Result<Booking, BookingError> {
        let (booking, outgoing) = {
            let mut calendar = self.calendar();
            let (booking, change) = change(&mut calendar)?;
            let now = calendar.now();
            let outgoing = webhooks::outgoing(
                &change,
                &calendar.webhooks,
                &calendar.host,
                &calendar.event_types,
                now,
            );
            (booking, outgoing)
        };
        self.shared.webhooks.send(outgoing);
        Ok(booking)
    }

    /// The calendar, locked. Never hold it across an `.await`.
    pub(crate) fn calendar(&self) -> MutexGuard<'_, Calendar> {
        // Every change is computed before anything is written, so a panic cannot leave
        // the calendar half-changed; keep serving after one.
        self.shared
            .calendar
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn seed(&self) -> MutexGuard<'_, Seed> {
        self.shared
            .seed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn direct_request(booking: DirectBooking) -> NewBooking {
    NewBooking {
        event_type_id: booking.event_type_id,
        start: booking.start,
        length_in_minutes: booking.length_in_minutes,
        attendee: AttendeeInput {
            name: booking.name,
            email: booking.email,
            phone_number: booking.phone_number,
            time_zone: booking.time_zone,
            language: None,
        },
        ..NewBooking::default()
    }
}

/// Parses `"500"` (fixed) or `"300-800"` (uniform) milliseconds, the CLI's latency syntax.
pub fn parse_latency(text: &str) -> Option<Latency> {
    let millis = |part: &str| part.trim().parse::<u64>().ok().map(Duration::from_millis);
    match text.split_once('-') {
        Some((min, max)) => Some(Latency::Uniform(millis(min)?, millis(max)?)),
        None => Some(Latency::Fixed(millis(text)?)),
    }
}
