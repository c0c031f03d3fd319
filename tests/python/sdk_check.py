"""Helpers of the SDK tests: strict validation of JSON against an SDK's own types.

The SDKs' models accept unknown keys (`extra="allow"`) so that they survive API additions;
an export with a misspelt key would pass them silently. `no_extras` walks a validated model
and fails on any key the SDK's type does not declare, and `typed_dict_keys` does the same for
the TypedDict request parameters of retell-sdk, which pydantic validates but does not close.
"""

import typing

import pydantic


def no_extras(model, path="$"):
    """Fails when `model`, or any model inside it, kept a key its type does not declare."""
    problems = []
    if isinstance(model, pydantic.BaseModel):
        extra = model.model_extra or {}
        for key in extra:
            problems.append(f"{path}.{key}: not a field of {type(model).__name__}")
        for name in type(model).model_fields:
            problems.extend(no_extras(getattr(model, name), f"{path}.{name}"))
    elif isinstance(model, (list, tuple)):
        for index, item in enumerate(model):
            problems.extend(no_extras(item, f"{path}[{index}]"))
    elif isinstance(model, dict):
        for key, item in model.items():
            problems.extend(no_extras(item, f"{path}.{key}"))
    return problems


def typed_dict_keys(value, cls, path="$"):
    """Fails on keys of `value` that the TypedDict `cls` does not declare (one level; nested
    TypedDicts are followed)."""
    hints = typing.get_type_hints(cls)
    problems = [f"{path}.{key}: not a key of {cls.__name__}" for key in value if key not in hints]
    for key, item in value.items():
        hint = hints.get(key)
        if isinstance(item, dict) and typing.is_typeddict(hint):
            problems.extend(typed_dict_keys(item, hint, f"{path}.{key}"))
    return problems


def fail(problems):
    """Prints every problem and exits 1, so the Rust test shows them all."""
    for problem in problems:
        print(f"FAIL {problem}")
    raise SystemExit(1)
