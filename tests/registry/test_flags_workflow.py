"""The flag workflow as data: its states, the transitions between them, and `move`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from computegov.errors import Conflict, InvalidInput
from computegov.identity.access import default_matrix
from computegov.registry.flags.models import Flag
from computegov.registry.flags.workflow import STANDING, STATES, TRANSITIONS, move

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class _Session:
    def __init__(self) -> None:
        self.added: list[object] = []

    def add(self, row: object) -> None:
        self.added.append(row)


def _flag(status: str) -> Flag:
    return Flag(id="flg_1", kind="screening_match", status=status, countries=["US"])


def test_states_and_transitions_are_consistent() -> None:
    assert STATES == ("open", "assigned", "disputed", "resolved", "closed")
    assert set(STATES) > STANDING
    for step in TRANSITIONS.values():
        assert step.sources <= set(STATES) and step.target in (*STATES, None)
    # Closing is allowed from every state but closed, which is final.
    assert TRANSITIONS["flag.close"].sources == set(STATES) - {"closed"}
    assert all("closed" not in step.sources for step in TRANSITIONS.values())
    # A comment keeps the state, in any state but closed.
    assert TRANSITIONS["flag.comment"].target is None
    assert TRANSITIONS["flag.comment"].sources == set(STATES) - {"closed"}
    # Every workflow action is built and in the access matrix (the refusal tests use it).
    assert set(TRANSITIONS) <= set(default_matrix().actions)


@pytest.mark.parametrize("status", ["open", "assigned", "disputed", "resolved"])
def test_close_moves_any_open_state_to_closed_and_records_the_step(status: str) -> None:
    session, flag = _Session(), _flag(status)
    event = move(
        session,  # type: ignore[arg-type]
        flag,
        "flag.close",
        actor_id="pty_r",
        reason=" checked ",
        now=NOW,
        entry_id="e-1",
    )
    assert (flag.status, flag.updated_at) == ("closed", NOW)
    assert (event.from_status, event.to_status, event.actor_id, event.reason) == (
        status,
        "closed",
        "pty_r",
        "checked",
    )
    assert event.entry_id == "e-1"  # the entry of the action that moved it
    assert session.added == [event]


def test_close_refuses_a_closed_flag_and_a_missing_reason() -> None:
    with pytest.raises(Conflict, match="flag flg_1 is closed"):
        move(
            _Session(),  # type: ignore[arg-type]
            _flag("closed"),
            "flag.close",
            actor_id="p",
            reason="x",
            now=NOW,
            entry_id="e",
        )
    with pytest.raises(InvalidInput, match="needs a reason"):
        move(
            _Session(),  # type: ignore[arg-type]
            _flag("open"),
            "flag.close",
            actor_id="p",
            reason=" ",
            now=NOW,
            entry_id="e",
        )


@pytest.mark.parametrize("status", ["open", "assigned", "disputed", "resolved"])
def test_a_comment_keeps_the_state_and_carries_no_details_it_was_not_given(status: str) -> None:
    session, flag = _Session(), _flag(status)
    event = move(
        session,  # type: ignore[arg-type]
        flag,
        "flag.comment",
        actor_id="pty_r",
        reason="asked the site for its logs",
        now=NOW,
        entry_id="e-2",
    )
    assert (event.from_status, event.to_status, flag.status) == (status, status, status)
    assert event.details is None
    with pytest.raises(Conflict, match="flag flg_1 is closed"):
        move(
            _Session(),  # type: ignore[arg-type]
            _flag("closed"),
            "flag.comment",
            actor_id="p",
            reason="x",
            now=NOW,
            entry_id="e",
        )


def test_assigning_a_disputed_flag_keeps_the_dispute_standing() -> None:
    """An official taking over a disputed flag does not erase the flagged party's dispute:
    the flag stays disputed, with the assignment in its history."""
    for status, after in (("open", "assigned"), ("assigned", "assigned"), ("disputed", "disputed")):
        session, flag = _Session(), _flag(status)
        event = move(
            session,  # type: ignore[arg-type]
            flag,
            "flag.assign",
            actor_id="pty_r",
            reason="",
            now=NOW,
            entry_id="e-2",
        )
        assert (flag.status, event.from_status, event.to_status) == (after, status, after)
