"""The tables of export licensing: applications and each step of their review, the licenses
regulators issue (and suspend or revoke) and transfers draw down, the consignees' KYC
attestations, the test labs' per-shipment reports, and which chips moved under which license
(the control follows the chip)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from computegov.registry.tables import Instant, Json, PartyRef
from computegov.store.models import Base


class ExportLicense(Base):
    """An export license a regulator issued; transfers draw it down.

    `jurisdiction` is the one jurisdiction (ISO alpha-2, one of the issuer's) under whose
    instruments it was issued: it counts only for instruments that jurisdiction administers.
    A license draws down on chips (`quantity`, `used`) and, where it states one, on value in
    whole US dollars (`value_usd`, `used_value_usd`). `status` is active, suspended or revoked
    (`status_reason`, `status_changed_at`); `valid_from`..`expires_at` is its validity period.
    `riders` are the conditions it was approved with ([{"id", "text"}]); `named_parties` the
    parties the license names besides licensee and consignee (purchaser, intermediate
    consignees, end users: [{"role", "party_id"}]); a chip that moved under it found at a party
    or in a country it does not name is diverted while `end_use_until` lasts (None: the chip's
    life). `instruments` are the instruments it was granted under. `application_id` is the
    application it was granted on (None: recorded by `licenses issue`, granted outside the
    registry).
    """

    __tablename__ = "export_licenses"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    regulator_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"))
    jurisdiction: Mapped[str] = mapped_column(sa.String(2))
    licensee_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    consignee_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"))
    destination: Mapped[str] = mapped_column(sa.String(2))
    models: Mapped[list[str]] = mapped_column(Json)
    quantity: Mapped[int] = mapped_column(sa.Integer)
    used: Mapped[int] = mapped_column(sa.Integer, default=0)
    issued_at: Mapped[datetime] = mapped_column(Instant)
    expires_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))
    value_usd: Mapped[int | None] = mapped_column(sa.BigInteger, default=None)
    used_value_usd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    status: Mapped[str] = mapped_column(sa.String(16), default="active")
    status_reason: Mapped[str | None] = mapped_column(sa.Text, default=None)
    status_changed_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
    valid_from: Mapped[datetime | None] = mapped_column(Instant, default=None)
    riders: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    named_parties: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    end_use_until: Mapped[datetime | None] = mapped_column(Instant, default=None)
    application_id: Mapped[str | None] = mapped_column(sa.String(32), default=None, index=True)
    # The instruments it was granted under (e.g. ["bis-2023-10", "bis-2026-01-review"]): a
    # license under the January 2026 rule asks for a lab report on every shipment.
    instruments: Mapped[list[str]] = mapped_column(Json, default=list)


class LicenseApplication(Base):
    """An exporter's application for an export license (what form BIS-748P asks), and where
    its review stands.

    `status`: submitted, referred, intent_to_deny, approved, approved_in_part, denied,
    returned (without action); `appealed` is set while an appeal of a denial is open.
    `form` is the application as signed (parties, classification, models, quantity,
    value_usd, end use, letter of explanation, units shipped in the US, instruments and their
    certifications); `evaluation` what the registry found on receipt (instruments fired,
    review policy of each, its own evidence beside each certification). Visible only to the
    applicant and the regulators of `jurisdiction`.
    """

    __tablename__ = "license_applications"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    applicant_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    jurisdiction: Mapped[str] = mapped_column(sa.String(2), index=True)
    status: Mapped[str] = mapped_column(sa.String(24), index=True)
    appealed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    form: Mapped[dict[str, Any]] = mapped_column(Json)
    evaluation: Mapped[dict[str, Any]] = mapped_column(Json)
    submitted_at: Mapped[datetime] = mapped_column(Instant)
    updated_at: Mapped[datetime] = mapped_column(Instant)
    respond_by: Mapped[datetime | None] = mapped_column(Instant, default=None)
    license_id: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class ApplicationStep(Base):
    """One step of an application's review: submitted, referred (to which agency, answer
    due), referral_answered, approved, approved_in_part, intent_to_deny (answer due in 20
    days), answered, denied, returned, appealed, appeal_decided; each a signed action."""

    __tablename__ = "license_application_steps"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("license_applications.id"), index=True
    )
    step: Mapped[str] = mapped_column(sa.String(32))
    party_id: Mapped[str] = mapped_column(PartyRef)
    at: Mapped[datetime] = mapped_column(Instant)
    details: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class KycAttestation(Base):
    """A consignee's signed statement that it runs know-your-customer procedures against
    unauthorised remote access (`kyc.attest`), valid until `expires_at` (12 months)."""

    __tablename__ = "kyc_attestations"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    party_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    attested_at: Mapped[datetime] = mapped_column(Instant)
    expires_at: Mapped[datetime] = mapped_column(Instant)
    statement: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class LabReport(Base):
    """A test lab's signed report on one shipment before export: which chips (serials) it
    reviewed, when, and for which license."""

    __tablename__ = "lab_reports"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    lab_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    license_id: Mapped[str | None] = mapped_column(sa.String(32), default=None, index=True)
    reviewed_at: Mapped[datetime] = mapped_column(Instant)
    findings: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    chip_count: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class LabReportChip(Base):
    """A chip a lab report lists."""

    __tablename__ = "lab_report_chips"

    report_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("lab_reports.id"), primary_key=True
    )
    chip_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, index=True)


class LicensedChip(Base):
    """A chip that moved under a license (by which transfer, when): the license's regulator
    follows it afterwards, and where it turns up decides diversion."""

    __tablename__ = "licensed_chips"

    license_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("export_licenses.id"), primary_key=True
    )
    chip_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, index=True)
    transfer_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    at: Mapped[datetime] = mapped_column(Instant)
