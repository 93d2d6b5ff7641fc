"""What counts as a public source for a figure in packaged data (shared by the source tests).

A reader must be able to check a number without access to the project's issues, sessions,
research notes or search tools: a source names a URL, a public repository path, or a public
legal citation (a Federal Register page, a CFR part), or it is `assumption` and then a note
says why. Names of internal places may not stand in for a document, in a source or a note.
"""

from __future__ import annotations

import re

URL = re.compile(r"https?://\S+")
REPO_PATH = re.compile(r"\bgithub\.com/[\w.-]+/[\w.-]+")
# "88 FR 73458" (Federal Register volume and page), "15 CFR part 740".
LEGAL_CITATION = re.compile(r"\b\d+ FR \d+\b|\b\d+ CFR (?:part )?\d+\b", re.IGNORECASE)
INTERNAL = re.compile(
    r"\bissues?\s*#?\d+|#\d+\b|\bsessions?\b|\bresearch notes?\b|\bour notes\b|\bthe brief\b"
    r"|\bcomputegov research\b|\bcode[- ]index\b|\bindex file\b",
    re.IGNORECASE,
)
# A quotation names where it was read, by its address: "as quoted in issue 6" does not.
QUOTED_WITHOUT_ADDRESS = re.compile(r"\bas (?:quoted|cited) in (?!https?://)", re.IGNORECASE)


def names_internal_place(text: str) -> bool:
    """Whether the words of `text` (its URLs left out) name an issue, a session, the notes..."""
    return bool(INTERNAL.search(URL.sub("", text)) or QUOTED_WITHOUT_ADDRESS.search(text))


def names_a_public_document(source: str) -> bool:
    """A URL, a public repository path or a legal citation, and no internal place named."""
    if not (URL.search(source) or REPO_PATH.search(source) or LEGAL_CITATION.search(source)):
        return False
    return not names_internal_place(source)
