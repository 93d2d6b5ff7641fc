"""The parties and published runs the reporting tests use.

Published figures (GPT-3, Llama 3.1 405B, DeepSeek-V3) are from their papers as Epoch AI
records them (https://epoch.ai/data/notable-ai-models): GPT-3 (Brown et al. 2020,
https://arxiv.org/abs/2005.14165): 175e9 parameters, 300e9 tokens, 3.14e23 FLOP, 3.55e6
V100-hours; Llama 3.1 405B (Llama Team 2024, https://arxiv.org/abs/2407.21783): 405e9
parameters, 15.6e12 tokens, 3.8e25 FLOP, 30.84e6 H100-hours; DeepSeek-V3 (DeepSeek-AI 2024,
https://arxiv.org/abs/2412.19437): 671e9 parameters of which 37e9 active, 14.8e12 tokens,
2.788e6 H800-hours in FP8, 3.41e24 FLOP as Epoch AI counts it (6 x 37e9 x 14.8e12 plus
post-training).
"""

from __future__ import annotations

from typing import Any

from custody_setup import Cast

from conftest import Actor, World

EU = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"]
EU += ["IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"]


class Reporting:
    """Two developers (US, FR), a US cloud with a site, regulators of the US, the EU and CN."""

    def __init__(self, world: World) -> None:
        admin = world.admin
        self.world = world
        self.cast = Cast(world)
        self.us_reg = self.cast.us_reg
        self.cn_reg = self.cast.cn_reg
        self.eu_reg = world.create(admin, "regulator", "EU AI Office", "BE", jurisdiction=EU)
        self.dev = world.create(admin, "ai_developer", "Frontier Labs Inc", "US")
        self.dev2 = world.create(admin, "ai_developer", "Paris Modeles SAS", "FR")
        self.eu_rep = world.create(admin, "ai_developer", "Dublin Representation Ltd", "IE")
        self.cloud = self.cast.us_cloud
        self.site = self.cast.site(self.cloud, "US", "Iowa 1")

    def act(self, actor: Actor, type: str, path: str, body: dict[str, Any], **kw: Any) -> Any:
        return self.world.post(actor, path, self.world.envelope(actor, type, body), **kw)

    def model(self, actor: Actor | None = None, **body: Any) -> Any:
        payload = {"name": "frontier-1", "jurisdictions": ["US"], **body}
        return self.act(actor or self.dev, "report.model", "/v1/reports/models", payload)

    def made_model(self, actor: Actor | None = None, **body: Any) -> dict[str, Any]:
        response = self.model(actor, **body)
        assert response.status_code == 201, response.text
        made: dict[str, Any] = response.json()["model"]
        return made

    def run(self, model_id: str, actor: Actor | None = None, **body: Any) -> Any:
        payload = {
            "model_id": model_id,
            "stage_kind": "pre_training",
            "report_kind": "final",
            "started_at": "2025-06-01T00:00:00Z",
            "ended_at": "2025-09-01T00:00:00Z",
            "estimation_method": "operation_count",
            **body,
        }
        path = "/v1/reports/training-runs"
        return self.act(actor or self.dev, "report.training_run", path, payload)

    def ran(self, model_id: str, actor: Actor | None = None, **body: Any) -> dict[str, Any]:
        response = self.run(model_id, actor, **body)
        assert response.status_code == 201, response.text
        made: dict[str, Any] = response.json()
        return made

    def line(self, chip: str, count: int, hours: float) -> dict[str, Any]:
        return {
            "provider_id": self.cloud.id,
            "site_id": self.site,
            "chip_model": chip,
            "chip_count": count,
            "hours": hours,
        }

    def gpt3(self) -> dict[str, Any]:
        return {
            "declared_flop": 3.14e23,
            "params": 175e9,
            "tokens": 300e9,
            "precision": "fp16",
            "compute_used": [self.line("V100", 10_000, 355)],
        }

    def llama31(self) -> dict[str, Any]:
        return {
            "declared_flop": 3.8e25,
            "params": 405e9,
            "tokens": 15.6e12,
            "precision": "bf16",
            "compute_used": [self.line("H100", 16_000, 1927.5)],
        }

    def deepseek_v3(self) -> dict[str, Any]:
        return {
            "declared_flop": 3.41e24,
            "params": 671e9,
            "active_params": 37e9,
            "tokens": 14.8e12,
            "precision": "fp8",
            "compute_used": [self.line("H800", 2048, 2.788e6 / 2048)],
        }


def check(report: dict[str, Any], subject: str, check: str) -> dict[str, Any]:
    """The one check of `subject` (declared, operation_count) named `check`."""
    [found] = [
        c
        for c in report["assessment"]["stage"]["checks"]
        if c["subject"] == subject and c["check"] == check
    ]
    return found


def threshold(lineage: dict[str, Any], instrument_id: str) -> dict[str, Any]:
    [found] = [t for t in lineage["thresholds"] if t["id"] == instrument_id]
    return found
