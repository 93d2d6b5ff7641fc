"""Schemathesis against /openapi.json of a real server, on SQLite and PostgreSQL: no input
makes a 500, and every error is an RFC 9457 problem document.

Two runs over every operation the schema lists:
  - inputs the schema admits (schemathesis's positive generation);
  - hostile path and query values the schema does not admit, the class issue 9 found by hand:
    a NUL (PostgreSQL cannot hold one in a text), digits `str.isdigit` takes but `int()` does
    not (`²`) or that `int()` takes but ASCII does not (`١`), integers beyond 64 bits or over
    Python's 4,300-digit `int()` limit, and any UTF-8 text. One of each kind in every path
    and query parameter alone (the sweep), then generated mixes. Each must be refused (4xx).

Deterministic and bounded, so CI is not flaky: `derandomize=True` (the same examples on every
run, from a fixed seed), a fixed number of examples per operation, no deadline, no example
database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import World

PROBLEM_MEMBERS = {"type", "title", "status", "detail"}
HOSTILE_VALUES = [
    "\x00",
    "a\x00b",
    "²",
    "١٢",
    "9" * 5000,
    str(2**63),
    str(2**64) + "0",
    "-1",
    "+1",
    " 1",
    "1e400",
    "NaN",
    "Infinity",
    "0x10",
    "%00",
    "../..",
    "\u202e",
    "🙂",
]
SWEEP = ["\x00", "²", "١", "9" * 5000, str(2**64)]
"""One of each kind, tried in every parameter alone (a refusal of one parameter would hide
what another does)."""
HOSTILE = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(st.characters(codec="utf-8"), max_size=16),  # NUL included, no lone surrogates
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def fuzz_settings(examples: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def _problems(world: World, case: schemathesis.Case, calls: list[int]) -> None:
    """Call the real server; no 5xx, and every error a problem document."""
    headers = {"Authorization": f"Bearer {world.admin.token}"}
    response = case.call(base_url=world.server.url, headers=headers)
    calls.append(response.status_code)
    label = f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}"
    assert response.status_code < 500, f"{label}: {response.text[:300]}"
    if response.status_code >= 400:
        kind = " ".join(response.headers.get("content-type", []))
        assert kind.startswith("application/problem+json"), f"{label}: {kind}"
        assert set(response.json()) >= PROBLEM_MEMBERS, f"{label}: {response.text[:300]}"


def _operations(world: World) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{world.server.url}/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def test_no_input_makes_a_server_error_and_errors_are_problems(world: World) -> None:
    operations = _operations(world)
    assert len(operations) >= 15
    failures: list[str] = []
    calls: list[int] = []
    for operation in operations:

        @fuzz_settings(12)
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            _problems(world, case, calls)

        try:
            run()
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    assert not failures, "\n".join(failures)
    assert len(calls) >= 5 * len(operations)  # the fuzzer really called every operation


@st.composite
def hostile_case(draw: st.DrawFn, operation: Any) -> schemathesis.Case:
    """A request to `operation` with a hostile value in each path parameter and in some of
    its query parameters (at least one where it has any)."""
    path = {p.name: draw(HOSTILE) for p in operation.path_parameters}
    names = [p.name for p in operation.query]
    chosen = draw(st.sets(st.sampled_from(names), min_size=1)) if names else set()
    query = {name: draw(HOSTILE) for name in sorted(chosen)}
    case: schemathesis.Case = operation.Case(path_parameters=path, query=query)
    return case


def _sweep(operation: Any) -> list[schemathesis.Case]:
    """Each SWEEP value in each path or query parameter alone (other path parameters `x`)."""
    path_names = [p.name for p in operation.path_parameters]
    cases = []
    for value in SWEEP:
        for name in path_names:
            path = {other: "x" for other in path_names} | {name: value}
            cases.append(operation.Case(path_parameters=path))
        for param in operation.query:
            path = dict.fromkeys(path_names, "x")
            cases.append(operation.Case(path_parameters=path, query={param.name: value}))
    return cases


def test_hostile_path_and_query_values_are_refused_not_failed(world: World) -> None:
    operations = [op for op in _operations(world) if list(op.path_parameters) or list(op.query)]
    assert len(operations) >= 25
    failures: list[str] = []
    calls: list[int] = []
    for operation in operations:
        for case in _sweep(operation):
            try:
                _problems(world, case, calls)
            except AssertionError as exc:
                failures.append(str(exc).splitlines()[0])

        @fuzz_settings(10)
        @given(case=hostile_case(operation))
        def run(case: schemathesis.Case) -> None:
            _problems(world, case, calls)

        try:
            run()
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    assert not failures, "\n".join(failures)
    assert len(calls) >= (5 + 5) * len(operations)
    assert 400 in calls
