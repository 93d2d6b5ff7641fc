"""The genesis row: which log a database holds and which key signs it.

A key is generated only into an empty database; afterwards a process holding any other key
is refused, with both key ids named, so one database can never be signed by two logs.
"""

from __future__ import annotations

import sqlalchemy as sa

from computegov.ledger import merkle, note
from computegov.store.clock import Clock
from computegov.store.db import writer_engine
from computegov.store.models import CheckpointRow, Genesis, LedgerEntry
from computegov.store.settings import Settings
from computegov.store.signer import Ed25519FileSigner, Signer


def _key_id_hex(vkey: str) -> str:
    return vkey.split("+")[1] if vkey.count("+") >= 2 else "?"


def ensure_genesis(
    engine: sa.Engine, settings: Settings, signer: Signer | None, clock: Clock
) -> tuple[Signer, str]:
    """Create genesis (and the log key, if none exists) in an empty database, or check it.

    Returns the signer and its verifier key. Raises StartupRefused on a key or origin that
    does not match the genesis row.
    """
    from computegov.store import StartupRefused

    with writer_engine(engine).begin() as conn:
        row = conn.execute(sa.select(Genesis.origin, Genesis.verifier_key)).first()
        if row is None:
            if conn.execute(sa.select(sa.func.count()).select_from(LedgerEntry)).scalar_one():
                raise StartupRefused(
                    "the database has ledger entries but no genesis row; refusing to create a "
                    "new log key for a database that is not empty"
                )
            if signer is None:
                path = settings.key_file
                signer = (
                    Ed25519FileSigner.load(path)
                    if path.exists()
                    else Ed25519FileSigner.generate(path)
                )
            vkey = note.verifier_key(settings.log_origin, signer.public_key_bytes())
            now = clock.now()
            conn.execute(
                sa.insert(Genesis).values(
                    id=1, origin=settings.log_origin, verifier_key=vkey, created_at=now
                )
            )
            empty = note.Checkpoint(origin=settings.log_origin, size=0, root=merkle.EMPTY_ROOT)
            signed = note.sign_checkpoint(
                empty,
                name=settings.log_origin,
                public_key=signer.public_key_bytes(),
                sign=signer.sign,
            )
            conn.execute(
                sa.insert(CheckpointRow).values(
                    size=0, root=merkle.EMPTY_ROOT, note=signed, created_at=now
                )
            )
            return signer, vkey
        origin, recorded = row
        if origin != settings.log_origin:
            raise StartupRefused(
                f"the database holds the log {origin!r} but the configured origin is "
                f"{settings.log_origin!r}; set COMPUTEGOV_LOG_ORIGIN={origin}"
            )
        if signer is None:
            if not settings.key_file.exists():
                raise StartupRefused(
                    f"the database's log key (key id {_key_id_hex(recorded)}) is not at "
                    f"{settings.key_file}; a new key is generated only into an empty database"
                )
            signer = Ed25519FileSigner.load(settings.key_file)
        held = note.verifier_key(settings.log_origin, signer.public_key_bytes())
        if held != recorded:
            raise StartupRefused(
                f"the log key held (key id {_key_id_hex(held)}) is not the key recorded at "
                f"genesis (key id {_key_id_hex(recorded)}, {recorded}); refusing to sign "
                "this log with another key"
            )
        return signer, recorded
