"""Demo module `flags`: a screening list with an entry, a transfer refused for a screened
receiver, chips reported lost and stolen, a flag a regulator closes with a reason, and the
flags the server's sweeper raises (three refused declarations by one party).

The US regulator imports its own list (`screening.import`) in the Consolidated Screening
List CSV format; its one entry names the demo's fictional trader Kestrel Dynamics FZE, so
Kestrel is flagged and a transfer of US-controlled chips to it is refused wherever it goes.
"""

from __future__ import annotations

import csv
import io
from importlib import resources

from computegov.demo.context import DemoContext
from computegov.demo.module import DemoModule
from computegov.registry.chips import status
from computegov.registry.custody import transfers
from computegov.registry.custody.flags import sweep_flags
from computegov.registry.flags import service as flag_service
from computegov.registry.parties import screening

LIST_NAME = "demo-entity-list"


def _header() -> list[str]:
    """The Consolidated Screening List CSV columns, as the packaged sample list has them."""
    sample = resources.files("computegov.identity").joinpath("data/screening-sample.csv")
    return next(csv.reader(io.StringIO(sample.read_text(encoding="utf-8"))))


ENTRY = {
    "_id": "demo-0001",
    "source": "computegov demo list (US regulator, demo)",
    "type": "Entity",
    "programs": "EAR",
    "name": "Kestrel Dynamics FZE",
    "addresses": "1 Example Free Zone, Dubai, AE",
    "start_date": "2026-01-15",
    "license_requirement": "For all items subject to the EAR",
    "license_policy": "Presumption of denial",
    "remarks": "Made for the computegov demo; not a real listing.",
    "alt_names": "Kestrel Dynamics",
}


def list_csv() -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_header(), lineterminator="\n")
    writer.writeheader()
    writer.writerow(ENTRY)
    return out.getvalue()


def build(ctx: DemoContext) -> None:
    examples = ctx.examples
    body = {"name": LIST_NAME, "csv": list_csv()}
    made = ctx.act("us-regulator", "screening.import", body, screening.import_list)
    examples["screening"] = {
        "list_id": made["list_id"],
        "match_flags": [flag["id"] for flag in made["flags"]],
    }
    chips = ctx.chip_ids("meridian", "H100 SXM", 50)
    declare = {
        "chips": chips,
        "receiver_id": ctx.parties["kestrel"].id,
        "destination_country": "AE",
    }
    refusal = ctx.refused(
        "meridian", "transfer.declare", declare, transfers.declare_transfer, "screened_receiver"
    )
    examples["screened_transfer"] = {
        "sender": "meridian",
        "receiver": "kestrel",
        "reason": "screened_receiver",
        "detail": refusal.detail or str(refusal),
    }
    lost = ctx.chip_ids("northwind", "H100 SXM", 2, status="installed", skip=100)
    flags = []
    for chip in lost:
        report = {"chip": chip, "status": "lost", "note": "missing at the quarterly inventory"}
        flags += ctx.act("northwind", "chip.report", report, status.report_status)["flags"]
    stolen = ctx.chip_ids("nordlicht", "H100 SXM", 1, status="installed")[0]
    report = {"chip": stolen, "status": "stolen", "note": "taken in transit to a repair shop"}
    flags += ctx.act("nordlicht", "chip.report", report, status.report_status)["flags"]
    close = {
        "flag_id": flags[0],
        "reason": "reviewed: destroyed in a rack fire, confirmed by the site's incident report",
    }
    ctx.act("us-regulator", "flag.close", close, flag_service.close_flag)
    # What the server's sweeper would raise within a minute: Meridian's three refusals.
    raised = sweep_flags(ctx.store)
    examples["flags"] = {
        "closed": flags[0],
        "open_lost": flags[1],
        "open_stolen": flags[2],
        "swept": [flag["id"] for flag in raised],
    }


MODULE = DemoModule(name="flags", build=build)
