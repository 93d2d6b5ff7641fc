"""The idempotency cache keeps no secrets: API tokens recorded in it (the answers to
`party.create` and `token.create`) are replaced by a note that names the token's id.

Revision ID: 0300_actions
Revises: 0210_chip_overview_index
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0300_actions"
down_revision: str | None = "0210_chip_overview_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TABLE = sa.table(
    "idempotent_results",
    sa.column("party_id", sa.String),
    sa.column("key", sa.String),
    sa.column("body", _JSON),
)


def _note(token_id: object) -> str:
    return (
        f"token {token_id} was already issued, to the first request with this "
        "Idempotency-Key; a token is shown only once and is not kept: if it was lost, "
        "revoke it by its id and create another"
    )


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(_TABLE.c.party_id, _TABLE.c.key, _TABLE.c.body)).all()
    for party_id, key, body in rows:
        if not isinstance(body, dict) or "token" not in body:
            continue
        kept = {name: value for name, value in body.items() if name != "token"}
        kept["withheld"] = {"token": _note(body.get("token_id", "(unknown id)"))}
        bind.execute(
            sa.update(_TABLE)
            .where(_TABLE.c.party_id == party_id, _TABLE.c.key == key)
            .values(body=kept)
        )


def downgrade() -> None:
    pass  # a secret that was removed cannot be put back, nor should it be
