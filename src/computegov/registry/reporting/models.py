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


class ProviderAttestation(Base):
    """A cloud provider's signed attestation of the chip-hours it delivered to one customer (a
    registered developer) in one period (`report.attestation`), on a regulator's request
    (`request_id`) or because the customer's use crossed a threshold; never a census of
    every customer. `lines` are {site_id, chip_model, chip_hours}. A later attestation of the
    same provider, customer and period supersedes the earlier one (kept, no longer counted).
    Visible to its provider, the customer it names and the regulators of `jurisdictions`.
    """

    __tablename__ = "provider_attestations"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    provider_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    customer_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    period_start: Mapped[datetime] = mapped_column(Instant)
    period_end: Mapped[datetime] = mapped_column(Instant)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    basis: Mapped[str] = mapped_column(sa.String(16))
    request_id: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    supersedes_id: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    superseded_by_id: Mapped[str | None] = mapped_column(sa.String(32), index=True, default=None)
    jurisdictions: Mapped[list[str]] = mapped_column(Json, default=list)
    created_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class AttestationRequest(Base):
    """A regulator's signed request that a provider attest the chip-hours it delivered to a
    customer in a period (`report.attestation_request`); `attestation_id` is the answer."""

    __tablename__ = "attestation_requests"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    regulator_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"))
    provider_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    customer_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"))
    period_start: Mapped[datetime] = mapped_column(Instant)
    period_end: Mapped[datetime] = mapped_column(Instant)
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    attestation_id: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    countries: Mapped[list[str]] = mapped_column(Json, default=list)
    created_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class IdentityAttestation(Base):
    """A provider's signed statement that it holds a verified identity record for one of its
    customers (`report.identity`). The registry keeps only the provider's own customer
    reference and a salted hash of the record (the salt stays with the provider): never a
    name, payment data, address or IP address. Past `retain_until` the reference and hash
    are erased (`erased_at`) and the entry's record is no longer openable; its leaf stays."""

    __tablename__ = "identity_attestations"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    provider_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    customer_ref: Mapped[str | None] = mapped_column(sa.String(128), default=None)
    record_hash: Mapped[str | None] = mapped_column(sa.String(128), default=None)
    customer_country: Mapped[str | None] = mapped_column(sa.String(2), default=None)
    verified_on: Mapped[datetime] = mapped_column(Instant)
    retain_until: Mapped[datetime] = mapped_column(Instant, index=True)
    erased_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
    jurisdictions: Mapped[list[str]] = mapped_column(Json, default=list)
    created_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class IdentityRequest(Base):
    """A regulator's signed, logged request to see the identity record behind an identity
    attestation (`report.identity_request`). The provider answers outside the registry and
    records only that it did (`report.identity_answer`: status answered or declined)."""

    __tablename__ = "identity_requests"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    attestation_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("identity_attestations.id"), index=True
    )
    regulator_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"))
    provider_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    answer: Mapped[str | None] = mapped_column(sa.Text, default=None)
    created_at: Mapped[datetime] = mapped_column(Instant)
    answered_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class EntityFacts(Base):
    """Facts about a developer that decide its duties (`report.facts`): annual gross revenue
    including affiliates for a calendar year (California SB 53 and New York's RAISE Act call
    a developer above $500M "large") and the markets its models are placed on. The latest
    row for a party and year counts; earlier ones stay."""

    __tablename__ = "entity_facts"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    party_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    revenue_usd: Mapped[float | None] = mapped_column(sa.Float, default=None)
    markets: Mapped[list[str]] = mapped_column(Json, default=list)
    jurisdictions: Mapped[list[str]] = mapped_column(Json, default=list)
    reported_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class Filing(Base):
    """A filing packet for one obligation of one model, as the registry produced it and the
    filer signed it (`report.filing`): the packet (JSON; its PDF is rendered from it), its
    SHA-256, the authority and the deadline. The registry is not the authority's channel;
    the filer sends the packet there."""

    __tablename__ = "filings"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    model_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("reported_models.id"), index=True
    )
    filer_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    obligation_id: Mapped[str] = mapped_column(sa.String(64))
    instrument_id: Mapped[str] = mapped_column(sa.String(64))
    authority: Mapped[str] = mapped_column(sa.Text)
    deadline: Mapped[datetime | None] = mapped_column(Instant, default=None)
    packet: Mapped[dict[str, Any]] = mapped_column(Json)
    packet_sha256: Mapped[str] = mapped_column(sa.String(64))
    jurisdictions: Mapped[list[str]] = mapped_column(Json, default=list)
    created_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))
