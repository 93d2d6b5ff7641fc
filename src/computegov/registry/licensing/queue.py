"""The regulator's queue of applications: each with the evaluation beside it, and one flat
row per application for the CSV an officer opens in a spreadsheet."""

from __future__ import annotations

from typing import Any

from computegov.instants import parse_instant, to_wire
from computegov.registry.licensing.terms import days


def _review(evaluation: dict[str, Any]) -> str:
    """Each model's fired instruments and their review policy, in one cell."""
    parts = []
    for model, answer in sorted(evaluation.get("models", {}).items()):
        for fired in answer.get("fired", []):
            by = fired.get("review_rule") or fired["rule"]
            via = f" (by {by})" if by != fired["rule"] else ""
            parts.append(f"{model}: {fired['rule']} {fired.get('review')}{via}")
    return "; ".join(parts)


def _check(evaluation: dict[str, Any], check: str) -> dict[str, Any] | None:
    for cert in evaluation.get("certifications", []):
        if cert.get("registry_check") == check:
            found: dict[str, Any] = cert
            return found
    return None


def decide_by(view: dict[str, Any]) -> str:
    """When the application should be resolved (90 days from receipt, 15 CFR 750.4(a))."""
    return to_wire(parse_instant(view["submitted_at"]) + days("processing_days"))


def queue_item(view: dict[str, Any]) -> dict[str, Any]:
    """An application's view as the queue lists it: with `decide_by` and its evaluation."""
    return {**view, "decide_by": decide_by(view)}


def queue_row(view: dict[str, Any]) -> dict[str, Any]:
    """One flat row of the queue's CSV: the application, the review policies and what the
    registry found beside the certifications."""
    evaluation = view.get("evaluation") or {}
    share = _check(evaluation, "china_volume_share")
    registry_share = certified_share = None
    if share and share.get("evidence"):
        registry_share = "; ".join(
            f"{e['model']}: {(e.get('registry') or {}).get('share', 'withheld')}"
            for e in share["evidence"]
        )
        certified_share = "; ".join(
            f"{e['model']}: {e['certified']['share']}" for e in share["evidence"]
        )
    kyc = _check(evaluation, "consignee_kyc")
    return {
        "id": view["id"],
        "status": view["status"],
        "appealed": view["appealed"],
        "applicant_id": view["applicant_id"],
        "applicant_name": view.get("applicant_name"),
        "jurisdiction": view["jurisdiction"],
        "destination": view["destination"],
        "ultimate_consignee_id": view["ultimate_consignee_id"],
        "classification": view["classification"],
        "models": ", ".join(view["models"]),
        "quantity": view["quantity"],
        "value_usd": view["value_usd"],
        "instruments": ", ".join(view["instruments"]),
        "review": _review(evaluation),
        "china_volume_share": share["status"] if share else None,
        "registry_share": registry_share,
        "certified_share": certified_share,
        "discrepancies": len(evaluation.get("discrepancies", [])),
        "consignee_kyc": kyc["status"] if kyc else None,
        "screening": (evaluation.get("screening") or {}).get("status"),
        "submitted_at": view["submitted_at"],
        "decide_by": decide_by(view),
        "respond_by": view["respond_by"],
        "license_id": view["license_id"],
    }
