"""Demo module `licensing`: export licensing as regulators run it, under the January 2026 rule.

NVIDIA brings H200s from their assembly site in Taiwan into the United States (to Meridian
and Northwind); Yangtze Cloud files its know-your-customer attestation; Meridian applies to
export H200s to it and the US regulator approves with riders; a US test lab reviews the
shipment and Meridian ships under the license with its export filing reference, destination
control statement and lab report. Then Yangtze re-exports some of those chips to a trader in
Singapore, which the license did not name: no license is needed for that move, so it goes
through, and the registry raises `license_diversion` for the US regulator, who follows the
chips wherever they go. Beside it: an application denied after an intent to deny (B200s,
over the rule's limits, to a Chinese developer), one pending whose certified figures
disagree with the registry's own count (a `certification_discrepancy` flag), and one referred
to other agencies. Every step is a signed action through the registry's use cases.

The form Meridian signs is written to `computegov-demo/forms/h200-to-china.json`, so the
README's tour can apply with it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from computegov.demo.context import DemoContext
from computegov.demo.custody import Custody
from computegov.demo.module import DemoModule
from computegov.files import replace_file
from computegov.instants import to_wire
from computegov.registry.custody import transfers
from computegov.registry.licensing import applications, decisions, kyc, labs
from computegov.rules import certifications

H200 = "H200 SXM"
#: A unit value for the demo's H200 applications (a figure for the demo, not a price quote).
H200_VALUE_USD = 32_000
B200_VALUE_USD = 40_000
#: The instruments an H200 export from the US to China is applied for under.
H200_INSTRUMENTS = ("bis-2023-10", "bis-2025-04-h20", "bis-2026-01-review")
FORMS_DIR = "forms"
H200_FORM = "h200-to-china.json"


def _certified(rules: tuple[str, ...]) -> dict[str, bool]:
    return {c.id: True for rule in rules for c in certifications(rule)}


def h200_form(ctx: DemoContext, us: int, china: int) -> dict[str, Any]:
    """Meridian's application to export H200s to Yangtze Cloud (quantity and value apart)."""
    yangtze = ctx.parties["yangtze"].id
    return {
        "purchaser_id": yangtze,
        "ultimate_consignee_id": yangtze,
        "end_user_ids": [yangtze],
        "destination": "CN",
        "classification": "3A090.a",
        "models": [H200],
        "end_use": "inference serving for Yangtze Cloud's public cloud customers in China",
        "letter_of_explanation": (
            "Yangtze Cloud rents inference capacity to identified customers; no customer is a "
            "military end user; remote access needs a verified account (demo text)."
        ),
        "us_units_shipped": {"us": us, "china_macau": china},
        "instruments": list(H200_INSTRUMENTS),
        "certifications": _certified(H200_INSTRUMENTS),
    }


class Licensing:
    """The licensing steps of the demo, each one signed action."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.custody = Custody(ctx)
        self.custody.sites = dict(ctx.examples["sites"])

    def apply(self, applicant: str, form: dict[str, Any], quantity: int, value: int) -> str:
        body = {**form, "quantity": quantity, "value_usd": value}
        made = self.ctx.act(applicant, "license.apply", body, applications.apply_license)
        return str(made["application"]["id"])

    def decide(self, application_id: str, step: str, **fields: Any) -> dict[str, Any]:
        body = {"application_id": application_id, "step": step, **fields}
        return self.ctx.act("us-regulator", "license.decide", body, decisions.decide)

    def lab_report(self, chips: list[str], license_id: str) -> str:
        reviewed = self.ctx.store.clock.now() - timedelta(hours=2)
        body = {
            "chips": chips,
            "reviewed_at": to_wire(reviewed),
            "license_id": license_id,
            "findings": {"result": "capabilities and functions as described in the application"},
        }
        made = self.ctx.act("keystone", "lab.report", body, labs.file_report)
        return str(made["lab_report"]["id"])

    def ship(self, chips: list[str], license_id: str, report: str, filing: int) -> dict[str, Any]:
        day = self.ctx.store.clock.now().strftime("%Y%m%d")
        body = self.custody.transfer_body(chips, "yangtze", "CN", "wuhan", license_id)
        body["value_usd"] = H200_VALUE_USD * len(chips)
        body["export_filing_ref"] = f"X{day}{filing:06d}"
        body["destination_control_statement"] = True
        body["lab_report_ids"] = [report]
        transfer = self.custody.declare("meridian", body)
        confirm = {"transfer_id": transfer["id"]}
        self.ctx.act("yangtze", "transfer.confirm", confirm, transfers.confirm_transfer)
        return transfer


def build(ctx: DemoContext) -> None:
    lic = Licensing(ctx)
    c = lic.custody
    # Into the United States from the assembly site in Taiwan: US customers' deliveries, the
    # other side of the rule's 50% condition.
    c.deliver("nvidia", "meridian", H200, 120, "US", site="reno")
    c.deliver("nvidia", "northwind", H200, 40, "US", site="ashburn")
    statement = {"statement": "customers are identified; remote access needs a verified account"}
    ctx.act("yangtze", "kyc.attest", statement, kyc.attest)

    approved = lic.apply("meridian", h200_form(ctx, us=160, china=0), 60, 60 * H200_VALUE_USD)
    riders = [
        {"id": "no-remote-access", "text": "no access to the chips from outside China"},
        {"id": "end-use-check", "text": "the consignee admits an end-use check on request"},
    ]
    granted = lic.decide(approved, "approve", riders=riders)
    license_id = str(granted["license"]["id"])
    chips = ctx.chip_ids("meridian", H200, 40, status="installed")
    report = lic.lab_report(chips, license_id)
    shipped = lic.ship(chips, license_id, report, filing=1)
    # Yangtze sends 8 of them on to a trader in Singapore: no license is needed for that move,
    # but the license named Yangtze in China, so the chips are diverted.
    diverted = ctx.chip_ids("yangtze", H200, 8, status="installed")
    onward = c.declare("yangtze", c.transfer_body(diverted, "lion-city", "SG"))
    ctx.act(
        "lion-city", "transfer.confirm", {"transfer_id": onward["id"]}, transfers.confirm_transfer
    )

    # Certified figures that disagree with the registry's own count: flagged, still pending.
    pending = lic.apply("meridian", h200_form(ctx, us=400, china=0), 50, 50 * H200_VALUE_USD)
    # B200s to a Chinese developer: over the rule's limits, a presumption of denial.
    b200 = {
        **h200_form(ctx, us=0, china=0),
        "purchaser_id": ctx.parties["pearl-river"].id,
        "ultimate_consignee_id": ctx.parties["pearl-river"].id,
        "end_user_ids": [ctx.parties["pearl-river"].id],
        "models": ["B200"],
        "instruments": ["bis-2023-10"],
        "certifications": {},
        "end_use": "training frontier models",
    }
    denied = lic.apply("nvidia", b200, 100, 100 * B200_VALUE_USD)
    lic.decide(denied, "intent_to_deny", reason="B200s exceed the January 2026 rule's limits")
    answer = {"application_id": denied, "text": "the chips would serve civil research only"}
    ctx.act("nvidia", "license.answer", answer, decisions.answer)
    lic.decide(denied, "deny", reason="presumption of denial: TPP over 21,000 (91 FR 1684)")
    referred = lic.apply("meridian", h200_form(ctx, us=120, china=60), 20, 20 * H200_VALUE_USD)
    lic.decide(referred, "refer", agencies=["defense", "state"])

    # The form the README's tour applies with, certifying the world as built: 120 H200s with
    # US customers (160 delivered, 40 of them since exported), 60 to China (40 shipped, 20
    # left on the license).
    folder = ctx.root / FORMS_DIR
    folder.mkdir(exist_ok=True)
    form = h200_form(ctx, us=120, china=60)
    replace_file(folder / H200_FORM, json.dumps(form, indent=2) + "\n")
    ctx.examples["licensing"] = {
        "form": f"{FORMS_DIR}/{H200_FORM}",
        "applications": {
            "approved": approved,
            "pending": pending,
            "denied": denied,
            "referred": referred,
        },
        "h200_license": license_id,
        "lab_report": report,
        "licensed_shipment": shipped["id"],
        "diversion": {"transfer": onward["id"], "chips": diverted},
    }


MODULE = DemoModule(name="licensing", build=build)
