"""The access matrix: every pair it refuses is refused, every pair it allows works."""

from __future__ import annotations

import pytest

from computegov.errors import InvalidInput
from computegov.identity import refusals
from computegov.identity.access import Actor, Resource, default_matrix, parse_matrix

MATRIX = default_matrix()
PARTY = "p-actor"
FOREIGN = Resource(id="r-1", owners=frozenset({"p-other"}), countries=frozenset({"FR"}))


def _actor(role: str) -> Actor:
    return Actor(role=role, party_id=PARTY, jurisdiction=frozenset({"US"}), grants=frozenset())


def _resource_in(scope: str) -> Resource:
    """A resource that exactly one scope covers for `_actor`."""
    return {
        "any": FOREIGN,
        "own": Resource(id="r-2", owners=frozenset({PARTY}), countries=frozenset({"FR"})),
        "jurisdiction": Resource(id="r-3", owners=frozenset({"p-x"}), countries={"US"}),  # type: ignore[arg-type]
        "granted": Resource(id="r-granted", owners=frozenset({"p-x"}), countries=frozenset()),
        "licensed": Resource(
            id="r-4",
            owners=frozenset({"p-x"}),
            countries=frozenset({"FR"}),
            followers={"US"},  # type: ignore[arg-type]
        ),
    }[scope]


CASES = list(MATRIX.pairs())


@pytest.mark.parametrize(("role", "action", "scopes"), CASES)
def test_matrix_decides_each_role_and_action(
    role: str, action: str, scopes: tuple[str, ...]
) -> None:
    actor = _actor(role)
    granted_actor = Actor(role, PARTY, frozenset({"US"}), frozenset({"r-granted"}))
    if not scopes:
        for scope in ("any", "own", "jurisdiction", "granted", "licensed"):
            decision = MATRIX.decide(granted_actor, action, _resource_in(scope))
            assert not decision.allowed, (role, action, scope)
            _assert_plain(decision.reason)
        return
    for scope in scopes:
        who = granted_actor if scope == "granted" else actor
        assert MATRIX.decide(who, action, _resource_in(scope)).allowed, (role, action, scope)
    if "any" not in scopes:
        refused = MATRIX.decide(actor, action, FOREIGN)
        assert not refused.allowed, (role, action)
        _assert_plain(refused.reason)


def _assert_plain(reason: str) -> None:
    """A refusal in words for people: the party's role in words, no action or scope names."""
    internals = [*MATRIX.actions, "scope", "_"]  # role slugs with "_" (cloud_provider) too
    assert [word for word in internals if word in reason] == [], reason
    assert reason.startswith("Your party (") and reason.endswith("."), reason


def test_every_action_of_the_matrix_has_its_words() -> None:
    assert set(MATRIX.actions) <= set(refusals.ACTIONS)
    assert set(MATRIX.roles) <= set(refusals.ROLE) & set(refusals.ROLES)


def test_only_administrator_and_regulators_create_parties() -> None:
    creators = {role for role, action, scopes in CASES if action == "party.create" and scopes}
    assert creators == {"administrator", "regulator"}
    regulator = Actor("regulator", "p-reg", frozenset({"NL"}))
    assert MATRIX.decide(regulator, "party.create", Resource(countries=frozenset({"NL"}))).allowed
    refused = MATRIX.decide(regulator, "party.create", Resource(countries=frozenset({"US"})))
    assert not refused.allowed
    assert refused.reason == (
        "Your party (a regulator) can create only parties in its jurisdiction (NL); "
        "this party is not among them."
    )


def test_regulator_reads_are_recorded_and_others_are_not() -> None:
    regulator = Actor("regulator", "p-reg", frozenset({"NL"}))
    read = MATRIX.decide(regulator, "party.read", Resource(countries=frozenset({"NL"})))
    assert read.allowed and read.logged
    maker = Actor("manufacturer", "p-m")
    own = MATRIX.decide(maker, "party.read", Resource(owners=frozenset({"p-m"})))
    assert own.allowed and not own.logged


def test_a_typo_in_the_matrix_cannot_open_access() -> None:
    with pytest.raises(InvalidInput, match="unknown scope"):
        parse_matrix('roles = ["a"]\n[actions]\n"x.read" = { a = ["everything"] }\n')
    with pytest.raises(InvalidInput, match="unknown role"):
        parse_matrix('roles = ["a"]\n[actions]\n"x.read" = { b = ["any"] }\n')
    with pytest.raises(InvalidInput, match="unknown action"):
        MATRIX.decide(_actor("regulator"), "party.delete", FOREIGN)
