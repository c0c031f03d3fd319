//! # calsim: a Cal.com v2 API simulator
//!
//! Slotline's tests, demos and benchmarks run without internet. `calsim` stands in for
//! `https://api.cal.com`: the same paths, headers, JSON shapes, error envelopes and rate-limit
//! answers as Cal.com's v2 API, over real HTTP, backed by a small in-memory calendar whose
//! availability is computed from working hours (DST-correct), date overrides and bookings.
//! On top, it can be slow and broken on demand (latency, error statuses, hangs, connection
//! resets, trickling bodies), it signs and sends webhooks, and it records every request.
//!
//! ## Running it alone
//!
//! ```text
//! cargo run -p calsim -- --listen 127.0.0.1:8090              # the demo calendar
//! cargo run -p calsim -- --listen 127.0.0.1:8090 --seed my-calendar.json
//! cargo run -p calsim -- --latency slots=300-800 --now 2026-12-01T07:30:00Z
//!
//! curl -s 'http://127.0.0.1:8090/v2/slots?eventTypeId=1001&start=2026-12-01&end=2026-12-01&timeZone=Europe/Berlin' \
//!      -H 'cal-api-version: 2024-09-04'
//! curl -s http://127.0.0.1:8090/v2/bookings -H 'cal-api-version: 2024-08-13' \
//!      -H 'Authorization: Bearer cal_test_demo' -H 'content-type: application/json' \
//!      -d '{"start":"2026-12-01T08:00:00Z","eventTypeId":1001,"attendee":{"name":"Anna","timeZone":"Europe/Berlin","phoneNumber":"+491701234567"}}'
//! curl -s -X PUT http://127.0.0.1:8090/_sim/fault -d '{"endpoint":"slots","fault":{"kind":"status","code":503,"rate":0.5}}'
//! ```
//!
//! The demo calendar ([`Seed::demo`]) has API key `cal_test_demo`, event types 1001
//! "Beratung" (30 min) and 1002 "Behandlung" (60 min), Monday to Friday 09:00-18:00
//! Europe/Berlin, and a few fixed bookings on the next workdays. The seed file format is
//! described in [`seed`] (full example: `tests/calsim/seed.example.json`); the control plane
//! (`/_sim/...`) in [`control`]; every control-plane route has a [`Simulator`] method.
//!
//! ## In a test
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! use std::time::Duration;
//! use calsim::{Endpoint, Fault, Latency, Simulator};
//!
//! let running = Simulator::demo().spawn(([127, 0, 0, 1], 0).into()).await?;
//! running.sim.set_latency(Endpoint::Slots, Latency::Uniform(Duration::from_millis(300), Duration::from_millis(800)));
//! running.sim.set_fault(Endpoint::CreateBooking, Some(Fault::Status { code: 503, rate: 0.3 }));
//! let base = format!("{}/v2", running.url()); // point the Cal.com client here
//! // ... exercise the gateway ...
//! assert!(running.sim.request_count() > 0);
//! # Ok(()) }
//! ```
//!
//! ## What is simulated
//!
//! | endpoint | `cal-api-version` | auth |
//! |---|---|---|
//! | `GET /v2/slots` | 2024-09-04 | none (public in Cal.com too) |
//! | `POST /v2/slots/reservations` (201) | 2024-09-04 | optional (needed for `reservationDuration`) |
//! | `GET`, `PATCH`, `DELETE /v2/slots/reservations/{uid}` (200) | 2024-09-04 | none |
//! | `POST /v2/bookings` (201) | 2024-08-13 | API key |
//! | `GET /v2/bookings`, `GET /v2/bookings/{uid}` | 2024-08-13 | API key |
//! | `POST /v2/bookings/{uid}/cancel` (200) | 2024-08-13 | API key |
//! | `POST /v2/bookings/{uid}/reschedule` (201) | 2024-08-13 | API key |
//! | `GET /v2/event-types`, `GET /v2/event-types/{id}` | 2024-06-14 | API key |
//!
//! Checked against Cal.com's source (`calcom/cal.com`, `apps/api/v2` and
//! `packages/platform/types`) and docs: the error envelope (`HttpExceptionFilter`), the
//! throttler and its headers (`CustomThrottlerGuard`: fixed 60 s window, 60 s block, reset in
//! seconds), authentication messages (`ApiAuthStrategy`), slot input/output
//! (`SlotsInputService_2024_09_04`, `SlotsOutputService_2024_09_04`), slot reservations
//! (`SlotsService_2024_09_04`, `SlotsRepository_2024_09_04`, `createBookingWithReservedSlot`,
//! and their e2e specs; the rules are in `reservations.rs`), booking output
//! (`BookingOutput_2024_08_13`, `OutputBookingsService_2024_08_13`), booking errors
//! (`ErrorsBookingsService_2024_08_13`),
//! input validation messages (`CreateBookingInputPipe`, `ValidateMetadata`), the list
//! filters and `pagination` block (docs "Get all bookings"), and the webhook payload and
//! signature (docs "Webhooks").
//!
//! ## Known differences from the real Cal.com
//!
//! - **Missing or other `cal-api-version`**: Cal.com silently serves an older handler with
//!   other shapes; calsim answers 400 `BadRequestException` naming the header and the
//!   version to send, so a client that forgets it fails loudly.
//! - **One user**: every API key belongs to one host; there are no teams, organisations,
//!   OAuth clients, managed users or access tokens (any bearer token not starting with
//!   `cal_` gets 401 "Invalid Access Token.").
//! - **Event types** carry the core fields only (id, title, slug, lengths, slot interval,
//!   minimum notice, schedule, owner, hidden) and neutral values for booking-page settings.
//!   No seats, recurring events, buffers, booking limits, booking windows, or
//!   confirmation-required event types (so nothing is ever `pending` unless seeded so).
//! - **Availability**: one schedule (weekly hours + date overrides) for all event types; no
//!   connected calendars, no out-of-office. The default `minimumBookingNotice` of a seeded
//!   event type is 0 (Cal.com's UI default is 120).
//! - **Slots**: `usernames`, `teamSlug`, `organizationSlug` and `bookingUidToReschedule`
//!   are not simulated; `eventTypeSlug` is looked up without checking `username`. A `duration` the event type does not offer is refused
//!   with 400 (message calsim's own). The body is `{"data":…, "status":"success"}` in
//!   Cal.com's key order.
//! - **Reservations**: no seated, round-robin or team event types, so none of Cal.com's
//!   seat counting or host checks. A booking without `reservedSlotUid` is refused (409)
//!   by someone else's live reservation of exactly its slot, as `createBookingWithReservedSlot`
//!   refuses every uid but the first in line's; whether Cal.com runs that check for bookings
//!   that name no reservation at all could not be read in the stored copies of
//!   `RegularBookingService`. The uid may also come in the `uid` cookie; the body wins.
//!   Cal.com's 2024-08-13 e2e spec once expected 400 for "someone else reserved", its later
//!   versions 409; calsim answers 409 `ConflictException`.
//! - **Bookings**: no recurring, seated, instant or team bookings; `location` and
//!   `meetingUrl` are always the booking's Cal Video room (`https://app.cal.com/video/{uid}`,
//!   what an event type without locations gets); `rating` is always null; `cancelledByEmail`
//!   is `""` (who cancels is not recorded). A start need not lie on the slot
//!   grid, only inside working hours and free (as in Cal.com). Phone numbers are checked for
//!   shape (`+` and 8-15 digits), not against numbering plans as libphonenumber does.
//!   Invalid JSON bodies get calsim's own message.
//! - **Listing**: `attendeeEmail`/`attendeeName` match exactly, case-insensitively; the
//!   default order is by start, ascending; `recurring` matches nothing; `take` defaults to
//!   100 (max 250). Query validation messages are class-validator's defaults.
//! - **Reschedule/cancel**: the messages for cancelling twice and for rescheduling a
//!   cancelled booking follow Cal.com's wording as far as known.
//! - **Webhooks**: only `BOOKING_CREATED`, `BOOKING_CANCELLED`, `BOOKING_RESCHEDULED`; one
//!   attempt each, no retries; subscriptions are not filtered by trigger or event type and
//!   cannot be managed through `/v2/webhooks` (use the seed, [`Simulator::add_webhook`] or
//!   `POST /_sim/webhooks`). Loopback URLs are allowed (Cal.com SaaS refuses them).
//! - **Rate limit**: one tracker per API key (or per client IP without a key), default 120
//!   per 60 s; per-endpoint custom throttlers are not simulated.
//! - **Error envelope**: Cal.com's newest `HttpExceptionFilter` also sends
//!   `error.details` (the exception's response object) and an `X-Request-Id` header; calsim
//!   sends the four members `status`, `timestamp`, `path`, `error: {code, message}`.
//! - **Injected status faults** carry the JSON error envelope with the NestJS exception name
//!   for the status; a real outage may answer with a load balancer's HTML page instead.
//! - **Clock**: a fixed clock (seed `now`, [`Simulator::set_now`], `PUT /_sim/clock`,
//!   [`Simulator::advance_clock`], `POST /_sim/clock/advance`) is frozen, not ticking;
//!   reservations expire by it; the rate limit always uses the real clock.

#![deny(missing_docs)]

mod availability;
pub mod control;
mod errors;
mod faults;
mod model;
mod rate_limit;
mod requests;
mod reservations;
pub(crate) mod routes;
mod schedule;
pub mod seed;
mod server;
mod simulator;
mod state;
mod timefmt;
mod webhooks;

pub use errors::ApiError;
pub use faults::{Endpoint, Fault, Latency};
pub use model::{Attendee, Booking, BookingStatus, EventType, Host};
pub use rate_limit::RateLimitConfig;
pub use requests::RequestRecord;
pub use reservations::{
    DEFAULT_RESERVATION_MINUTES, Reservation, ReservationError, ReservationSnapshot, ReserveRequest,
};
pub use routes::{VERSION_BOOKINGS, VERSION_EVENT_TYPES, VERSION_SLOTS};
pub use schedule::{DateOverride, ScheduleSeed, WeeklyHours};
pub use seed::{AttendeeSeed, BookingSeed, DEMO_API_KEY, Seed, SeedError, WebhookSeed};
pub use server::RunningSimulator;
pub use simulator::{DirectBooking, Simulator, parse_latency};
pub use state::BookingError;
pub use webhooks::{SIGNATURE_HEADER, WebhookDelivery, signature};
