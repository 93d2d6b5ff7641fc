"""The administrator: created once, into an empty registry, with its key and token on disk.

On first start the server generates the administrator's Ed25519 key (`admin.key`) and an
API token (`admin.token`), both mode 0600 in the data directory, and records the
administrator party in the ledger. Later starts find the party and change nothing, but
refuse to go on when either file is another user's or readable by others.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from computegov.identity.keys import encode_public_key, key_id
from computegov.identity.tokens import new_token, token_hash
from computegov.ledger import log
from computegov.registry.ids import new_id
from computegov.registry.parties.models import ApiToken, Party, PartyKey
from computegov.secrets import write_secret
from computegov.store import Store
from computegov.store.permissions import check_secret_file
from computegov.store.signer import Ed25519FileSigner

ADMIN_NAME = "Registry administrator"


@dataclass(frozen=True)
class Administrator:
    """Where the administrator's credentials are, and whether this start created them."""

    party_id: str
    key_path: Path
    token_path: Path
    created: bool


def ensure_administrator(store: Store) -> Administrator:
    """Create the administrator party, key and token if the registry has none."""
    data_dir = store.settings.data_dir
    key_path, token_path = data_dir / "admin.key", data_dir / "admin.token"
    with store.transaction(write=True) as session:
        existing = session.scalars(sa.select(Party).where(Party.role == "administrator")).first()
        if existing is not None:
            for path in (key_path, token_path):
                if path.exists():
                    check_secret_file(path, "the administrator's credentials file")
            return Administrator(existing.id, key_path, token_path, created=False)
        for path in (key_path, token_path):
            if path.exists():
                raise FileExistsError(
                    f"{path} exists but the registry has no administrator; move it away "
                    "(it belongs to another registry) and start again"
                )
        signer = Ed25519FileSigner.generate(key_path)
        raw = signer.public_key_bytes()
        now = store.clock.now()
        party = Party(
            id=new_id("pty"),
            legal_name=ADMIN_NAME,
            aliases=[],
            role="administrator",
            country=None,
            hq_country=None,
            parent_id=None,
            jurisdiction=[],
            created_at=now,
            created_by=None,
            entry_id="",
        )
        session.add(party)
        session.flush()
        key = PartyKey(
            key_id=key_id(raw), party_id=party.id, public_key=raw, created_at=now, entry_id=""
        )
        token = new_token()
        session.add_all(
            [
                key,
                ApiToken(
                    id=new_id("tok"),
                    party_id=party.id,
                    token_hash=token_hash(token),
                    label="administrator, written at first start",
                    created_at=now,
                ),
            ]
        )
        record = {
            "party": {"id": party.id, "legal_name": ADMIN_NAME, "role": "administrator"},
            "key": {"key_id": key.key_id, "public_key": encode_public_key(raw)},
            "subjects": [party.id],
            "countries": [],
        }
        # The operator writes this one entry at first start; its actor is the key it registers.
        entry_id = log.append(session, "party.bootstrap", record, key.key_id)
        party.entry_id = key.entry_id = entry_id
        write_secret(token_path, token)
    return Administrator(party.id, key_path, token_path, created=True)
