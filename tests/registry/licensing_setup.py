"""The cast and the moves of the license-application tests: chips shipped by real transfers
(declared and confirmed over HTTP), applications filed, steps taken."""

from __future__ import annotations

from typing import Any

from custody_setup import Cast, add_chips

from computegov.rules import certifications
from conftest import Actor, World

JAN_2026 = "bis-2026-01-review"
H200 = "H200 SXM"


def all_certified(*rules: str) -> dict[str, bool]:
    """Every certification the instruments ask, certified."""
    return {c.id: True for rule in rules for c in certifications(rule)}


class Licensing(Cast):
    """The custody cast plus what applications need: a Taiwanese assembler of the maker, a
    second US customer, a Dutch regulator and an auditor."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        admin = world.admin
        self.us_cloud2 = world.create(admin, "cloud_provider", "Ohio AI Farms LLC", "US")
        self.nl_reg = world.create(admin, "regulator", "NL Customs", "NL", jurisdiction=["NL"])
        self.auditor = world.create(admin, "auditor", "Audit LLP", "US")

    def ship(
        self,
        sender: Actor,
        chips: list[str],
        receiver: Actor,
        country: str,
        **body: Any,
    ) -> dict[str, Any]:
        """Declare and confirm a transfer; the completed transfer."""
        declared = self.declare(sender, chips, receiver, country, **body)
        assert declared.status_code == 201, declared.text
        transfer_id = declared.json()["transfer"]["id"]
        confirmed = self.act(
            receiver, "transfer.confirm", "/v1/transfers/confirm", {"transfer_id": transfer_id}
        )
        assert confirmed.status_code == 200, confirmed.text
        result: dict[str, Any] = confirmed.json()["transfer"]
        return result

    def seed_shipments(self, us: int, china: int, model: str = H200) -> None:
        """`us` chips of `model` shipped from Taiwan to US customers, `china` from the US to
        a Chinese cloud under a US license: the registry's own record of the product."""
        if us:
            made = add_chips(self.world, self.maker, model, us, country="TW")
            half = us // 2
            self.ship(self.maker, made[:half], self.us_cloud, "US")
            if us - half:
                self.ship(self.maker, made[half:], self.us_cloud2, "US")
        if china:
            held = add_chips(self.world, self.maker, model, china, country="US")
            issued = self.license(self.us_reg, self.maker, self.cn_cloud, "CN", [model], china)
            assert issued.status_code == 201, issued.text
            self.ship(
                self.maker, held, self.cn_cloud, "CN", license_id=issued.json()["license"]["id"]
            )

    def form(self, **override: Any) -> dict[str, Any]:
        """An application by the maker for 10 H200s to the Chinese cloud under the January
        2026 rule, certified, with the given fields replaced."""
        form: dict[str, Any] = {
            "purchaser_id": self.cn_cloud.id,
            "intermediate_consignee_ids": [],
            "ultimate_consignee_id": self.cn_cloud.id,
            "end_user_ids": [self.cn_cloud.id],
            "destination": "CN",
            "classification": "3A090.a",
            "models": [H200],
            "quantity": 10,
            "value_usd": 320_000,
            "end_use": "training and serving language models in a commercial cloud",
            "letter_of_explanation": "Shanghai Compute Co runs a public cloud in Shanghai.",
            "us_units_shipped": {"us": 100, "china_macau": 50},
            "instruments": ["bis-2023-10", JAN_2026],
            "certifications": all_certified(JAN_2026),
        }
        form.update(override)
        return form

    def apply(self, applicant: Actor | None = None, **override: Any) -> Any:
        return self.act(
            applicant or self.maker,
            "license.apply",
            "/v1/license-applications",
            self.form(**override),
        )

    def applied(self, applicant: Actor | None = None, **override: Any) -> dict[str, Any]:
        response = self.apply(applicant, **override)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def step(self, actor: Actor, application_id: str, step: str, **body: Any) -> Any:
        payload = {"application_id": application_id, "step": step, **body}
        path = f"/v1/license-applications/{application_id}/decision"
        return self.act(actor, "license.decide", path, payload)

    def answer(self, application_id: str, text: str = "we answer") -> Any:
        path = f"/v1/license-applications/{application_id}/answer"
        body = {"application_id": application_id, "text": text}
        return self.act(self.maker, "license.answer", path, body)

    def appeal(self, application_id: str, reason: str = "we appeal") -> Any:
        path = f"/v1/license-applications/{application_id}/appeal"
        body = {"application_id": application_id, "reason": reason}
        return self.act(self.maker, "license.appeal", path, body)

    def attest(self, actor: Actor) -> Any:
        body = {"statement": "customers are identified; remote access needs a verified account"}
        return self.act(actor, "kyc.attest", "/v1/kyc-attestations", body)


def certification(application: dict[str, Any], check: str) -> dict[str, Any]:
    """The evaluation's entry for the certification the registry checks by `check`."""
    [found] = [
        c for c in application["evaluation"]["certifications"] if c["registry_check"] == check
    ]
    return found
