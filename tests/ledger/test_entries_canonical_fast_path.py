"""The fast path of canonical_json must give exactly the bytes of the rfc8785 package."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from computegov.ledger.entries import canonical_json

plain_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet=st.characters(max_codepoint=127)), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=500)
@given(plain_values)
def test_fast_path_matches_rfc8785(value: object) -> None:
    assert canonical_json(value) == bytes(rfc8785.dumps(value))


def test_control_characters_and_unicode_are_escaped_like_rfc8785() -> None:
    value = {"b": '\x00\x1f\t\n\r\b\f"\\/\u2028\x7f é 漢字 😀', "a": [1, -2, True, None]}
    assert canonical_json(value) == bytes(rfc8785.dumps(value))


def test_floats_still_use_the_rfc8785_number_form() -> None:
    assert canonical_json({"x": 1e21, "y": 0.1}) == bytes(rfc8785.dumps({"x": 1e21, "y": 0.1}))
