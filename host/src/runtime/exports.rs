//! The functions a plugin exports, found once per version, and called by index.
//!
//! Plugins are built against one of two contracts: `slotline:plugin@0.1.0` (the nine
//! `booking` functions) or `@0.2.0` (the same, plus `calls`: warm-up and slot holds). The
//! host's types come from 0.2.0; the two versions' `booking` types are the same records but
//! for `booking-request`, which gained `hold`. wasmtime checks component types by structure,
//! not by interface name, so one set of host types calls both, with [`BookingRequestV0_1`]
//! for the one record that differs.
//!
//! Why not bindgen's `SchedulerPre`: it looks its exports up by the exact 0.2.0 names (a 0.1.0
//! plugin would not load), and it type-checks every export on every instantiation, where a
//! call needs one.

use wasmtime::component::{Component, ComponentExportIndex, ComponentType, Instance, Lower};
use wasmtime::{Engine, Store};

use super::api;
use super::calls_api;
use super::state::CallState;

/// The interface every plugin exports; any 0.1.x or 0.2.x.
const BOOKING: &str = "slotline:plugin/booking@";
/// The interface 0.2.x plugins export beside `booking`.
const CALLS: &str = "slotline:plugin/calls@";

/// The functions of `booking`, as the component model names them.
pub(super) const BOOKING_FUNCTIONS: [&str; 9] = [
    "parse-date",
    "check-availability",
    "find-alternatives",
    "create-booking",
    "cancel-booking",
    "reschedule-booking",
    "list-bookings",
    "list-services",
    "on-calendar-event",
];

/// The functions of `calls` (0.2.0).
pub(super) const CALLS_FUNCTIONS: [&str; 3] = ["prepare-call", "hold-slot", "release-slot"];

/// Which contract a plugin was built against, read from what it exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Contract {
    /// `slotline:plugin@0.1.x`: the tools only.
    V0_1,
    /// `slotline:plugin@0.2.x`: the tools, warm-up at call start, and slot holds.
    V0_2,
}

impl Contract {
    /// The WIT package version, as stored with the plugin version and shown by the admin API.
    pub fn version(self) -> &'static str {
        match self {
            Self::V0_1 => "0.1.0",
            Self::V0_2 => "0.2.0",
        }
    }

    /// Whether the plugin has `prepare-call`, `hold-slot` and `release-slot`.
    pub fn has_calls(self) -> bool {
        self == Self::V0_2
    }

    pub(super) fn of_booking_export(name: &str) -> Option<Self> {
        let version = name.strip_prefix(BOOKING)?;
        if version.starts_with("0.1.") {
            Some(Self::V0_1)
        } else if version.starts_with("0.2.") {
            Some(Self::V0_2)
        } else {
            None
        }
    }
}

/// What a component's exports lack, by name.
#[derive(Debug, Default)]
pub(super) struct Missing(pub Vec<String>);

/// A plugin version's exports, by index: looked up once when the version is loaded.
pub(super) struct Exports {
    pub(super) contract: Contract,
    booking: [ComponentExportIndex; 9],
    calls: Option<[ComponentExportIndex; 3]>,
}

/// How a component without a booking interface is told what it lacks.
pub(super) fn missing_booking() -> String {
    format!("{BOOKING}0.2.x (the booking interface; 0.1.x is accepted too)")
}

impl Exports {
    /// Finds every export the contract promises, or names each one missing.
    pub(super) fn find(engine: &Engine, component: &Component) -> Result<Self, Missing> {
        let ty = component.component_type();
        let interfaces: Vec<String> = ty
            .exports(engine)
            .map(|(name, _)| name.to_owned())
            .collect();
        let Some((booking_name, contract)) = interfaces
            .iter()
            .find_map(|name| Some((name.clone(), Contract::of_booking_export(name)?)))
        else {
            return Err(Missing(vec![missing_booking()]));
        };
        let mut missing = Vec::new();
        let booking = functions(component, &booking_name, &BOOKING_FUNCTIONS, &mut missing);
        let calls = match contract {
            Contract::V0_1 => None,
            Contract::V0_2 => {
                let version = booking_name.trim_start_matches(BOOKING);
                let calls_name = interfaces
                    .iter()
                    .find(|name| name.starts_with(CALLS))
                    .cloned();
                match calls_name {
                    Some(name) => functions(component, &name, &CALLS_FUNCTIONS, &mut missing),
                    None => {
                        missing.push(format!("{CALLS}{version} (the calls interface)"));
                        None
                    }
                }
            }
        };
        match (booking, missing.is_empty()) {
            (Some(booking), true) => Ok(Self {
                contract,
                booking,
                calls,
            }),
            _ => Err(Missing(missing)),
        }
    }

    fn booking(&self, function: BookingFn) -> &ComponentExportIndex {
        &self.booking[function as usize]
    }

    fn calls(&self, function: CallsFn) -> Option<&ComponentExportIndex> {
        self.calls.as_ref().map(|calls| &calls[function as usize])
    }
}

/// Positions in [`BOOKING_FUNCTIONS`].
#[derive(Clone, Copy)]
enum BookingFn {
    ParseDate,
    CheckAvailability,
    FindAlternatives,
    CreateBooking,
    CancelBooking,
    RescheduleBooking,
    ListBookings,
    ListServices,
    OnCalendarEvent,
}

/// Positions in [`CALLS_FUNCTIONS`].
#[derive(Clone, Copy)]
enum CallsFn {
    PrepareCall,
    HoldSlot,
    ReleaseSlot,
}

impl CallsFn {
    fn name(self) -> &'static str {
        CALLS_FUNCTIONS[self as usize]
    }
}

/// The indices of `names` inside the exported interface `interface`, or `None` after adding
/// each absent one to `missing`.
fn functions<const N: usize>(
    component: &Component,
    interface: &str,
    names: &[&str; N],
    missing: &mut Vec<String>,
) -> Option<[ComponentExportIndex; N]> {
    let Some(instance) = component.get_export_index(None, interface) else {
        missing.push(interface.to_owned());
        return None;
    };
    let found: Vec<Option<ComponentExportIndex>> = names
        .iter()
        .map(|name| {
            let index = component.get_export_index(Some(&instance), *name);
            if index.is_none() {
                let short = interface.split('@').next().unwrap_or(interface);
                missing.push(format!("{short}#{name}"));
            }
            index
        })
        .collect();
    found
        .into_iter()
        .collect::<Option<Vec<_>>>()?
        .try_into()
        .ok()
}

/// `booking-request` as 0.1.0 has it: without `hold`.
#[derive(ComponentType, Lower)]
#[component(record)]
struct BookingRequestV0_1 {
    date: Option<String>,
    time: Option<String>,
    start: Option<String>,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    service: Option<String>,
    notes: Option<String>,
}

impl From<&api::BookingRequest> for BookingRequestV0_1 {
    fn from(request: &api::BookingRequest) -> Self {
        Self {
            date: request.date.clone(),
            time: request.time.clone(),
            start: request.start.clone(),
            name: request.name.clone(),
            email: request.email.clone(),
            phone: request.phone.clone(),
            service: request.service.clone(),
            notes: request.notes.clone(),
        }
    }
}

/// What an export call gives: the plugin's own answer, or a trap.
type Outcome<T> = wasmtime::Result<Result<T, api::PluginError>>;

/// One instance's exports, ready to call.
pub(super) struct Bound<'a> {
    pub(super) exports: &'a Exports,
    pub(super) instance: Instance,
}

impl Bound<'_> {
    async fn call<P, R>(
        &self,
        store: &mut Store<CallState>,
        index: &ComponentExportIndex,
        params: P,
    ) -> Outcome<R>
    where
        P: wasmtime::component::ComponentNamedList + Lower + Send + Sync,
        (Result<R, api::PluginError>,): wasmtime::component::ComponentNamedList
            + wasmtime::component::Lift
            + Send
            + Sync
            + 'static,
        R: Send + Sync + 'static,
    {
        let func = self
            .instance
            .get_typed_func::<P, (Result<R, api::PluginError>,)>(&mut *store, index)?;
        let (result,) = func.call_async(&mut *store, params).await?;
        Ok(result)
    }

    pub(super) async fn parse_date(
        &self,
        store: &mut Store<CallState>,
        ctx: &api::CallContext,
        req: &api::ParseDateRequest,
    ) -> Outcome<api::ParsedDate> {
        let index = self.exports.booking(BookingFn::ParseDate);
        self.call(store, index, (ctx, req)).await
    }

    pub(super) async fn check_availability(
        &self,
        store: &mut Store<CallState>,
        ctx: &api::CallContext,
        req: &api::AvailabilityRequest,
    ) -> Outcome<api::Availability> {
        let index = self.exports.booking(BookingFn::CheckAvailability);
        self.call(store, index, (ctx, req)).await
    }

    pub(super) async fn find_alternatives(
        &self,
        store: &mut Store<CallState>,
        ctx: &api::CallContext,
        req: &api::AlternativesRequest,
    ) -> Outcome<api::Alternatives> {
        let index = self.exports.booking(BookingFn::FindAlternatives);
        self.call(store, index, (ctx, req)).await
    }

    pub(super) async fn create_booking(
        &self,
        store: &mut Store<CallState>,
        ctx: &api::CallContext,
        req: &api::BookingRequest,
    ) -> Outcome<api::BookingReply> {
        let index = self.exports.booking(BookingFn::CreateBooking);
        match self.exports.contract {
            Contract::V0_1 => {
                let old = BookingRequestV0_1::from(req);
                self.call(store, index, (ctx, &old)).await
            }
            Contract::V0_2 => self.call(store, index, (ctx, req)).await,
        }
    }

    pub(super) async fn cancel_booking(
        &self,
        store: &mut Store<CallState>,
        ctx: &api::CallContext,
        req: &api::CancelRequest,
    ) -> Outcome<api::BookingReply> {
        let index = self.exports.booking(BookingFn::CancelBooking);
        self.call(store, index, (ctx, req)).await
    }

    pub(super) async fn reschedule_booking(
        &self,
        store: &mut Store<CallState>,
        ctx: &api::CallContext,
        req: &api::RescheduleRequest,
    ) -> Outcome<api::BookingReply> {
        let index = self.exports.booking(BookingFn::RescheduleBooking);
        self.call(store, index, (ctx, req)).await
    }

    pub(super) async fn list_bookings(
        &self,
        store: &mut Store<CallState>,
        ctx: &api::CallContext,
    ) -> Outcome<api::BookingList> {
        let index = self.exports.booking(BookingFn::ListBookings);
        self.call(store, index, (ctx,)).await
    }

    pub(super) async fn list_services(
        &self,
        store: &mut Store<CallState>,
        ctx: &api::CallContext,
    ) -> Outcome<api::ServiceList> {
        let index = self.exports.booking(BookingFn::ListServices);
        self.call(store, index, (ctx,)).await
    }

    pub(super) async fn on_calendar_event(
        &self,
        store: &mut Store<CallState>,
        ctx: &api::CallContext,
        event: &api::CalendarEvent,
    ) -> Outcome<()> {
        let index = self.exports.booking(BookingFn::OnCalendarEvent);
        self.call(store, index, (ctx, event)).await
    }

    /// `calls` functions of a 0.1.0 plugin answer `not-supported`: the host asks only 0.2.0
    /// plugins, so this is a bug's safety net, not a path.
    fn calls_index(&self, function: CallsFn) -> Result<&ComponentExportIndex, api::PluginError> {
        self.exports
            .calls(function)
            .ok_or_else(|| api::PluginError {
                code: api::ErrorCode::NotSupported,
                detail: format!(
                    "a {} plugin has no {}",
                    self.exports.contract.version(),
                    function.name()
                ),
                speech: None,
            })
    }

    pub(super) async fn prepare_call(
        &self,
        store: &mut Store<CallState>,
        ctx: &api::CallContext,
    ) -> Outcome<()> {
        match self.calls_index(CallsFn::PrepareCall) {
            Ok(index) => self.call(store, index, (ctx,)).await,
            Err(error) => Ok(Err(error)),
        }
    }

    pub(super) async fn hold_slot(
        &self,
        store: &mut Store<CallState>,
        ctx: &api::CallContext,
        req: &calls_api::HoldRequest,
    ) -> Outcome<api::SlotHold> {
        match self.calls_index(CallsFn::HoldSlot) {
            Ok(index) => self.call(store, index, (ctx, req)).await,
            Err(error) => Ok(Err(error)),
        }
    }

    pub(super) async fn release_slot(
        &self,
        store: &mut Store<CallState>,
        ctx: &api::CallContext,
        hold: &api::SlotHold,
    ) -> Outcome<()> {
        match self.calls_index(CallsFn::ReleaseSlot) {
            Ok(index) => self.call(store, index, (ctx, hold)).await,
            Err(error) => Ok(Err(error)),
        }
    }
}
