"""What a demo module builds with: the demo's parties (each with its own key and token) and
`act`, which sends a party's signed envelope through `registry.actions.perform` with the
handler the API route for that action uses, exactly as a request to the server would.

Nothing here writes a row: every change is an action of a party, and its ledger entry.
A refusal the demo wants (a transfer without a license) is a real refusal, recorded by the
pipeline like any other; `refused` checks that it came.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from computegov.errors import ComputegovError, Refused
from computegov.identity.envelopes import make_envelope, sign_envelope
from computegov.registry.actions import ActionContext, ActionResult, perform
from computegov.registry.chips.models import Chip
from computegov.store import Store
from computegov.store.signer import Ed25519FileSigner

Handler = Callable[[ActionContext], ActionResult]

#: Where a party's credentials are, relative to the demo directory.
PARTIES_DIR = "parties"
SEED_FILE = "demo.seed"


class DemoBuildError(ComputegovError):
    """A demo step did not go as the demo world needs (a bug in a demo module)."""


def device_key(seed: bytes, vendor: str, serial: str) -> Ed25519PrivateKey:
    """A chip's device key, derived from the demo's seed: the Ed25519 private key whose
    32-byte seed is SHA-256(seed || 0 || "device" || 0 || vendor || 0 || serial). Anyone holding
    the demo's `demo.seed` can sign as any of its chips; no per-chip key file is kept."""
    material = b"\0".join([seed, b"device", vendor.encode(), serial.encode()])
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(material).digest())


@dataclass
class DemoParty:
    """One party of the demo world, with its signing key and API token."""

    slug: str
    id: str
    role: str
    name: str
    country: str | None
    signer: Ed25519FileSigner
    token: str
    jurisdiction: list[str] = field(default_factory=list)

    @property
    def key_file(self) -> str:
        return f"{PARTIES_DIR}/{self.slug}.key"

    @property
    def token_file(self) -> str:
        return f"{PARTIES_DIR}/{self.slug}.token"

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "id": self.id,
            "role": self.role,
            "name": self.name,
            "country": self.country,
            "jurisdiction": self.jurisdiction,
            "token_file": self.token_file,
            "key_file": self.key_file,
        }


@dataclass
class DemoContext:
    """The world being built: its store and directory, its parties, and the example ids the
    modules note for `demo.json` (and for the modules after them)."""

    store: Store
    root: Path
    seed: bytes
    parties: dict[str, DemoParty] = field(default_factory=dict)
    examples: dict[str, Any] = field(default_factory=dict)
    actions: int = 0
    refusals: int = 0

    def party(self, slug: str) -> DemoParty:
        return self.parties[slug]

    def act(self, slug: str, type: str, body: dict[str, Any], handler: Handler) -> dict[str, Any]:
        """Sign `body` as party `slug` and perform it; the response body (with `entry_id`)."""
        party = self.parties[slug]
        signed = sign_envelope(
            make_envelope(type, body, origin=self.store.origin, time=self.store.clock.now()),
            party.signer,
        )
        try:
            _, result = perform(
                self.store, signed, expected_type=type, token=party.token, handler=handler
            )
        except ComputegovError as exc:
            raise DemoBuildError(f"demo step {type} by {slug} was refused: {exc}") from exc
        self.actions += 1
        return result

    def refused(
        self, slug: str, type: str, body: dict[str, Any], handler: Handler, reason: str
    ) -> Refused:
        """Perform an action the registry must refuse for `reason`; the refusal."""
        try:
            self.act(slug, type, body, handler)
        except DemoBuildError as exc:
            refusal = exc.__cause__
            if isinstance(refusal, Refused) and refusal.extra.get("reason") == reason:
                self.refusals += 1
                return refusal
            raise
        raise DemoBuildError(f"demo step {type} by {slug} was applied; it should be refused")

    def chip_ids(
        self,
        custodian: str,
        model: str,
        count: int,
        *,
        status: str = "in_stock",
        skip: int = 0,
    ) -> list[str]:
        """`count` chips of `model` that party `custodian` holds in `status`, by serial (so a
        rebuilt world picks the same serials)."""
        with self.store.sessions() as session:
            ids = list(
                session.scalars(
                    sa.select(Chip.id)
                    .where(
                        Chip.custodian_id == self.parties[custodian].id,
                        Chip.model == model,
                        Chip.status == status,
                    )
                    .order_by(Chip.serial)
                    .offset(skip)
                    .limit(count)
                )
            )
        if len(ids) != count:
            raise DemoBuildError(f"{custodian} holds {len(ids)} {status} {model}, not {count}")
        return ids

    def chip_serial(self, chip_id: str) -> tuple[str, str]:
        with self.store.sessions() as session:
            chip = session.get(Chip, chip_id)
            assert chip is not None
            return chip.vendor, chip.serial
