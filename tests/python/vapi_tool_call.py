"""Sends a Vapi `tool-calls` server message built and serialised by vapi-server-sdk to the
gateway, as Vapi would: `python vapi_tool_call.py URL SECRET TOOL ARGS_JSON`. Prints the
gateway's answer (JSON) on stdout; exits 1 when the answer is not a tool-calls response for
the one call sent, as the SDK's own `ServerMessageResponseToolCalls` reads it.

The message is the SDK's `ServerMessageToolCalls`, serialised by the SDK; the envelope
`{"message": ...}` is written here, because importing the SDK's `ServerMessage` (the union
of every server message) alone takes over half a minute."""

import json
import sys

import httpx
from vapi.types import (
    Call,
    CreateCustomerDto,
    ServerMessageResponseToolCalls,
    ServerMessageToolCalls,
    ToolCall,
    ToolCallFunction,
)

url, secret, tool, arguments = sys.argv[1:5]
message = ServerMessageToolCalls(
    type="tool-calls",
    tool_call_list=[
        ToolCall(
            id="call_sdk_1",
            type="function",
            function=ToolCallFunction(name=tool, arguments=arguments),
        )
    ],
    tool_with_tool_call_list=[],
    call=Call(
        id="vapi-sdk-call-1",
        org_id="org-1",
        created_at="2026-11-25T09:00:00Z",
        updated_at="2026-11-25T09:00:00Z",
        customer=CreateCustomerDto(number="+4915112345678"),
    ),
)
body = '{"message": ' + message.json() + "}"
response = httpx.post(
    url,
    content=body,
    headers={"content-type": "application/json", "x-vapi-secret": secret},
    timeout=30,
)
if response.status_code != 200:
    print(f"FAIL HTTP {response.status_code}: {response.text}")
    raise SystemExit(1)
answer = response.json()
# The answer must be what Vapi's own SDK reads as a tool-calls response (it requires the
# function's name in each result beside its id).
try:
    typed = ServerMessageResponseToolCalls.model_validate(answer)
except Exception as error:  # pydantic's ValidationError, reported as the test's failure
    print(f"FAIL the Vapi SDK does not read the answer: {error}")
    raise SystemExit(1)
if [result.name for result in typed.results or []] != [tool]:
    print(f"FAIL the answer names another function: {answer}")
    raise SystemExit(1)
results = answer.get("results") or []
if len(results) != 1 or results[0].get("toolCallId") != "call_sdk_1":
    print(f"FAIL not an answer to call_sdk_1: {answer}")
    raise SystemExit(1)
print(json.dumps(answer))
