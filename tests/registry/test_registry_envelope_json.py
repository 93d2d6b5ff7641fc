"""Envelopes that are not I-JSON get a 400 problem over real HTTP, never a 500 or a success.

RFC 8785, the form every envelope is signed in, is defined for I-JSON (RFC 7493) only: no NaN
or Infinity, integers within +-(2^53 - 1), no lone surrogates. Python's `json` reads all of
those, so each used to reach the canonicaliser and fail there as an internal error.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from computegov.identity.envelopes import make_envelope, sign_envelope
from computegov.identity.keys import encode_public_key
from conftest import World, new_signer

PLACEHOLDER = '"__value__"'
NOT_I_JSON = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "-1e400",
    str(2**53),
    str(-(2**53) - 1),
    "123456789012345678901234567890",
    '"\\ud800"',
    '"abc\\udc00def"',
    '["ok", {"deeper": "\\udbff"}]',
    '{"\\ud800": 1}',
]


def _raw_post(world: World, text: str, path: str = "/v1/parties") -> Any:
    with world.server.client(world.admin.token) as http:
        return http.post(path, content=text.encode(), headers={"Content-Type": "application/json"})


def _party_wire(world: World, **body: Any) -> dict[str, Any]:
    payload = {
        "legal_name": "Example",
        "role": "distributor",
        "country": "US",
        "public_keys": [encode_public_key(new_signer().public_key_bytes())],
        **body,
    }
    return world.envelope(world.admin, "party.create", payload)


def _problem(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


def _template(world: World, *path: str) -> str:
    """The JSON text of a signed party.create with the placeholder at `path`."""
    wire = _party_wire(world)
    target = wire
    for name in path[:-1]:
        target = target[name]
    target[path[-1]] = "__value__"
    return json.dumps(wire)


def test_values_outside_i_json_get_a_400_problem_wherever_they_sit(world: World) -> None:
    size = world.log_size()
    for path in [
        ("envelope", "body", "legal_name"),
        ("envelope", "body", "extra"),
        ("envelope", "origin"),
        ("envelope", "v"),
        ("signature", "sig"),
    ]:
        text = _template(world, *path)
        for value in NOT_I_JSON:
            problem = _problem(_raw_post(world, text.replace(PLACEHOLDER, value)))
            assert problem["reason"] == "not_i_json", (path, value, problem)
            assert "I-JSON (RFC 7493)" in problem["detail"]
            if not value.startswith("{"):  # a bad member name is named by its object
                assert problem["detail"].startswith("$." + ".".join(path)), (value, problem)
    assert world.log_size() == size  # nothing was applied


def test_the_refusal_says_what_was_wrong(world: World) -> None:
    template = _template(world, "envelope", "body", "legal_name")
    said = {
        "NaN": "is nan",
        "1e400": "is inf",
        str(2**53): "beyond +-(2^53 - 1)",
        '"a\\ud800"': "lone surrogate (U+D800 at character 1)",
    }
    for value, text in said.items():
        problem = _problem(_raw_post(world, template.replace(PLACEHOLDER, value)))
        assert text in problem["detail"], problem


def test_a_huge_integer_is_a_400_not_a_500(world: World) -> None:
    template = _template(world, "envelope", "body", "legal_name")
    response = _raw_post(world, template.replace(PLACEHOLDER, "9" * 5000))
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("version", [0, 2, -1])
def test_an_unknown_envelope_version_is_refused(world: World, version: int) -> None:
    body = _party_wire(world)["envelope"]["body"]
    envelope = make_envelope(
        "party.create", body, origin=world.store.origin, time=world.clock.now(), v=version
    )
    wire = sign_envelope(envelope, world.admin.signer).to_dict()  # signed as it is
    with world.server.client(world.admin.token) as http:
        problem = _problem(http.post("/v1/parties", json=wire))
    assert problem["reason"] == "unknown_version"
    assert f"v={version} is unknown" in problem["detail"] and "v=1" in problem["detail"]


def test_a_manifest_with_a_lone_surrogate_is_a_400(world: World) -> None:
    maker = world.create(world.admin, "manufacturer", "Maker", "US")
    upload = {"signed": world.envelope(maker, "chip.register", {}), "csv": "__value__"}
    text = json.dumps(upload).replace(PLACEHOLDER, '"serial\\ud800"')
    with world.server.client(maker.token) as http:
        response = http.post(
            "/v1/manifests", content=text.encode(), headers={"Content-Type": "application/json"}
        )
    problem = _problem(response)
    assert problem["reason"] == "not_i_json" and problem["detail"].startswith("$.csv")
