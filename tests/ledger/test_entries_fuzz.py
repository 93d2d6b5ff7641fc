"""Fuzz the leaf parser a verifying client runs on served leaves: parse, or InvalidInput."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from computegov.ledger import entries
from fuzzing import fuzz, json_values, parses_or_refuses

LEAF = entries.make_leaf(
    type="party.create",
    v=1,
    id="e1",
    time=datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
    actor="0123456789abcdef",
    record={"x": 1},
    salt=bytes(32),
)
LEAF_BYTES = LEAF.to_bytes()


def _parse(data: bytes) -> None:
    leaf = parses_or_refuses(entries.parse_leaf, data)
    if leaf is not None:
        assert leaf.to_bytes() == data


@fuzz()
@given(st.binary(max_size=300))
def test_any_bytes(data: bytes) -> None:
    _parse(data)


@fuzz()
@given(st.sampled_from(entries.LEAF_FIELDS), json_values)
def test_a_leaf_with_a_value_replaced(name: str, value: Any) -> None:
    obj = json.loads(LEAF_BYTES)
    obj[name] = value
    _parse(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode("utf-8", "surrogatepass"))


def test_a_deeply_nested_leaf_is_refused() -> None:
    _parse(b"[" * 100_000 + b"]" * 100_000)
