"""Fuzz the screening-list CSV parser: any text parses or is refused with a clear error."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from computegov.identity.screening import parse_screening_csv, screen
from fuzzing import any_char, any_text, fuzz, parses_or_refuses

HEADER = "name,alt_names,addresses,source,programs"
VALID = (
    f"{HEADER}\n"
    '"Example Compute Co., Ltd.","ExCo; Example Compute (Shenzhen)",Shenzhen,'
    '"Entity List (EL)",EAR\n'
)
cells = st.sampled_from(["Example Compute", "EL", "", " ", '"', ";", "a;b", "\x00"]) | any_text.map(
    lambda t: t[:40]
)


def _parse(text: str) -> None:
    entries = parses_or_refuses(parse_screening_csv, text)
    if entries is not None:
        screen(["Example Compute Co.", "ExCo"], entries)


@fuzz()
@given(any_text)
def test_any_text(text: str) -> None:
    _parse(text)
    _parse(f"{HEADER}\n{text}")


@fuzz()
@given(st.lists(st.lists(cells, max_size=7), max_size=5))
def test_rows_of_odd_cells(rows: list[list[str]]) -> None:
    for separator in ("\n", "\r\n", "\r"):
        _parse(separator.join([HEADER, *(",".join(row) for row in rows)]))


@fuzz()
@given(st.data())
def test_a_valid_list_with_characters_changed(data: st.DataObject) -> None:
    text = list(VALID)
    for _ in range(data.draw(st.integers(1, 4))):
        text[data.draw(st.integers(0, len(text) - 1))] = data.draw(any_char)
    _parse("".join(text))


def test_a_field_longer_than_the_csv_module_allows_is_a_clear_refusal() -> None:
    _parse(f"{HEADER}\n{'N' * (200 * 1024)},,,EL,\n")
