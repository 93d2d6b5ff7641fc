"""The build-out simulation: monotone in the budget, reproducible from a seed, shaped per year."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from computegov.errors import InvalidInput
from computegov.supply.montecarlo import central_parameters, draw_parameters, quantiles
from computegov.supply.runner import run_scenario, summary_csv
from computegov.supply.scenario import OUTPUT_UNITS, STAGES, simulate
from computegov.supply.scenario_file import (
    Scenario,
    default_scenario,
    load_scenario,
    scenario_from_mapping,
)

MONOTONE = (
    "accelerators_produced",
    "installed_units",
    "installed_h100e",
    "allin_power_gw",
    "electricity_usd",
    "workers_needed",
    "cumulative_produced",
)


def test_outputs_are_shaped_draws_by_years() -> None:
    sc = default_scenario()
    out = simulate(sc, draw_parameters(50, seed=1))
    for name in OUTPUT_UNITS:
        assert out[name].shape == (50, len(sc.years))


def test_outputs_are_monotone_in_the_budget_for_every_draw() -> None:
    sc = default_scenario()
    draws = draw_parameters(300, seed=7)
    runs = [simulate(sc.with_budget(b), draws) for b in (0.5e12, 2e12, 7e12, 14e12)]
    for name in MONOTONE:
        for low, high in zip(runs, runs[1:], strict=False):
            assert np.all(high[name] >= low[name] - 1e-6 * np.abs(low[name])), name
    assert runs[-1]["installed_h100e"][:, -1].mean() > runs[0]["installed_h100e"][:, -1].mean()


def test_same_seed_same_result_other_seed_other_result() -> None:
    sc = default_scenario()
    a = run_scenario(sc, draws=2000, seed=11)
    b = run_scenario(sc, draws=2000, seed=11)
    c = run_scenario(sc, draws=2000, seed=12)
    assert a == b
    assert a["outputs"]["installed_h100e"]["median"] != c["outputs"]["installed_h100e"]["median"]


def test_nothing_is_produced_before_fabs_are_built() -> None:
    sc = default_scenario()
    out = simulate(sc, central_parameters())
    lag = central_parameters()["fab_construction_years_tw"][0]
    first_year_any = int(np.argmax(out["accelerators_produced"][0] > 0))
    assert first_year_any + 0.5 > lag  # capacity appears only after construction
    assert out["installed_units"][0, 0] == 0


def test_installed_base_never_exceeds_data_centre_room() -> None:
    sc = default_scenario()
    p = central_parameters()
    out = simulate(sc, p)
    it_w = p["allin_power_w"][0] / p["pue"][0]
    room = out["dc_it_gw_online"][0] * 1e9 / it_w
    assert np.all(out["installed_units"][0] <= room * (1 + 1e-9))


def test_retirement_follows_service_life() -> None:
    # Spend everything in one year on a balanced plan; after capacity stops growing the
    # installed base decays no faster than 1/life a year.
    sc = replace(default_scenario(), spend_years=1.0)
    out = simulate(sc, central_parameters())
    life = central_parameters()["service_life_years"][0]
    units = out["installed_units"][0]
    assert units[-1] >= units[-2] * (1 - 1 / life) - 1e-6


def test_binding_constraint_is_named_per_year() -> None:
    result = run_scenario(default_scenario(), draws=500, seed=0)
    names = set(STAGES) | {"nothing online yet"}
    assert [b["year"] for b in result["binding"]] == result["years"]
    assert all(b["constraint"] in names for b in result["binding"])
    assert result["binds_first"]["constraint"] in STAGES


def test_quantiles_match_numpy_nearest_rank() -> None:
    x = np.random.default_rng(0).normal(size=(1001, 3))
    q = quantiles(x)
    np.testing.assert_allclose(q[1], np.median(x, axis=0), rtol=1e-6)
    np.testing.assert_allclose(q[0], np.quantile(x, 0.05, axis=0, method="nearest"), rtol=1e-6)


def test_summary_csv_has_median_and_bands_per_output(tmp_path: Path) -> None:
    result = run_scenario(default_scenario(), draws=200, seed=0)
    path = summary_csv(result, tmp_path / "s.csv")
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    assert header[0] == "year"
    for name in OUTPUT_UNITS:
        assert {f"{name}_median", f"{name}_p5", f"{name}_p95"} <= set(header)
    assert header[-2:] == ["binding_constraint", "binding_share_of_draws"]
    assert len(lines) == 1 + len(result["years"])


def test_scenario_files_are_validated(tmp_path: Path) -> None:
    good = tmp_path / "a.toml"
    good.write_text('budget = "1T"\nyears = "2026-2030"\n[shares]\nfabs = 0.5\ndatacentres = 0.5\n')
    sc = load_scenario(good)
    assert sc.budget_usd == 1e12 and sc.years == [2026, 2027, 2028, 2029, 2030]
    with pytest.raises(InvalidInput, match="sum to 1"):
        scenario_from_mapping({"shares": {"fabs": 0.5}})
    with pytest.raises(InvalidInput, match="unknown scenario key"):
        scenario_from_mapping({"budjet": "7T"})
    with pytest.raises(InvalidInput, match="fab_region"):
        Scenario(fab_region="XX")
    with pytest.raises(InvalidInput, match="does not exist"):
        load_scenario(tmp_path / "missing.toml")


def test_packaged_default_equals_the_example_file() -> None:
    example = Path(__file__).parents[2] / "examples" / "7T.toml"
    assert load_scenario(example) == default_scenario()


def test_murphy_yield_model_gives_more_chips_than_poisson() -> None:
    p = central_parameters()
    poisson = simulate(default_scenario(), p)["accelerators_produced"][0]
    murphy = simulate(replace(default_scenario(), yield_model="murphy"), p)[
        "accelerators_produced"
    ][0]
    made = poisson > 0
    assert made.any()
    assert np.all(murphy[made] > poisson[made])
    with pytest.raises(InvalidInput, match="poisson, murphy"):
        scenario_from_mapping({"yield_model": "magic"})


def test_flops_per_dollar_grows_with_the_generation() -> None:
    p = central_parameters()
    out = simulate(default_scenario(), p)["flops_per_dollar_new"][0]
    growth = p["perf_growth_per_year"][0]
    np.testing.assert_allclose(out[1:] / out[:-1], growth)
    h100_year = default_scenario().years.index(2025)
    expected = p["h100_dense_bf16_flops"][0] / p["accelerator_price_usd"][0] * growth**2
    assert out[h100_year] == pytest.approx(expected)


def test_progress_reports_chunks_and_does_not_change_the_result() -> None:
    sc = replace(default_scenario(), end_year=2027)
    seen: list[tuple[int, int]] = []
    with_bar = run_scenario(sc, draws=60_000, seed=5, progress=lambda d, n: seen.append((d, n)))
    plain = run_scenario(sc, draws=60_000, seed=5)
    assert seen == [(25_000, 60_000), (50_000, 60_000), (60_000, 60_000)]
    assert with_bar == plain


def test_draws_of_a_parameter_do_not_depend_on_the_other_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from computegov.supply import montecarlo
    from computegov.supply.params import Parameter, load_parameters

    before = draw_parameters(100, seed=3)
    extra = dict(load_parameters())
    extra = {"aaa_new_row": Parameter("aaa_new_row", 1.0, 0.0, 2.0, "x", "test", ""), **extra}
    monkeypatch.setattr(montecarlo, "load_parameters", lambda: extra)
    after = draw_parameters(100, seed=3)
    for name, values in before.items():
        np.testing.assert_array_equal(values, after[name])


def test_registry_holds_the_existing_fleet_and_every_surviving_chip() -> None:
    p = central_parameters()
    keep = 1 - 1 / p["service_life_years"][0]
    empty = simulate(default_scenario().with_budget(0.0), p)
    fleet = p["existing_fleet_units_end2025"][0]
    np.testing.assert_allclose(empty["registry_chips"][0], fleet * keep ** np.arange(1, 16))
    full = simulate(default_scenario(), draw_parameters(200, seed=2))
    assert np.all(full["registry_chips"] >= full["installed_units"])
    assert np.all(full["registry_chips"][:, -1] <= full["cumulative_produced"][:, -1] + 25e6)
