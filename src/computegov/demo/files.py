"""The files a demo directory holds besides the registry: `demo.json` (its parties and
example ids; written last, so a directory with it holds a whole world), `demo.env` (a
sourceable shell file for the URL actually served), and reading the parties' credentials
back from `parties/`."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from computegov.demo.context import DemoContext, DemoParty
from computegov.errors import InvalidInput
from computegov.files import replace_file
from computegov.store.signer import Ed25519FileSigner, KeyFileError

INFO_FILE = "demo.json"
ENV_FILE = "demo.env"


def write_info(ctx: DemoContext, extra: dict[str, Any]) -> dict[str, Any]:
    """Write `demo.json`: the origin, verifier key, parties (with their credentials' paths,
    relative to the demo directory) and the example ids the modules noted."""
    info = {
        "origin": ctx.store.origin,
        "verifier_key": ctx.store.verifier_key,
        **extra,
        "parties": [party.to_dict() for party in ctx.parties.values()],
        "examples": ctx.examples,
    }
    replace_file(ctx.root / INFO_FILE, json.dumps(info, indent=2) + "\n")
    return info


def read_info(root: Path) -> dict[str, Any]:
    try:
        info: dict[str, Any] = json.loads((root / INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read {root / INFO_FILE}: {exc}") from None
    return info


def load_parties(root: Path, info: dict[str, Any]) -> dict[str, DemoParty]:
    """The demo's parties with their keys and tokens, read from the files `demo.json` names."""
    parties: dict[str, DemoParty] = {}
    for row in info.get("parties", []):
        try:
            signer = Ed25519FileSigner.load(root / row["key_file"])
            token = (root / row["token_file"]).read_text(encoding="utf-8").strip()
        except (OSError, KeyFileError) as exc:
            raise InvalidInput(
                f"the demo party {row.get('slug')}'s credentials in {root} are unreadable "
                f"({exc}); remove {root} to build the demo again"
            ) from None
        parties[row["slug"]] = DemoParty(
            slug=row["slug"],
            id=row["id"],
            role=row["role"],
            name=row["name"],
            country=row.get("country"),
            signer=signer,
            token=token,
            jurisdiction=list(row.get("jurisdiction", [])),
        )
    return parties


def write_env(root: Path, url: str, verifier_key: str) -> Path:
    """Write `demo.env` for the URL served now: `. computegov-demo/demo.env` sets the
    registry's URL, the log's verifier key and the demo directory for the CLI."""
    values = {
        "COMPUTEGOV_URL": url,
        "COMPUTEGOV_VERIFIER_KEY": verifier_key,
        "COMPUTEGOV_DEMO_DIR": str(root.resolve()),
    }
    line = " ".join(f"{name}={shlex.quote(value)}" for name, value in values.items())
    path = root / ENV_FILE
    replace_file(
        path, f"# the computegov demo, as served now (rewritten at each start)\nexport {line}\n"
    )
    return path
