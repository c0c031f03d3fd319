"""A Python plugin that misbehaves on purpose, by its `mode` setting, when asked to check
availability: the sandbox tests show a Python tenant is held to the same limits as a Rust one.
Every other tool is "not supported"."""

import wit_world
from componentize_py_types import Err
from wit_world.exports import booking
from wit_world.imports import wasi_config_store


def not_supported(*_args):
    raise Err(
        booking.PluginError(
            code=booking.ErrorCode.NOT_SUPPORTED,
            detail="the hostile test plugin only checks availability",
            speech=None,
        )
    )


def misbehave():
    mode = wasi_config_store.get("mode")
    if mode == "loop":
        # Spins until the host's deadline stops it.
        while True:
            pass
    if mode == "alloc":
        # Keeps every block reachable, so memory must grow until the host refuses it.
        kept = []
        while True:
            kept.append(bytearray(1 << 20))
    if mode == "throw":
        # An exception that is not a plugin error: a bug, as a caller's call meets it.
        raise KeyError("slots")
    raise Err(
        booking.PluginError(
            code=booking.ErrorCode.INTERNAL, detail=f"unknown mode {mode}", speech=None
        )
    )


class Booking(wit_world.exports.Booking):
    def parse_date(self, ctx, req):
        not_supported()

    def check_availability(self, ctx, req):
        misbehave()

    def find_alternatives(self, ctx, req):
        not_supported()

    def create_booking(self, ctx, req):
        not_supported()

    def cancel_booking(self, ctx, req):
        not_supported()

    def reschedule_booking(self, ctx, req):
        not_supported()

    def list_bookings(self, ctx):
        not_supported()

    def list_services(self, ctx):
        not_supported()

    def on_calendar_event(self, ctx, event):
        pass


class Calls(wit_world.exports.Calls):
    def prepare_call(self, ctx):
        pass

    def hold_slot(self, ctx, req):
        not_supported()

    def release_slot(self, ctx, hold):
        pass
