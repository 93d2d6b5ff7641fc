"""The tables of compute reporting: the models developers report, with their lineage, and the
training-run reports of each stage (planned, interim, final; a later one supersedes the
earlier without erasing it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from computegov.registry.tables import Instant, Json, PartyRef
from computegov.store.models import Base


class ReportedModel(Base):
    """A model an AI developer reported (`report.model`).

    `provider_id` is the provider of record (the legal entity that places the model on the
    market; the developer where none is named); `eu_representative_id` the authorised
    representative in the EU where that provider is established outside it and the model is
    placed on the EU market (AI Act Art. 54). `parent_id` is the model it was derived from
    (fine-tuned, distilled, continued), any developer's. `markets` are the countries it is
    placed on the market in; `jurisdictions` the countries whose regulators the report is
    addressed to (its readers besides the developer). A re-report (`model_id` in the body)
    amends the row in place; the ledger keeps every version (`entry_id` is the latest).
    """

    __tablename__ = "reported_models"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    developer_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    provider_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"))
    eu_representative_id: Mapped[str | None] = mapped_column(
        PartyRef, sa.ForeignKey("parties.id"), default=None
    )
    parent_id: Mapped[str | None] = mapped_column(
        sa.String(32), sa.ForeignKey("reported_models.id"), index=True, default=None
    )
    markets: Mapped[list[str]] = mapped_column(Json, default=list)
    jurisdictions: Mapped[list[str]] = mapped_column(Json, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_at: Mapped[datetime] = mapped_column(Instant)
    updated_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class TrainingRunReport(Base):
    """One report on one stage of a model's training (`report.training_run`).

    `stage_kind`: pre_training, continued_pre_training, fine_tuning, rl, synthetic_data;
    `stage` names the stage within the model (default: its kind), so a model may have two
    fine-tuning stages. `report_kind`: planned, interim, final. A report supersedes the
    latest earlier report of the same model and stage (`supersedes_id`; that one gets
    `superseded_by_id`): it stays readable and no longer counts. `compute_used` is a list of
    {provider_id, site_id, chip_model, chip_count, hours} (or `chip_ids`); `run` holds the
    declared figures as signed (FLOP, method, uncertainty, parameters, tokens, precision,
    energy); `assessment` what the registry computed on receipt. `jurisdictions` are the
    countries whose regulators it is addressed to.
    """

    __tablename__ = "training_run_reports"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    model_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("reported_models.id"), index=True
    )
    developer_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(64))
    stage_kind: Mapped[str] = mapped_column(sa.String(32))
    report_kind: Mapped[str] = mapped_column(sa.String(16))
    supersedes_id: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    superseded_by_id: Mapped[str | None] = mapped_column(sa.String(32), index=True, default=None)
    started_at: Mapped[datetime] = mapped_column(Instant)
    ended_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
    declared_flop: Mapped[float] = mapped_column(sa.Float)
    bio: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    run: Mapped[dict[str, Any]] = mapped_column(Json)
    compute_used: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    assessment: Mapped[dict[str, Any]] = mapped_column(Json)
    jurisdictions: Mapped[list[str]] = mapped_column(Json, default=list)
    reported_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))
