"""Access refusals speak to people (issue 10): through the real server on both engines, a page
and a problem document that refuse a reader say in plain words what its party may not do and
why, never in the access matrix's terms (`chip.read`, `scope own`, `cloud_provider`); the
problem document keeps the machine-readable `reason` and `action`."""

from __future__ import annotations

import html
import re

import httpx
import web_setup

from computegov.identity.access import default_matrix
from computegov.identity.keys import encode_public_key
from computegov.web.pages import COOKIE
from conftest import Actor, World, new_signer

INTERNALS = [*default_matrix().actions, "scope", "_"]  # "_": role slugs (cloud_provider)


def _internals_in(text: str) -> list[str]:
    return [word for word in INTERNALS if word in text]


def _page_refusal(world: World, actor: Actor, path: str) -> str:
    with httpx.Client(
        base_url=world.server.url, cookies={COOKIE: actor.token}, timeout=10
    ) as browser:
        page = browser.get(path)
    assert page.status_code == 403, page.text
    assert page.headers["content-type"].startswith("text/html")
    (alert,) = re.findall(r'<p class="error" role="alert">(.*?)</p>', page.text, re.DOTALL)
    return html.unescape(alert)


def _api_refusal(world: World, actor: Actor, path: str, action: str) -> str:
    problem = world.get(actor, path)
    assert problem.status_code == 403, problem.text
    body = problem.json()
    assert (body["reason"], body["action"]) == ("access", action)
    assert _internals_in(body["title"]) == []
    detail: str = body["detail"]
    return detail


def test_a_page_says_whose_chip_it_is_not_in_plain_words(world: World) -> None:
    fx = web_setup.build(world)
    makers_chip = fx.chips["maker"][0]
    said = _page_refusal(world, fx.cloud, f"/chips/{makers_chip}")
    assert said == (
        "Your party (a cloud provider) can see only the chips it holds or made; "
        "this chip is held by another party."
    )
    assert _internals_in(said) == []


def test_the_api_says_it_in_the_same_words_and_keeps_the_machine_fields(world: World) -> None:
    fx = web_setup.build(world)
    makers_chip = fx.chips["maker"][0]
    said = _api_refusal(world, fx.cloud, f"/v1/chips/{makers_chip}", "chip.read")
    assert said == (
        "Your party (a cloud provider) can see only the chips it holds or made; "
        "this chip is held by another party."
    )


def test_each_kind_of_refusal_is_plain_on_pages_and_in_the_api(world: World) -> None:
    """A role the matrix never lets take the action, a regulator outside its jurisdiction,
    a party reaching for another's records: each refusal names the party's role in words,
    what it may do instead, and why this one is out of reach."""
    fx = web_setup.build(world)
    said = {
        "no scope at all": _api_refusal(world, fx.dev, "/v1/screening/lists", "screening.read"),
        "outside the jurisdiction": _api_refusal(
            world, fx.regulator_cn, f"/v1/transfers/{fx.transfer_id}", "transfer.read"
        ),
        "another's party": _api_refusal(world, fx.dev, f"/v1/parties/{fx.cloud.id}", "party.read"),
        "another's transfer": _api_refusal(
            world, fx.dev, f"/v1/transfers/{fx.transfer_id}", "transfer.read"
        ),
    }
    assert said["no scope at all"] == (
        "Your party (an AI developer) may not see screening lists and flags; only the "
        "administrator and regulators may."
    )
    assert said["outside the jurisdiction"] == (
        "Your party (a regulator) can see only the transfers it sends or receives, "
        "transfers in its jurisdiction (CN) or transfers followed under its jurisdiction's "
        "export licenses; this transfer is not among them."
    )
    assert said["another's party"] == (
        "Your party (an AI developer) can see only its own record; this record is another party's."
    )
    # a ledger entry's record, on its page
    with httpx.Client(
        base_url=world.server.url, cookies={COOKIE: world.admin.token}, timeout=10
    ) as admin:
        chip_page = admin.get(f"/chips/{fx.chips['cloud'][0]}").text
    (entry,) = re.findall(r'href="/openings/([0-9a-f-]+)"', chip_page)
    said["an entry about others"] = _page_refusal(world, fx.dev, f"/openings/{entry}")
    assert said["an entry about others"] == (
        "Your party (an AI developer) can open only the entries about its own party; "
        "this entry is about other parties."
    )
    for kind, sentence in said.items():
        assert _internals_in(sentence) == [], (kind, sentence)
        assert sentence.startswith("Your party (") and sentence.endswith("."), sentence


def test_a_refused_action_is_recorded_and_answered_in_plain_words(world: World) -> None:
    """A signed mutation the matrix refuses (an AI developer creating a party)."""
    fx = web_setup.build(world)
    key = encode_public_key(new_signer().public_key_bytes())
    body = {"legal_name": "Shell Co", "role": "distributor", "country": "CN", "public_keys": [key]}
    refused = world.post(fx.dev, "/v1/parties", world.envelope(fx.dev, "party.create", body))
    assert refused.status_code == 403, refused.text
    problem = refused.json()
    assert (problem["reason"], problem["action"]) == ("access", "party.create")
    assert problem["detail"] == (
        "Your party (an AI developer) may not create parties; only the administrator and "
        "regulators may."
    )
