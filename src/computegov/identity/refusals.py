"""Access refusals in plain words: what the reader's party may not do, and why.

The access matrix decides in its own terms (role `cloud_provider`, action `chip.read`, scope
`own`); a person reading a refusal on a page or in a problem document should not need them:
"Your party (a cloud provider) can see only the chips it holds or made; this chip is held by
another party." Each action of the matrix has its words here (a test checks that none is
missing, so a new action cannot fall back to internals); the machine-readable names stay in
the problem document's own members (`reason`, `action`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ROLE = {
    "administrator": "the administrator",
    "regulator": "a regulator",
    "manufacturer": "a manufacturer",
    "distributor": "a distributor",
    "cloud_provider": "a cloud provider",
    "ai_developer": "an AI developer",
    "auditor": "an auditor",
    "test_lab": "a test lab",
}
ROLES = {
    "administrator": "the administrator",
    "regulator": "regulators",
    "manufacturer": "manufacturers",
    "distributor": "distributors",
    "cloud_provider": "cloud providers",
    "ai_developer": "AI developers",
    "auditor": "auditors",
    "test_lab": "test labs",
}


@dataclass(frozen=True)
class Words:
    """How one action reads: `verb things` ("see chips"); `own`, the things of the party's
    own ("the chips it holds or made"); `this`, the one refused ("this chip"); `other`, why
    it is not the party's own ("this chip is held by another party")."""

    verb: str
    things: str
    own: str
    this: str
    other: str


_PARTY_OWN = ("its own record", "this party", "this record is another party's")
_OWN_PARTY = ("its own party", "this party", "this is another party")

ACTIONS: Mapping[str, Words] = {
    "party.create": Words("create", "parties", "its own parties", "this party", "it is not yours"),
    "party.read": Words("see", "parties", *_PARTY_OWN),
    "party.list": Words("list", "parties", *_PARTY_OWN),
    "key.register": Words("register keys for", "parties", *_OWN_PARTY),
    "key.revoke": Words("revoke keys of", "parties", *_OWN_PARTY),
    "token.create": Words("create API tokens for", "parties", *_OWN_PARTY),
    "token.revoke": Words("revoke API tokens of", "parties", *_OWN_PARTY),
    "log.opening.read": Words(
        "open",
        "ledger entries",
        "the entries about its own party",
        "this entry",
        "this entry is about other parties",
    ),
    "audit.grant": Words(
        "grant auditors access to", "parties", "its own party", "this party", "it is not yours"
    ),
    "screening.import": Words(
        "import",
        "screening lists",
        "its own screening lists",
        "this list",
        "this list belongs to another party",
    ),
    "screening.withdraw": Words(
        "withdraw",
        "screening lists",
        "the screening lists it imported",
        "this list",
        "another party imported this list",
    ),
    "screening.read": Words(
        "see", "screening lists and flags", "its own lists", "this list", "it is not yours"
    ),
    "chip.register": Words(
        "register",
        "chips",
        "chips of the vendors bound to it",
        "these chips",
        "they are another manufacturer's",
    ),
    "chip.read": Words(
        "see",
        "chips",
        "the chips it holds or made",
        "this chip",
        "this chip is held by another party",
    ),
    "chip.report": Words(
        "report the status of",
        "chips",
        "the chips it holds",
        "this chip",
        "this chip is held by another party",
    ),
    "chip.key.request": Words(
        "ask to bind a device key to",
        "chips",
        "the chips it holds",
        "this chip",
        "this chip is held by another party",
    ),
    "chip.key.approve": Words(
        "approve device keys of",
        "chips",
        "the chips it holds",
        "this chip",
        "this chip is held by another party",
    ),
    "vendor.bind": Words(
        "bind",
        "chip vendors",
        "its own vendors",
        "this vendor",
        "this vendor is not yours",
    ),
    "vendor.list": Words("list", "chip vendors", "its own vendors", "this list", "it is not yours"),
    "site.create": Words(
        "create", "sites", "sites it operates", "this site", "this site would be another party's"
    ),
    "site.read": Words(
        "see", "sites", "the sites it operates", "this site", "another party operates this site"
    ),
    "site.install": Words(
        "install chips at",
        "sites",
        "the sites it operates",
        "this site",
        "another party operates this site",
    ),
    "license.issue": Words(
        "issue",
        "export licenses",
        "its own licenses",
        "this license",
        "it is not yours to issue",
    ),
    "license.read": Words(
        "see",
        "export licenses",
        "the licenses it holds, is the consignee of or issued",
        "this license",
        "this license is between other parties",
    ),
    "transfer.declare": Words(
        "declare",
        "transfers",
        "transfers of chips it holds",
        "this transfer",
        "these chips are held by another party",
    ),
    "transfer.confirm": Words(
        "confirm",
        "transfers",
        "the transfers it sends or receives",
        "this transfer",
        "this transfer is between other parties",
    ),
    "transfer.cancel": Words(
        "cancel",
        "transfers",
        "the transfers it sends or receives",
        "this transfer",
        "this transfer is between other parties",
    ),
    "transfer.read": Words(
        "see",
        "transfers",
        "the transfers it sends or receives",
        "this transfer",
        "this transfer is between other parties",
    ),
    "license.suspend": Words(
        "suspend",
        "export licenses",
        "licenses of its jurisdiction",
        "this license",
        "this license was issued under another jurisdiction",
    ),
    "license.revoke": Words(
        "revoke",
        "export licenses",
        "licenses of its jurisdiction",
        "this license",
        "this license was issued under another jurisdiction",
    ),
    "license.reinstate": Words(
        "reinstate",
        "export licenses",
        "licenses of its jurisdiction",
        "this license",
        "this license was issued under another jurisdiction",
    ),
    "lab.report": Words(
        "file", "lab reports", "its own reports", "this report", "it is another lab's"
    ),
    "lab.report.read": Words(
        "see",
        "lab reports",
        "the reports it filed or that transfers under its licenses cite",
        "this report",
        "this report is another lab's, cited by no transfer under its licenses",
    ),
    "flag.read": Words("see", "flags", "flags on itself", "this flag", "this flag is not yours"),
    "flag.close": Words("close", "flags", "flags on itself", "this flag", "this flag is not yours"),
    "impact.read": Words(
        "see the impact of export rules on",
        "chips",
        "the chips it holds",
        "these chips",
        "they are another party's",
    ),
    "license.apply": Words(
        "apply for",
        "export licenses",
        "licenses for its own exports",
        "this application",
        "it would be another party's",
    ),
    "report.model": Words(
        "report",
        "models",
        "its own models",
        "this model",
        "it would be another party's",
    ),
    "report.training_run": Words(
        "report training runs of",
        "models",
        "its own models",
        "this model",
        "it is another developer's",
    ),
    "report.read": Words(
        "see",
        "compute reports",
        "the reports it filed",
        "this report",
        "this report is another party's",
    ),
    "report.attestation": Words(
        "attest",
        "chip-hours delivered",
        "its own deliveries",
        "this attestation",
        "it would be another provider's",
    ),
    "report.attestation_request": Words(
        "request",
        "provider attestations",
        "attestations for its jurisdictions",
        "this attestation request",
        "it names no party of the regulator's jurisdictions",
    ),
    "attestation.read": Words(
        "see",
        "provider attestations",
        "the attestations it filed or that name it",
        "this attestation",
        "this attestation is another party's",
    ),
    "report.identity": Words(
        "attest",
        "customer identity records",
        "its own customers' records",
        "this identity attestation",
        "it would be another provider's",
    ),
    "report.identity_request": Words(
        "request",
        "customer identity records",
        "records for its jurisdictions",
        "this identity record",
        "it is addressed to other jurisdictions",
    ),
    "report.identity_answer": Words(
        "answer",
        "identity record requests",
        "requests addressed to it",
        "this request",
        "it is addressed to another provider",
    ),
    "identity.read": Words(
        "see",
        "identity attestations",
        "the attestations it filed",
        "this identity attestation",
        "this attestation is another party's",
    ),
    "report.facts": Words(
        "report",
        "entity facts",
        "its own facts",
        "these facts",
        "they would be another party's",
    ),
    "report.filing": Words(
        "sign",
        "filing packets",
        "packets for its own models",
        "this filing",
        "the model is another developer's",
    ),
    "report.above_thresholds": Words(
        "list",
        "models above thresholds",
        "the models addressed to its jurisdictions",
        "this list",
        "it covers none of the regulator's jurisdictions",
    ),
    "flag.assign": Words(
        "assign",
        "flags",
        "flags touching its jurisdictions",
        "this flag",
        "it touches none of the regulator's jurisdictions",
    ),
    "flag.comment": Words(
        "comment on",
        "flags",
        "flags raised about it",
        "this flag",
        "it is about another party",
    ),
    "flag.dispute": Words(
        "dispute",
        "flags",
        "flags raised about it",
        "this flag",
        "it is about another party",
    ),
    "flag.resolve": Words(
        "resolve",
        "flags",
        "flags touching its jurisdictions",
        "this flag",
        "it touches none of the regulator's jurisdictions",
    ),
    "application.read": Words(
        "see",
        "license applications",
        "the applications it filed",
        "this application",
        "this application is another party's",
    ),
    "license.decide": Words(
        "decide",
        "license applications",
        "applications under its jurisdiction",
        "this application",
        "it is not for you to decide",
    ),
    "license.answer": Words(
        "answer notices on",
        "license applications",
        "the applications it filed",
        "this application",
        "this application is another party's",
    ),
    "license.appeal": Words(
        "appeal decisions on",
        "license applications",
        "the applications it filed",
        "this application",
        "this application is another party's",
    ),
    "kyc.attest": Words(
        "attest",
        "know-your-customer procedures",
        "its own procedures",
        "this attestation",
        "it would be another party's",
    ),
    "kyc.read": Words(
        "see",
        "know-your-customer attestations",
        "its own attestations",
        "this attestation",
        "this attestation is another party's",
    ),
    "stats.read": Words(
        "see statistics of",
        "chips",
        "the chips it holds or made",
        "these chips",
        "they are another party's",
    ),
}


def _join(items: list[str], last: str) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {last} " + items[-1]


def _words(action: str) -> Words:
    words = ACTIONS.get(action)
    if words is None:  # the matrix names an action nobody phrased (a test forbids it)
        noun = action.split(".")[0]
        return Words("do that with", f"{noun}s", f"its own {noun}s", f"this {noun}", "")
    return words


def may_not_at_all(role: str, action: str, allowed: Mapping[str, Iterable[str]]) -> str:
    """A refusal for a role the matrix gives no scope for the action; `allowed` is role ->
    scopes of the roles that may (from the matrix), to say who does."""
    words = _words(action)
    who = [ROLES.get(r, r) for r, scopes in allowed.items() if tuple(scopes)]
    sentence = f"Your party ({ROLE.get(role, role)}) may not {words.verb} {words.things}"
    if not who:
        return sentence + "."
    return sentence + f"; only {_join(who, 'and')} may."


def only_within(role: str, action: str, scopes: Iterable[str], jurisdiction: Iterable[str]) -> str:
    """A refusal for a role that may take the action only within `scopes`, none of which
    covers the resource."""
    words = _words(action)
    scopes = tuple(scopes)
    places = ", ".join(sorted(jurisdiction)) or "none"
    reach = {
        "own": words.own,
        "jurisdiction": f"{words.things} in its jurisdiction ({places})",
        "granted": f"{words.things} of parties a regulator granted it access to",
        "licensed": f"{words.things} followed under its jurisdiction's export licenses",
    }
    phrases = [reach[s] for s in scopes if s in reach]
    because = words.other if scopes == ("own",) and words.other else ""
    if not because:
        because = f"{words.this} is not among them"
    return (
        f"Your party ({ROLE.get(role, role)}) can {words.verb} only {_join(phrases, 'or')}; "
        f"{because}."
    )
