"""The calculator: what a budget buys if spent on one thing, and how big it is against yardsticks.

Each line divides the budget by one unit cost from the parameter file; its low and high use the
cost's high and low (a dearer unit buys fewer). Every line names the parameters it used, so a
reader can trace each number to its source.
"""

from __future__ import annotations

from typing import Any

from computegov.supply.params import Parameter, load_parameters, load_sales, sales_in
from computegov.supply.wafers import gross_dies_per_wafer, poisson_yield

HOURS_PER_YEAR = 8760.0
SECONDS_PER_YEAR = 365.25 * 86400


def _line(
    item: str, budget: float, cost: Parameter, unit: str, scale: float = 1.0, **extra: Any
) -> dict[str, Any]:
    """budget / (cost x scale) at central, and the range from the cost's bounds."""
    return {
        "item": item,
        "unit": unit,
        "central": budget / (cost.central * scale),
        "low": budget / (cost.high * scale),
        "high": budget / (cost.low * scale),
        "unit_cost_usd": cost.central * scale,
        "parameters": [cost.name],
        "source": cost.source,
        **extra,
    }


def calculate(budget_usd: float) -> dict[str, Any]:
    """What `budget_usd` buys spent wholly on accelerators, fabs, data centres or companies."""
    p = load_parameters()
    price = p["accelerator_price_usd"]
    fab_per_10k = p["fab_capex_per_10k_wspm_tw"]
    module = p["fab_module_wspm"].central
    fab = Parameter(
        "fab_cost_usd",
        fab_per_10k.central * module / 1e4,
        fab_per_10k.low * module / 1e4,
        fab_per_10k.high * module / 1e4,
        "USD per 50k wspm fab",
        fab_per_10k.source,
        "fab_capex_per_10k_wspm_tw x fab_module_wspm / 10k",
    )
    accelerators = _line("accelerators", budget_usd, price, "accelerators")
    at_cost = _line(
        "accelerators at manufacturing cost (owning the supply chain)",
        budget_usd,
        p["accelerator_manufacturing_cost_usd"],
        "accelerators",
    )
    hbm_share = p["hbm_share_of_component_cost"].central
    at_cost["derived"] = {
        "hbm_spend_usd": budget_usd * hbm_share,
        "vendor_margin_avoided_share": 1
        - p["accelerator_manufacturing_cost_usd"].central / price.central,
        "parameters": ["hbm_share_of_component_cost", "accelerator_price_usd"],
    }
    n = accelerators["central"]
    chip_w, allin_w = p["chip_power_w"].central, p["allin_power_w"].central
    allin_gw = n * allin_w / 1e9
    elec = p["electricity_usd_per_kwh"].central
    # FLOP one H100 delivers in a year of training at the assumed utilization.
    flops_year = p["h100_dense_bf16_flops"].central * p["mfu"].central * SECONDS_PER_YEAR
    accelerators["derived"] = {
        "h100_equivalents": n,
        "peak_flops": n * p["h100_dense_bf16_flops"].central,
        "chip_power_gw": n * chip_w / 1e9,
        "allin_power_gw": allin_gw,
        "electricity_usd_per_year": allin_gw * 1e6 * HOURS_PER_YEAR * elec,
        "flops_per_dollar": p["h100_dense_bf16_flops"].central / price.central,
        "runs_1e25_per_year": n * flops_year / 1e25,
        "runs_1e26_per_year": n * flops_year / 1e26,
        "parameters": [
            "mfu",
            "h100_dense_bf16_flops",
            "chip_power_w",
            "allin_power_w",
            "electricity_usd_per_kwh",
        ],
    }
    fabs = _line("fabs (50k wspm N3 modules)", budget_usd, fab, "fabs")
    fabs["parameters"] = ["fab_capex_per_10k_wspm_tw", "fab_module_wspm"]
    nf = fabs["central"]
    wspm = nf * module
    gross = float(gross_dies_per_wafer(p["accelerator_die_area_mm2"].central))
    good = gross * float(
        poisson_yield(p["accelerator_die_area_mm2"].central, p["defect_density_per_cm2"].central)
    )
    scanners_needed = wspm / p["wspm_per_euv_scanner"].central
    world_le = (p["tsmc_n3_wspm"].central + p["tsmc_n5_wspm"].central) / p[
        "leading_edge_share_tw"
    ].central
    fabs["derived"] = {
        "wafer_starts_per_month": wspm,
        "tsmc_n3_multiple": wspm / p["tsmc_n3_wspm"].central,
        "operators_per_fab": module / p["fab_wspm_per_worker"].central,
        "leading_edge_share_if_all_in_one_country": wspm / (wspm + world_le),
        "operators_needed": wspm / p["fab_wspm_per_worker"].central,
        "euv_scanners_needed": scanners_needed,
        "years_of_world_euv_output": scanners_needed / p["euv_tools_per_year"].central,
        "good_dies_per_year_if_all_accelerators": wspm * 12 * good,
        "gross_dies_per_wafer": gross,
        "good_dies_per_wafer": good,
        "logic_cost_per_good_die_usd": p["wafer_price_n3"].central / good,
        # Cross-check of the EUV stage against SemiAnalysis's ~0.3 GW per tool-year.
        "model_gw_per_euv_tool_year": p["wspm_per_euv_scanner"].central
        * 12
        * good
        / p["dies_per_accelerator"].central
        * p["allin_power_w"].central
        / 1e9,
        "published_gw_per_euv_tool_year": p["gw_per_euv_tool_year"].central,
        "parameters": [
            "tsmc_n3_wspm",
            "fab_wspm_per_worker",
            "wspm_per_euv_scanner",
            "euv_tools_per_year",
            "accelerator_die_area_mm2",
            "defect_density_per_cm2",
            "wafer_price_n3",
            "dies_per_accelerator",
            "allin_power_w",
            "gw_per_euv_tool_year",
        ],
    }
    datacentres = _line(
        "data centres (GW of IT power, servers included)",
        budget_usd,
        p["dc_capex_per_gw_it"],
        "GW",
    )
    caps = {name: q for name, q in p.items() if name.startswith("market_cap_")}
    total_cap = sum(q.central for q in caps.values())
    companies = {
        "item": "supply-chain companies at market value",
        "unit": "times over",
        "central": budget_usd / total_cap,
        "low": budget_usd / total_cap,
        "high": budget_usd / total_cap,
        "unit_cost_usd": total_cap,
        "parameters": sorted(caps),
        "source": "; ".join(sorted({q.source for q in caps.values()})),
        "companies": {
            n.removeprefix("market_cap_").removesuffix("_usd"): q.central for n, q in caps.items()
        },
    }
    return {
        "budget_usd": budget_usd,
        "purchases": [accelerators, at_cost, fabs, datacentres, companies],
        "yardsticks": _yardsticks(budget_usd),
    }


def _yardsticks(budget_usd: float) -> list[dict[str, Any]]:
    """The budget as a multiple of world chip sales and other public figures."""
    p = load_parameters()
    s23, s24 = sales_in(2023), sales_in(2024)
    latest = load_sales()[-1]
    rows = [
        ("world semiconductor sales 2023", s23.sales_usd, s23.source),
        ("world semiconductor sales 2024", s24.sales_usd, s24.source),
        (
            "SEMI forecast of world sales in 2030",
            p["semi_forecast_2030_usd"].central,
            p["semi_forecast_2030_usd"].source,
        ),
        ("TSMC capex 2024", p["tsmc_capex_2024_usd"].central, p["tsmc_capex_2024_usd"].source),
        ("HBM market 2024", p["hbm_market_2024_usd"].central, p["hbm_market_2024_usd"].source),
    ]
    out = [
        {"yardstick": name, "value_usd": value, "multiple": budget_usd / value, "source": src}
        for name, value, src in rows
    ]
    out.append(
        {
            "yardstick": f"world semiconductor sales {load_sales()[0].year}-{latest.year}, summed",
            "value_usd": sum(s.sales_usd for s in load_sales()),
            "multiple": budget_usd / sum(s.sales_usd for s in load_sales()),
            "source": "data/sales.csv (years listed there)",
        }
    )
    return out
