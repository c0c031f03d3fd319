//! Slotline's default scheduling plugin: Cal.com v2 behind the `slotline:plugin/booking` tools,
//! and the phone call around them (`slotline:plugin/calls`): a slot cache warmed while the
//! phone rings, and holds on the slots a caller is offered.
//!
//! It imports only standard WASI interfaces (`wasi:http`, `wasi:keyvalue`, `wasi:config`), so
//! the stock `wasmtime` CLI runs it as well as the gateway does.

wit_bindgen::generate!({
    path: "../wit",
    world: "slotline:plugin/scheduler",
    generate_all,
});

mod availability;
mod bookings;
mod cache;
mod calcom;
mod clock;
mod errors;
mod holds;
mod http;
mod parse_date;
mod ranking;
mod reservations;
mod settings;
mod speech;
mod warmup;

use exports::slotline::plugin::booking::{
    Alternatives, AlternativesRequest, Availability, AvailabilityRequest, BookingList,
    BookingReply, BookingRequest, CalendarEvent, CallContext, CancelRequest, ParseDateRequest,
    ParsedDate, PluginError, RescheduleRequest, Service, ServiceList, SlotHold,
};
use exports::slotline::plugin::calls::HoldRequest;
use exports::slotline::plugin::{booking, calls};

struct DefaultPlugin;

impl calls::Guest for DefaultPlugin {
    fn prepare_call(ctx: CallContext) -> Result<(), PluginError> {
        warmup::prepare(&ctx)
    }

    fn hold_slot(ctx: CallContext, req: HoldRequest) -> Result<SlotHold, PluginError> {
        holds::hold(&ctx, &req)
    }

    fn release_slot(ctx: CallContext, hold: SlotHold) -> Result<(), PluginError> {
        holds::release(&ctx, &hold)
    }
}

impl booking::Guest for DefaultPlugin {
    fn parse_date(ctx: CallContext, req: ParseDateRequest) -> Result<ParsedDate, PluginError> {
        let call = availability::Call::new(&ctx)?;
        let parsed = call.read_words(&req.text)?;
        let start = parsed
            .time
            .map(|time| call.clock.rfc3339(parsed.date.and_time(time)));
        Ok(ParsedDate {
            date: parsed.date.format("%Y-%m-%d").to_string(),
            time: parsed.time.map(|time| time.format("%H:%M").to_string()),
            start,
            weekday: parsed.date.format("%A").to_string().to_lowercase(),
            speech: speech::parsed_words(&parsed, call.clock.today(), call.lang),
        })
    }

    fn check_availability(
        ctx: CallContext,
        req: AvailabilityRequest,
    ) -> Result<Availability, PluginError> {
        availability::check(&ctx, &req)
    }

    fn find_alternatives(
        ctx: CallContext,
        req: AlternativesRequest,
    ) -> Result<Alternatives, PluginError> {
        availability::alternatives(&ctx, &req)
    }

    fn create_booking(ctx: CallContext, req: BookingRequest) -> Result<BookingReply, PluginError> {
        // The canary tests' candidate (`tests/plugins/candidate`, built with this cfg) traps
        // here when its tenant's `candidate_trap` setting names this tool.
        #[cfg(slotline_candidate)]
        if wasi::config::store::get("candidate_trap")
            .ok()
            .flatten()
            .as_deref()
            == Some("create_booking")
        {
            panic!("the candidate traps on create_booking");
        }
        bookings::create(&ctx, &req)
    }

    fn cancel_booking(ctx: CallContext, req: CancelRequest) -> Result<BookingReply, PluginError> {
        bookings::cancel(&ctx, &req)
    }

    fn reschedule_booking(
        ctx: CallContext,
        req: RescheduleRequest,
    ) -> Result<BookingReply, PluginError> {
        bookings::reschedule(&ctx, &req)
    }

    fn list_bookings(ctx: CallContext) -> Result<BookingList, PluginError> {
        bookings::list(&ctx)
    }

    fn list_services(ctx: CallContext) -> Result<ServiceList, PluginError> {
        let call = availability::Call::new(&ctx)?;
        let services: Vec<Service> = call
            .settings
            .services
            .iter()
            .map(|service| Service {
                name: service.name.clone(),
                duration_minutes: service.duration,
            })
            .collect();
        let names: Vec<String> = services.iter().map(|s| s.name.clone()).collect();
        Ok(ServiceList {
            speech: speech::services(&names, call.lang),
            services,
        })
    }

    fn on_calendar_event(ctx: CallContext, event: CalendarEvent) -> Result<(), PluginError> {
        bookings::calendar_event(&ctx, &event)
    }
}

export!(DefaultPlugin);
