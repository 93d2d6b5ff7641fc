"""Envelope bodies as pydantic models: one place that turns a body into checked values."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from computegov.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)


class Body(BaseModel):
    """Base of every envelope body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_body(model: type[M], body: dict[str, Any]) -> M:
    """Validate an envelope body; InvalidInput lists every problem with its field."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
            for err in exc.errors()
        )
        raise InvalidInput(f"the {model.__name__} body is not valid: {problems}") from None
