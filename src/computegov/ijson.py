"""I-JSON (RFC 7493): the JSON values every signed or logged object may hold.

RFC 8785 canonical form, which every signature and ledger commitment is computed over, is
defined only for I-JSON: no NaN or Infinity (Python's `json` reads `NaN`, `Infinity` and
`1e400` as such floats), integers within +-(2^53 - 1) (beyond it numbers lose precision in
most parsers), and strings of Unicode scalar values (a lone surrogate escape such as
`"\\ud800"` is no character). `check` says which value breaks a rule, and where, so a
request carrying one gets a clear 400 problem instead of failing later.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from computegov.errors import InvalidInput

MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 64
REASON = "not_i_json"


_SURROGATE = re.compile("[\ud800-\udfff]")


NUL_REASON = "nul_character"


def _nul(text: str, path: str) -> None:
    """Refuse a NUL (U+0000): valid JSON, but no text column of PostgreSQL can hold one, and
    no name, serial, label or list entry needs one (a 400 here, not a 500 from the database)."""
    at = text.find("\x00")  # memchr: cheap even for a large manifest
    if at >= 0:
        raise InvalidInput(
            f"{path} holds a NUL character (U+0000 at character {at}); the registry takes no "
            "NUL in any string",
            reason=NUL_REASON,
        )


def _string_problem(text: str) -> str | None:
    if text.isascii():  # constant time in CPython: the common case, and large manifests
        return None
    found = _SURROGATE.search(text)  # a scan without a copy
    if found is None:
        return None
    return (
        f"holds a lone surrogate (U+{ord(found[0]):04X} at character {found.start()}), "
        "which is not a Unicode character"
    )


def _problem(value: Any) -> str | None:
    if isinstance(value, str):
        return _string_problem(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            return (
                f"is an integer beyond +-(2^53 - 1) ({len(str(abs(value)))} digits); "
                "send it as a string"
            )
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"is {value} (NaN, Infinity or out of range)"
    if isinstance(value, Mapping | list | tuple):
        return None
    return f"is not a JSON value ({type(value).__name__})"


def check(value: Any, where: str = "$") -> None:
    """Raise `InvalidInput` (reason `not_i_json`) naming the first value of `value` that
    I-JSON does not allow, by its path (`$.envelope.body.quantity`); nesting deeper than
    `MAX_DEPTH` is refused too, and so is a NUL in any string (reason `nul_character`)."""
    stack: list[tuple[Any, str, int]] = [(value, where, 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            _nul(item, path)
        problem = _problem(item)
        if problem is None and depth > MAX_DEPTH:
            problem = f"is nested deeper than {MAX_DEPTH} levels"
        if problem is not None:
            raise InvalidInput(
                f"{path} {problem}; JSON here must be I-JSON (RFC 7493), as RFC 8785 "
                "canonical form needs",
                reason=REASON,
            )
        if isinstance(item, Mapping):
            for key, member in item.items():
                if not isinstance(key, str):
                    raise InvalidInput(f"{path} has a member name that is not a string")
                _nul(key, f"a member name of {path}")
                key_problem = _string_problem(key)
                if key_problem is not None:
                    raise InvalidInput(
                        f"a member name of {path} {key_problem}; JSON here must be I-JSON "
                        "(RFC 7493)",
                        reason=REASON,
                    )
                stack.append((member, f"{path}.{key}", depth + 1))
        elif isinstance(item, list | tuple):
            stack.extend((member, f"{path}[{i}]", depth + 1) for i, member in enumerate(item))


def _duplicates_refused(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, member in pairs:
        if key in result:
            raise InvalidInput(
                f"the member name {key!r} appears twice in one object", reason=REASON
            )
        result[key] = member
    return result


def _no_constant(name: str) -> Any:
    raise InvalidInput(f"{name} is not a JSON number; JSON here must be I-JSON (RFC 7493)")


def loads(text: str | bytes) -> Any:
    """Parse JSON text that must be I-JSON, or raise `InvalidInput` saying what is wrong:
    not JSON, not UTF-8, `NaN`/`Infinity`, a member name twice in one object, or any value
    `check` refuses."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"not UTF-8 (byte {exc.start})", reason=REASON) from None
    try:
        value = json.loads(
            text,
            parse_constant=_no_constant,
            parse_int=_bounded_int,
            object_pairs_hook=_duplicates_refused,
        )
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not JSON: {exc}") from None
    except RecursionError:
        raise InvalidInput(f"nested deeper than {MAX_DEPTH} levels", reason=REASON) from None
    check(value)
    return value


def _bounded_int(digits: str) -> int:
    # Decided on the digits before converting, so a 5,000-digit number is refused cheaply
    # (Python's int() refuses past 4,300 digits with a ValueError of its own).
    if len(digits.lstrip("-")) > 16:
        raise InvalidInput(
            f"the integer {digits[:20]}... is beyond +-(2^53 - 1); send it as a string",
            reason=REASON,
        )
    return int(digits)
