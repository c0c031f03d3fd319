//! A refused booking or move, told as what happened (see `calcom::refusal` for how a
//! refusal is read): only a taken slot is a `conflict` with alternatives; a refused name,
//! number or address asks for it again; a time in the past or out of bounds says so.

use chrono::NaiveDateTime;

use crate::availability::Call;
use crate::calcom::refusal::Field;
use crate::calcom::{CalError, Refusal};
use crate::errors;
use crate::exports::slotline::plugin::booking::{ErrorCode, PluginError};
use crate::settings::Service;
use crate::speech;

impl Call {
    /// Cal.com refused to book or move to `wish` for `service`.
    pub(super) fn refused(
        &self,
        service: &Service,
        wish: NaiveDateTime,
        err: CalError,
    ) -> PluginError {
        let today = self.clock.today();
        let detail = err.to_string();
        let ask = |speech: String| invalid(detail.clone(), speech);
        match err.refusal() {
            Refusal::SlotTaken => self.conflict(service, wish, err),
            Refusal::OutOfBounds => {
                let alternatives = self.alternatives_to(service, wish);
                ask(speech::not_bookable(wish, &alternatives, today, self.lang))
            }
            Refusal::PastStart => ask(speech::past_start(wish, today, self.lang)),
            Refusal::Invalid(field) => ask(match field {
                Field::Name => speech::name_again(self.lang),
                Field::Email => speech::email_again(self.lang),
                Field::Phone => speech::phone_again(self.lang),
                Field::Notes => speech::notes_again(self.lang),
                Field::Start => speech::not_understood(self.lang),
            }),
            Refusal::UnknownService => {
                errors::not_found(detail, speech::service_unavailable(self.lang))
            }
            Refusal::UnknownBooking => {
                errors::not_found(detail, speech::no_booking_found(None, today, self.lang))
            }
            // A gone hold is retried without it before it gets here (`create`).
            Refusal::HoldGone | Refusal::Other => errors::calendar(err, self.lang),
        }
    }

    /// Cal.com refused to cancel: the booking is gone, or the calendar failed.
    pub(super) fn refused_cancel(&self, err: CalError) -> PluginError {
        match err.refusal() {
            Refusal::UnknownBooking => errors::not_found(
                err.to_string(),
                speech::no_booking_found(None, self.clock.today(), self.lang),
            ),
            _ => errors::calendar(err, self.lang),
        }
    }

    /// The wish is taken: alternatives the caller can pick from at once.
    pub(super) fn conflict(
        &self,
        service: &Service,
        wish: NaiveDateTime,
        err: CalError,
    ) -> PluginError {
        // The cached day is evidently stale: ask the calendar again.
        crate::cache::SlotCache::open().forget_day(service.event_type_id, wish.date());
        let alternatives = self.alternatives_to(service, wish);
        let today = self.clock.today();
        let speech = if alternatives.is_empty() {
            speech::no_alternatives(wish.date(), wish.time(), today, self.lang)
        } else {
            speech::taken_with_alternatives(
                wish.date(),
                wish.time(),
                &alternatives,
                today,
                self.lang,
            )
        };
        PluginError {
            code: ErrorCode::Conflict,
            detail: err.to_string(),
            speech: Some(speech),
        }
    }

    /// Free starts near `wish`, best first. A courtesy: when the calendar cannot give them
    /// now, the caller still hears why the wish failed, and the agent may search again.
    fn alternatives_to(&self, service: &Service, wish: NaiveDateTime) -> Vec<NaiveDateTime> {
        self.free_slots(service, None, wish.date())
            .map(|free| self.ranked_starts(&free, wish))
            .unwrap_or_default()
    }
}

/// Something the caller said must be said again.
pub(super) fn invalid(detail: String, speech: String) -> PluginError {
    PluginError {
        code: ErrorCode::InvalidInput,
        detail,
        speech: Some(speech),
    }
}
