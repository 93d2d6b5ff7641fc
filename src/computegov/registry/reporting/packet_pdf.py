"""A stored filing's packet as a PDF (fpdf2): the same fields as its JSON, for people.

Text streams are left uncompressed so the PDF's words (the deadline among them) can be found
in its bytes; the core Helvetica font takes Latin-1, so any other character is shown as `?`
(the JSON packet, whose digest the filer signed, keeps it exactly).
"""

from __future__ import annotations

import json
from typing import Any

from fpdf import FPDF

from computegov.registry.reporting.models import Filing
from computegov.registry.reporting.packets import as_doubles


def _latin(text: object) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


def _flop(value: object) -> str:
    return f"{value:.3g}" if isinstance(value, int | float) else "withheld"


def _lines(filing: Filing) -> list[tuple[str, str]]:
    packet: dict[str, Any] = as_doubles(filing.packet)
    model = packet["model"]
    compute = packet["lineage_compute"]
    rows = [
        ("Authority", packet["authority"]),
        ("Send to", packet["send_to"]),
        ("Deadline", packet["deadline"] or "not set: " + packet["due"]),
        ("Due", packet["due"]),
        ("Obligation", f"{packet['obligation']['duty']} ({packet['obligation']['state']})"),
        ("Citation", packet["citation"]),
        ("Source", packet["source"]),
        (
            "Model",
            f"{model['name']} ({model['id']}), developer {model['developer_id']}, "
            f"provider {model['provider_id']}, role {model['role']}",
        ),  # fmt: skip
        ("Markets", ", ".join(model["markets"]) or "none given"),
        ("Cumulative compute", f"{_flop(compute['cumulative_flop'])} FLOP over the lineage"),
    ]
    for stage in compute["stages"]:
        rows.append(
            (
                f"Stage {stage['stage']}",
                f"{stage['report_kind']} report {stage['report_id']}: declared "
                f"{_flop(stage['declared_flop'])}, 6ND {_flop(stage['operation_count_flop'])}, "
                f"hardware {_flop(stage['hardware_flop'])} FLOP",
            )
        )
    for crossed in packet["thresholds_crossed"]:
        rows.append(("Threshold crossed", f"{crossed['instrument']}: {crossed['threshold']:.3g}"))
    for item in packet["asks_for"]:
        rows.append(("Asks for", item))
    filer = packet["filer"]
    rows += [
        ("Filer", f"{filer['name']} ({filer['id']}, {filer['country']})"),
        ("Signed", f"{filing.created_at.isoformat()} in ledger entry {filing.entry_id}"),
        ("Packet SHA-256", filing.packet_sha256),
        ("Why", packet["obligation"]["why"]),
        ("Note", packet["note"]),
    ]
    return rows


def render_pdf(filing: Filing) -> bytes:
    """The filing's packet as PDF bytes; the full JSON packet follows on its own pages."""
    pdf = FPDF(format="A4")
    pdf.set_compression(False)
    pdf.set_creation_date(filing.created_at)
    pdf.set_title(_latin(filing.packet["title"]))
    pdf.set_author(_latin(filing.packet["filer"]["name"]))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, _latin(filing.packet["title"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, value in _lines(filing):
        pdf.set_font("Helvetica", "B", 9)
        pdf.multi_cell(0, 5, _latin(label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5, _latin(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.add_page()
    pdf.set_font("Courier", "", 7)
    text = json.dumps(as_doubles(filing.packet), indent=1, ensure_ascii=False, sort_keys=True)
    pdf.multi_cell(0, 3.5, _latin(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
