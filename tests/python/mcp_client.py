"""The official MCP Python SDK as a client of Slotline's MCP endpoint.

Usage: mcp_client.py URL TOKEN CALL_ID DATE TIME

Connects to URL (`/v1/mcp/{tenant}`) with the SDK's Streamable HTTP client and
`Authorization: Bearer TOKEN`, lists the tools, checks DATE at TIME, books it twice in the call
CALL_ID (`X-Call-Id`; the second booking must return the first), then connects again with a
wrong token, which must fail with HTTP 401. Prints what it saw as one JSON object on stdout;
exits non-zero with the reason on stderr when something is not as it should be.

Run by the end-to-end test `mcp::the_python_sdk_books_through_the_mcp_endpoint`.
"""

import asyncio
import json
import sys

from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

BOOKING_TOOLS = {"check_availability", "create_booking", "cancel_booking", "list_bookings"}
CALLER = "+4915199988877"


class Failed(Exception):
    """Something the endpoint did not do as it should; raised outside the SDK's task groups."""


def result_json(result) -> dict:
    """A tool result as the SDK parsed it: the sentence, the data, whether it failed."""
    texts = [block.text for block in result.content if getattr(block, "type", None) == "text"]
    return {
        "is_error": bool(result.is_error),
        "text": texts[0] if texts else None,
        "structured": result.structured_content,
    }


def connect(url: str, headers: dict, statuses: list):
    """The SDK's Streamable HTTP transport, on an HTTP client that records every status."""

    async def record(response):
        statuses.append(response.status_code)

    http = create_mcp_http_client(headers=headers)
    http.event_hooks["response"].append(record)
    return http, streamable_http_client(url, http_client=http)


async def book(url: str, token: str, call_id: str, date: str, time: str) -> dict:
    statuses: list = []
    headers = {"Authorization": f"Bearer {token}", "X-Call-Id": call_id, "X-Caller-Number": CALLER}
    http, transport = connect(url, headers, statuses)
    seen: dict = {"statuses": statuses}
    args = {"datum": date, "uhrzeit": time}
    async with http, Client(transport) as client:
        seen["protocol_version"] = client.protocol_version
        listed = await client.list_tools()
        tools = {tool.name: tool for tool in listed.tools}
        seen["tools"] = sorted(tools)
        if BOOKING_TOOLS <= tools.keys():
            create = tools["create_booking"]
            seen["create_booking_schema"] = create.input_schema
            seen["create_booking_read_only"] = create.annotations and create.annotations.read_only_hint
            seen["check"] = result_json(await client.call_tool("check_availability", args))
            if (seen["check"]["structured"] or {}).get("available"):
                booking_args = {**args, "name": "Mia Python"}
                seen["booking"] = result_json(await client.call_tool("create_booking", booking_args))
                seen["booking_again"] = result_json(await client.call_tool("create_booking", booking_args))
    # Judged here, after the SDK's task groups closed, so a failure reads as one line.
    missing = BOOKING_TOOLS - set(seen["tools"])
    if missing:
        raise Failed(f"tools/list lacks {sorted(missing)}: {seen['tools']}")
    if seen["create_booking_read_only"] is not False:
        raise Failed("create_booking is not marked as changing something")
    if "booking" not in seen:
        raise Failed(f"{date} {time} is not free: {seen['check']}")
    if seen["booking"]["is_error"]:
        raise Failed(f"the booking failed: {seen['booking']}")
    return seen


def leaves(error: BaseException) -> list:
    """The errors inside the SDK's exception groups."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in leaves(inner)]
    return [error]


async def wrong_token(url: str) -> dict:
    statuses: list = []
    http, transport = connect(url, {"Authorization": "Bearer not-the-token"}, statuses)
    try:
        async with http, Client(transport) as client:
            await client.list_tools()
    except Exception as error:  # the SDK raises its own error for a refused connection
        return {"statuses": statuses, "errors": [f"{type(leaf).__name__}: {leaf}" for leaf in leaves(error)]}
    raise Failed("a wrong token connected")


async def main(url: str, token: str, call_id: str, date: str, time: str) -> None:
    booked = await book(url, token, call_id, date, time)
    refused = await wrong_token(url)
    if 401 not in refused["statuses"]:
        raise Failed(f"a wrong token was not refused with 401: {refused}")
    print(json.dumps({**booked, "wrong_token": refused}))


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    try:
        asyncio.run(main(*sys.argv[1:]))
    except Failed as failed:
        sys.exit(f"mcp_client.py: {failed}")
