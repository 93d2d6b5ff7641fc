"""Schemathesis against /openapi.json of a real server, on SQLite and PostgreSQL: no input
the schema admits makes a 500, and every error is an RFC 9457 problem document.

Bounded: a few examples per operation, no deadline, no example database."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from conftest import World

PROBLEM_MEMBERS = {"type", "title", "status", "detail"}


def test_no_input_makes_a_server_error_and_errors_are_problems(world: World) -> None:
    schema = schemathesis.openapi.from_url(f"{world.server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures: list[str] = []
    calls: list[int] = []
    for operation in operations:

        @settings(
            max_examples=12,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            headers = {"Authorization": f"Bearer {world.admin.token}"}
            response = case.call(base_url=world.server.url, headers=headers)
            calls.append(response.status_code)
            label = f"{case.method} {case.formatted_path} -> {response.status_code}"
            assert response.status_code < 500, f"{label}: {response.text[:300]}"
            if response.status_code >= 400:
                kind = " ".join(response.headers.get("content-type", []))
                assert kind.startswith("application/problem+json"), f"{label}: {kind}"
                assert set(response.json()) >= PROBLEM_MEMBERS, f"{label}: {response.text[:300]}"

        try:
            run()
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    assert not failures, "\n".join(failures)
    assert len(calls) >= 5 * len(operations)  # the fuzzer really called every operation
