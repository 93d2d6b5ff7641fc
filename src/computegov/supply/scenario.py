"""The build-out simulation: capital -> fabs, packaging, memory, data centres, power -> accelerators
-> installed compute, power and workers, year by year.

All arrays are shaped (draws, years). Spending is even over `spend_years`; capacity bought at
time s comes online at s + construction years, and each year uses the capacity online at its
middle. Each year the plan produces as many accelerators as the tightest production stage
allows (logic fabs, EUV scanners, fab workers, HBM memory, CoWoS packaging) and installs as many
as its data centres and power plants have room for; the installed base retires at 1/service
life a year. The binding constraint of a year is the stage with the least room.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from computegov.supply.montecarlo import Draws
from computegov.supply.scenario_file import Scenario
from computegov.supply.wafers import die_yield, gross_dies_per_wafer

Array = NDArray[np.float64]
SECONDS_PER_YEAR = 365.25 * 86400
HOURS_PER_YEAR = 8760.0
# Order matters: ties go to the earlier stage.
STAGES = (
    "logic fabs",
    "EUV scanners",
    "fab workers",
    "HBM memory",
    "CoWoS packaging",
    "data centres",
    "power",
)
NOTHING_ONLINE = -1


def packaging_output(cowos_wafers_per_month: Array, packages_per_wafer: Array) -> Array:
    """Accelerator packages a year from CoWoS capacity (shared with the backtest)."""
    return cowos_wafers_per_month * 12.0 * packages_per_wafer


def _online(total: Array, lag: Array, years: int, spend_years: float) -> Array:
    """Capacity online in the middle of each year when `total` is bought evenly over
    `spend_years` and each purchase takes `lag` years to build. Shape (draws, years)."""
    mid = np.arange(years) + 0.5
    frac = np.clip((mid[None, :] - lag[:, None]) / spend_years, 0.0, 1.0)
    return total[:, None] * frac


def _argmin(stages: Array) -> tuple[NDArray[np.int8], Array]:
    """Index and value of the smallest stage per (draw, year); ties go to the earlier stage.
    (A pass per stage over contiguous arrays: much faster than argmin along the first axis.)"""
    best = stages[0].copy()
    index = np.zeros(best.shape, dtype=np.int8)
    for k in range(1, stages.shape[0]):
        less = stages[k] < best
        index[less] = k
        np.minimum(best, stages[k], out=best)
    return index, best


def simulate(scenario: Scenario, p: Draws) -> dict[str, Array]:
    """Run the plan for each draw in `p` (arrays shaped (draws,)); returns (draws, years) arrays."""
    n = len(next(iter(p.values())))
    years = np.array(scenario.years, dtype=float)
    t_count = len(years)
    s = scenario.spend_years
    budget = scenario.budget_usd
    region = scenario.fab_region.lower()
    fab_capex = p[f"fab_capex_per_10k_wspm_{region}"] / 1e4
    fab_lag = p[f"fab_construction_years_{region}"]

    logic_wspm = _online(budget * scenario.share("fabs") / fab_capex, fab_lag, t_count, s)
    dram_capex = p["dram_fab_capex_per_10k_wspm"] / 1e4
    dram_wspm = _online(budget * scenario.share("memory") / dram_capex, fab_lag, t_count, s)
    cowos_wpm = _online(
        budget * scenario.share("packaging") / (p["packaging_capex_per_10k_wpm"] / 1e4),
        p["packaging_construction_years"],
        t_count,
        s,
    )
    dc_it_gw = _online(
        budget * scenario.share("datacentres") / (p["dc_capex_per_gw_it"] * p["dc_nonchip_share"]),
        p["dc_construction_years"],
        t_count,
        s,
    )
    power_gw = _online(
        budget * scenario.share("power") / p["power_capex_per_gw"],
        p["power_construction_years"],
        t_count,
        s,
    )

    area = p["accelerator_die_area_mm2"]
    good_per_wafer = (
        gross_dies_per_wafer(area, 300.0)
        * die_yield(area, p["defect_density_per_cm2"], scenario.yield_model)
        / p["dies_per_accelerator"]
    )[:, None]
    ratio = p["dram_wafers_per_logic_wafer"][:, None]
    elapsed = np.arange(1, t_count + 1, dtype=float)[None, :]
    scanners = p["euv_tools_per_year"][:, None] * scenario.euv_share * elapsed
    workers_pool = p["fab_workers_hired_per_year"][:, None] * scenario.worker_share * elapsed
    wspm_per_worker = p["fab_wspm_per_worker"][:, None]

    stage = np.empty((len(STAGES), n, t_count))
    stage[0] = logic_wspm * 12 * good_per_wafer
    stage[1] = scanners * p["wspm_per_euv_scanner"][:, None] * 12 * good_per_wafer
    stage[2] = workers_pool * wspm_per_worker * 12 / (1 + ratio) * good_per_wafer
    stage[3] = dram_wspm * 12 / ratio * good_per_wafer
    stage[4] = packaging_output(cowos_wpm, p["cowos_packages_per_wafer"][:, None])
    production_binding, production = _argmin(stage[:5])

    allin_w = p["allin_power_w"][:, None]
    it_w = allin_w / p["pue"][:, None]
    dc_room_total = dc_it_gw * 1e9 / it_w
    power_room_total = power_gw * 1e9 / allin_w
    retire = 1.0 / p["service_life_years"]
    efficiency = p["perf_growth_per_year"][:, None] ** (
        years[None, :] - p["perf_reference_year"][:, None]
    )

    # The year-by-year recursion runs on (years, draws) copies so each step reads contiguous rows.
    prod_t = np.ascontiguousarray(production.T)
    room_t = np.ascontiguousarray(np.minimum(dc_room_total, power_room_total).T)
    eff_t = np.ascontiguousarray(efficiency.T)
    kept_t = np.empty((t_count, n))
    new_t = np.empty((t_count, n))
    h_t = np.empty((t_count, n))
    keep = 1 - retire
    alive_t = np.empty((t_count, n))
    prev_units = np.zeros(n)
    prev_h = np.zeros(n)
    alive = np.zeros(n)
    for t in range(t_count):
        alive = alive * keep + prod_t[t]
        alive_t[t] = alive
        kept = prev_units * keep
        kept_t[t] = kept
        new = np.clip(np.minimum(prod_t[t], room_t[t] - kept), 0.0, None)
        new_t[t] = new
        prev_units = kept + new
        prev_h = prev_h * keep + new * eff_t[t]
        h_t[t] = prev_h
    kept_units = kept_t.T
    deployed = new_t.T
    installed = kept_units + deployed
    h100e = np.ascontiguousarray(h_t.T)
    stage[5] = dc_room_total - kept_units
    stage[6] = power_room_total - kept_units

    binding_index, _ = _argmin(stage)
    binding = binding_index.astype(float)
    nothing = (production <= 0) & (np.minimum(dc_room_total, power_room_total) <= 0)
    binding[nothing] = NOTHING_ONLINE

    # A registry holds every chip made and not yet retired, installed or stored, plus the fleet
    # that existed before the plan (end-2025 figures), which retires at the same rate; that fleet
    # is not added to the plan's power or compute.
    fleet_decay = keep[:, None] ** np.arange(1, t_count + 1)[None, :]
    registry_chips = p["existing_fleet_units_end2025"][:, None] * fleet_decay + alive_t.T
    world_h100e = p["existing_fleet_h100e_end2025"][:, None] * fleet_decay + h100e
    peak = h100e * p["h100_dense_bf16_flops"][:, None]
    allin_gw = installed * allin_w / 1e9
    flop_year = peak * p["mfu"][:, None] * SECONDS_PER_YEAR
    world_le = (p["tsmc_n3_wspm"] + p["tsmc_n5_wspm"]) / p["leading_edge_share_tw"]
    tw_base = (p["leading_edge_share_tw"] * world_le)[:, None]
    plan_tw = logic_wspm if scenario.fab_region == "TW" else np.zeros_like(logic_wspm)
    return {
        "accelerators_produced": production,
        "accelerators_installed_new": deployed,
        "installed_units": installed,
        "cumulative_produced": np.cumsum(production, axis=1),
        "registry_chips": registry_chips,
        "world_installed_h100e": world_h100e,
        "installed_h100e": h100e,
        "peak_flops": peak,
        "chip_power_gw": installed * p["chip_power_w"][:, None] / 1e9,
        "allin_power_gw": allin_gw,
        "electricity_usd": allin_gw * 1e6 * HOURS_PER_YEAR * p["electricity_usd_per_kwh"][:, None],
        "workers_needed": (logic_wspm + dram_wspm) / wspm_per_worker
        + dc_it_gw * p["dc_workers_per_gw"][:, None],
        "logic_wspm_online": logic_wspm,
        "dc_it_gw_online": dc_it_gw,
        "taiwan_share_leading_edge": (tw_base + plan_tw) / (world_le[:, None] + logic_wspm),
        "flops_per_dollar_new": np.broadcast_to(
            efficiency * (p["h100_dense_bf16_flops"] / p["accelerator_price_usd"])[:, None],
            (n, t_count),
        ).copy(),
        "runs_1e25_per_year": flop_year / 1e25,
        "runs_1e26_per_year": flop_year / 1e26,
        "binding": binding,
        "production_binding": np.where(production > 0, production_binding, NOTHING_ONLINE).astype(
            float
        ),
    }


OUTPUT_UNITS: dict[str, str] = {
    "accelerators_produced": "accelerators/yr",
    "accelerators_installed_new": "accelerators/yr",
    "installed_units": "accelerators",
    "cumulative_produced": "accelerators",
    "registry_chips": "accelerators (existing fleet + plan's chips not yet retired)",
    "world_installed_h100e": "H100-equivalents (existing fleet + plan)",
    "installed_h100e": "H100-equivalents",
    "peak_flops": "FLOP/s (dense BF16)",
    "chip_power_gw": "GW",
    "allin_power_gw": "GW",
    "electricity_usd": "USD/yr",
    "workers_needed": "workers",
    "logic_wspm_online": "wafer starts/month",
    "dc_it_gw_online": "GW",
    "taiwan_share_leading_edge": "share",
    "flops_per_dollar_new": "FLOP/s per USD (new accelerators at list price)",
    "runs_1e25_per_year": "runs/yr",
    "runs_1e26_per_year": "runs/yr",
}


def binding_label(code: int) -> str:
    """The name of a binding-constraint code from `simulate`."""
    return "nothing online yet" if code == NOTHING_ONLINE else STAGES[code]
