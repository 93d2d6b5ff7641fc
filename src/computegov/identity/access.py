"""The role x action x jurisdiction matrix, kept as data, that decides every request."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from computegov.errors import InvalidInput
from computegov.identity import refusals

SCOPES = ("any", "own", "jurisdiction", "granted", "licensed")


@dataclass(frozen=True)
class Actor:
    """Who makes a request: a party in a role (or the administrator)."""

    role: str
    party_id: str | None = None
    jurisdiction: frozenset[str] = frozenset()
    grants: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Resource:
    """What a request touches, as far as access is concerned.

    `followers` are the jurisdictions whose export licenses a chip moved under while the
    license's end-use condition lasts (for a transfer: lasted when it was declared); their
    regulators follow the chip wherever it goes (the `licensed` scope).
    """

    id: str | None = None
    owners: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    followers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Decision:
    """The answer for one request, with the reason in words (a refusal's in plain words for
    the reader, `identity.refusals`; an allowance's in the matrix's terms, for logs)."""

    allowed: bool
    reason: str
    scope: str | None = None
    logged: bool = False


@dataclass(frozen=True)
class AccessMatrix:
    """Role -> action -> allowed scopes, plus the roles whose reads are recorded."""

    roles: tuple[str, ...]
    actions: Mapping[str, Mapping[str, tuple[str, ...]]]
    logged_reads: frozenset[str] = field(default_factory=frozenset)

    def scopes(self, role: str, action: str) -> tuple[str, ...]:
        if action not in self.actions:
            raise InvalidInput(f"unknown action {action!r}; known: {', '.join(self.actions)}")
        if role not in self.roles:
            raise InvalidInput(f"unknown role {role!r}; known: {', '.join(self.roles)}")
        return self.actions[action].get(role, ())

    def pairs(self) -> Iterator[tuple[str, str, tuple[str, ...]]]:
        """Every (role, action, scopes) pair, refused ones with empty scopes: for tests."""
        for action in self.actions:
            for role in self.roles:
                yield role, action, self.scopes(role, action)

    def decide(self, actor: Actor, action: str, resource: Resource) -> Decision:
        """Allow when any scope the matrix grants the actor's role covers the resource."""
        scopes = self.scopes(actor.role, action)
        logged = action.endswith((".read", ".list")) and actor.role in self.logged_reads
        if not scopes:
            return Decision(False, self.refusal(actor.role, action))
        for scope in scopes:
            if _covers(scope, actor, resource):
                return Decision(True, f"{actor.role} may {action} ({scope})", scope, logged)
        return Decision(False, refusals.only_within(actor.role, action, scopes, actor.jurisdiction))

    def refusal(self, role: str, action: str) -> str:
        """In plain words, why `role` may not take `action` at all, and who may."""
        return refusals.may_not_at_all(role, action, self.actions.get(action, {}))


def _covers(scope: str, actor: Actor, resource: Resource) -> bool:
    if scope == "any":
        return True
    if scope == "own":
        return actor.party_id is not None and actor.party_id in resource.owners
    if scope == "jurisdiction":
        return bool(actor.jurisdiction & resource.countries)
    if scope == "granted":  # a grant over a party covers that party's own records too
        return resource.id in actor.grants or bool(actor.grants & resource.owners)
    if scope == "licensed":  # the control follows the chip: the licensing jurisdiction's
        return bool(actor.jurisdiction & resource.followers)
    raise AssertionError(f"unknown scope {scope!r}")


def parse_matrix(text: str) -> AccessMatrix:
    """Parse the TOML form; reject unknown roles or scopes so a typo cannot open access."""
    data = tomllib.loads(text)
    roles = tuple(data["roles"])
    actions: dict[str, dict[str, tuple[str, ...]]] = {}
    for action, grants in data["actions"].items():
        for role, scopes in grants.items():
            if role not in roles:
                raise InvalidInput(f"access matrix: unknown role {role!r} in {action}")
            bad = [s for s in scopes if s not in SCOPES]
            if bad:
                raise InvalidInput(f"access matrix: unknown scope {bad} for {role} {action}")
        actions[action] = {role: tuple(scopes) for role, scopes in grants.items()}
    unknown_logged = set(data.get("logged_reads", [])) - set(roles)
    if unknown_logged:
        raise InvalidInput(f"access matrix: unknown roles in logged_reads: {unknown_logged}")
    return AccessMatrix(roles, actions, frozenset(data.get("logged_reads", [])))


@cache
def default_matrix() -> AccessMatrix:
    """The packaged matrix (`identity/data/access.toml`)."""
    text = resources.files("computegov.identity").joinpath("data/access.toml").read_text()
    return parse_matrix(text)
