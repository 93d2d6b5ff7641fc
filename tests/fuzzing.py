"""Shared settings for the parser fuzz tests (tests/*/test_*_fuzz.py).

Each fuzz test feeds outside bytes to a parser and asserts the one property that matters at a
trust boundary: the input parses, or the parser raises the project's input error (a
`ComputegovError` below 500, such as `InvalidInput`), never any other exception. Runs are
bounded and reproducible: a fixed number of examples, derandomized (the same examples every
run, so CI is not flaky) and no deadline (a loaded machine is slow, not wrong). Set
COMPUTEGOV_FUZZ_EXAMPLES to search longer locally, e.g. `COMPUTEGOV_FUZZ_EXAMPLES=20000
pytest tests -k fuzz`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from computegov.errors import ComputegovError, InvalidInput

T = TypeVar("T")
EXAMPLES = int(os.environ.get("COMPUTEGOV_FUZZ_EXAMPLES", "200"))


def fuzz(examples: int = EXAMPLES) -> Callable[[T], T]:
    """Hypothesis settings of a fuzz test: bounded, derandomized, no deadline."""
    return settings(  # type: ignore[return-value]
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def parses_or_refuses(
    parse: Callable[..., Any],
    *args: Any,
    refusals: tuple[type[ComputegovError], ...] = (InvalidInput,),
    **kwargs: Any,
) -> Any:
    """`parse(*args, **kwargs)`, or None when it refused the input with one of `refusals`
    (the parser's own clear error; `InvalidInput`, a 400, unless the caller names another).

    Any other exception (a crash: KeyError, UnicodeEncodeError, csv.Error, RecursionError)
    fails the test with its traceback.
    """
    try:
        return parse(*args, **kwargs)
    except refusals as exc:
        assert exc.detail, "a refusal must say what was wrong"
        return None


# Characters that broke parsers before, drawn often; then every code point, lone surrogates
# included (hypothesis leaves them out by default).
AWKWARD = ["\ud800", "\udfff", "\x00", "\r", "\n", "\u2014", "\ufeff", "\u00b2", "\u0663", '"']
any_char = st.sampled_from(AWKWARD) | st.characters(exclude_categories=())
any_text = st.text(any_char)

# Every value Python's json module can produce, and then some: NaN, infinities, huge integers,
# lone surrogates, deep nesting.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**53 - 2, max_value=2**70)
    | st.floats()
    | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=20,
)
