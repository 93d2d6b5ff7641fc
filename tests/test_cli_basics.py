"""The command line's shared conventions: version, help, and one-line errors with exit 2."""

from __future__ import annotations

from typer.testing import CliRunner

from computegov import __version__
from computegov.cli import app
from computegov.countries import parse_country
from computegov.errors import InvalidInput
from computegov.instants import parse_instant, to_wire

runner = CliRunner()


def test_version_prints_package_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"computegov {__version__}"


def test_parse_instant_accepts_dates_and_instants() -> None:
    assert to_wire(parse_instant("2023-11-17")) == "2023-11-17T00:00:00Z"
    assert to_wire(parse_instant("2025-01-13T05:00:00+05:00")) == "2025-01-13T00:00:00Z"


def test_parse_instant_rejects_garbage_with_what_is_accepted() -> None:
    try:
        parse_instant("17/11/2023")
    except InvalidInput as exc:
        assert "YYYY-MM-DD" in str(exc)
    else:
        raise AssertionError("a malformed date was accepted")


def test_parse_instant_refuses_an_instant_before_the_first_one_as_input_not_a_crash() -> None:
    for text in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        try:
            parse_instant(text)
        except InvalidInput as exc:
            assert "not a representable instant" in str(exc)
        else:
            raise AssertionError(f"{text} was accepted")


def test_country_codes_are_validated() -> None:
    assert parse_country("mo") == "MO"
    for bad in ("XX", "USA", "", "C1"):
        try:
            parse_country(bad)
        except InvalidInput as exc:
            assert "alpha-2" in str(exc)
        else:
            raise AssertionError(f"{bad!r} was accepted as a country")


def test_invalid_input_becomes_one_line_error_with_exit_2() -> None:
    import typer

    from computegov.cli import _Root

    probe = typer.Typer(cls=_Root)

    @probe.command()
    def first() -> None:
        raise InvalidInput("bad thing; use a good thing")

    @probe.command()
    def second() -> None:
        """Two commands make a group, as the real root is."""

    result = runner.invoke(probe, ["first"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: bad thing; use a good thing"
    assert "Traceback" not in result.output
