"""A registry world for tests: a store on each engine, the real server, and parties."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from computegov.api.app import create_app
from computegov.client import RegistryClient
from computegov.identity.envelopes import make_envelope, sign_envelope
from computegov.identity.keys import encode_public_key
from computegov.registry.parties.bootstrap import ensure_administrator
from computegov.store import ManualClock, Settings, Store, open_store
from computegov.store.signer import Ed25519FileSigner
from live_server import UNTHROTTLED, LiveServer

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Actor:
    """A party as a test drives it: its id, token and key."""

    id: str
    role: str
    token: str
    signer: Ed25519FileSigner
    extra_keys: list[Ed25519FileSigner] = field(default_factory=list)


@dataclass
class World:
    store: Store
    server: LiveServer
    clock: ManualClock
    admin: Actor

    def client(
        self, actor: Actor | None, signer: Ed25519FileSigner | None = None
    ) -> RegistryClient:
        return RegistryClient(
            self.server.url,
            token=actor.token if actor else None,
            signer=signer or (actor.signer if actor else None),
        )

    def envelope(
        self,
        actor: Actor,
        type: str,
        body: dict[str, Any],
        *,
        time: datetime | None = None,
        signer: Ed25519FileSigner | None = None,
    ) -> dict[str, Any]:
        """A signed envelope dated by the server's (test) clock."""
        envelope = make_envelope(
            type, body, origin=self.store.origin, time=time or self.clock.now()
        )
        return sign_envelope(envelope, signer or actor.signer).to_dict()

    def post(self, actor: Actor | None, path: str, wire: dict[str, Any], **kwargs: Any) -> Any:
        with self.server.client(actor.token if actor else None) as http:
            return http.post(path, json=wire, **kwargs)

    def get(self, actor: Actor | None, path: str, **kwargs: Any) -> Any:
        with self.server.client(actor.token if actor else None) as http:
            return http.get(path, **kwargs)

    def create(self, creator: Actor, role: str, name: str, country: str, **body: Any) -> Actor:
        signer = new_signer()
        payload = {
            "legal_name": name,
            "role": role,
            "country": country,
            "public_keys": [encode_public_key(signer.public_key_bytes())],
            **body,
        }
        response = self.post(
            creator, "/v1/parties", self.envelope(creator, "party.create", payload)
        )
        assert response.status_code == 201, response.text
        data = response.json()
        return Actor(data["party"]["id"], role, data["token"], signer)

    def log_size(self) -> int:
        from computegov.ledger.integrator import integrate_all

        integrate_all(self.store)
        with self.server.client() as http:
            return int(http.get("/checkpoint").text.splitlines()[1])


def new_signer() -> Ed25519FileSigner:
    return Ed25519FileSigner(Ed25519PrivateKey.generate())


@contextmanager
def open_world(tmp_path: Path, database_url: str, **settings: Any) -> Iterator[World]:
    """A registry on a fresh store served over real HTTP; `settings` override the unthrottled
    defaults (the limits tests set their own)."""
    clock = ManualClock(START)
    chosen = Settings(
        data_dir=tmp_path / "data", database_url=database_url, **{**UNTHROTTLED, **settings}
    )
    store = open_store(chosen, clock=clock)
    admin_files = ensure_administrator(store)
    admin = Actor(
        admin_files.party_id,
        "administrator",
        admin_files.token_path.read_text().strip(),
        Ed25519FileSigner.load(admin_files.key_path),
    )
    try:
        with LiveServer(create_app(store, integrate_every=None), chosen) as server:
            yield World(store, server, clock, admin)
    finally:
        store.close()


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    with open_world(tmp_path, database_url) as opened:
        yield opened
