"""The exceptions every layer shares, so that the CLI and the API can render them alike."""


class ComputegovError(Exception):
    """Base of every error computegov raises on purpose."""


class InvalidInput(ComputegovError, ValueError):
    """Input a user gave is wrong; the message says what was wrong and what would be accepted."""


class NotFound(InvalidInput):
    """A named thing (a chip model, a rule, a party) does not exist."""
