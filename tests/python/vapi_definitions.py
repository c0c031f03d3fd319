"""Reads `slotline agent export --platform vapi` output on stdin and checks each tool with
vapi-server-sdk's own types: the request of creating a function tool (`POST /tool`), with no
key the SDK does not declare, and read back unchanged when the SDK serialises it. Prints
`ok <tool names>`."""

import json
import sys

import pydantic
from vapi.tools import CreateToolsRequest, CreateToolsRequest_Function

from sdk_check import fail, no_extras

tools = json.load(sys.stdin)
problems = []
names = []
for index, tool in enumerate(tools):
    try:
        request = pydantic.TypeAdapter(CreateToolsRequest).validate_python(tool)
    except pydantic.ValidationError as err:
        problems.append(f"[{index}]: {err}")
        continue
    if not isinstance(request, CreateToolsRequest_Function):
        problems.append(f"[{index}]: read as {type(request).__name__}, not a function tool")
        continue
    problems.extend(no_extras(request, f"[{index}]"))
    again = json.loads(request.json())
    if again != tool:
        problems.append(f"[{index}]: the SDK serialises it differently: {json.dumps(again)}")
    if not request.server or not request.server.timeout_seconds or request.server.timeout_seconds < 1:
        problems.append(f"[{index}]: no server timeout")
    kinds = [message.type for message in request.messages or []]
    if kinds != ["request-start", "request-response-delayed"]:
        problems.append(f"[{index}]: messages {kinds}")
    names.append(request.function.name)
if problems:
    fail(problems)
print("ok " + " ".join(names))
