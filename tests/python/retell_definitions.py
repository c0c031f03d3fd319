"""Reads `slotline agent export --platform retell` output on stdin and checks it with
retell-sdk's own types: the body of creating (and updating) a Retell LLM, validated strictly,
every tool a custom function with no key Retell does not know. Prints `ok <tool names>`."""

import json
import sys

import pydantic
from retell.types import llm_create_params, llm_update_params
from retell.types.llm_response import GeneralToolCustomTool

from sdk_check import fail, no_extras, typed_dict_keys

body = json.load(sys.stdin)
problems = typed_dict_keys(body, llm_create_params.LlmCreateParams)
for params in (llm_create_params.LlmCreateParams, llm_update_params.LlmUpdateParams):
    try:
        validated = pydantic.TypeAdapter(params).validate_python(body, strict=True)
        # `general_tools` is an Iterable: pydantic checks its items as they are read.
        list(validated["general_tools"])
    except pydantic.ValidationError as err:
        problems.append(f"{params.__name__}: {err}")
names = []
for index, tool in enumerate(body["general_tools"]):
    problems.extend(typed_dict_keys(tool, llm_create_params.GeneralToolCustomTool, f"$.general_tools[{index}]"))
    try:
        pydantic.TypeAdapter(llm_create_params.GeneralToolCustomTool).validate_python(tool, strict=True)
        # The model Retell answers with: what it stores for the tool.
        stored = GeneralToolCustomTool.model_validate(tool, strict=True)
        problems.extend(no_extras(stored, f"$.general_tools[{index}]"))
    except pydantic.ValidationError as err:
        problems.append(f"general_tools[{index}]: {err}")
        continue
    if not 1000 <= stored.timeout_ms <= 600000:
        problems.append(f"{stored.name}: timeout_ms {stored.timeout_ms} outside Retell's 1 s to 10 min")
    names.append(stored.name)
if problems:
    fail(problems)
print("ok " + " ".join(names))
