"""Charts of a scenario run: four panels of medians with 5-95% bands, written as PNG or SVG.

matplotlib is imported inside `plot_scenario` (with the Agg backend) so that the CLI starts fast
when no plot is asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from computegov.errors import InvalidInput

FORMATS = (".png", ".svg")
_PANELS = (
    ("accelerators_produced", "Accelerators produced per year", 1e6, "million"),
    ("installed_h100e", "Installed base", 1e6, "million H100-equivalents"),
    ("allin_power_gw", "Power drawn (all-in)", 1.0, "GW"),
    ("workers_needed", "Workers needed (fabs and data centres)", 1e3, "thousand"),
)
_CELLS = ((0, 0), (0, 1), (1, 0), (1, 1))


def check_plot_path(path: str | Path) -> Path:
    """The plot path if its suffix is .png or .svg; InvalidInput otherwise."""
    p = Path(path)
    if p.suffix.lower() not in FORMATS:
        raise InvalidInput(f"plot file {str(p)!r}: use a name ending in .png or .svg")
    return p


def plot_scenario(result: dict[str, Any], path: str | Path) -> Path:
    """Draw the scenario result from `run_scenario` to `path` (PNG or SVG by suffix)."""
    p = check_plot_path(path)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(11, 8.2))
    grid = fig.add_gridspec(3, 2, height_ratios=(1, 1, 0.09))
    first = fig.add_subplot(grid[0, 0])
    axes = [first] + [fig.add_subplot(grid[i, j], sharex=first) for i, j in _CELLS[1:]]
    for ax, (key, title, scale, unit) in zip(axes, _PANELS, strict=True):
        _panel(ax, result, key, title, scale, unit)
    axes[0].legend(fontsize=8)
    for ax in axes[:2]:
        ax.tick_params(labelbottom=False)
    strip = fig.add_subplot(grid[2, 0], sharex=first)
    axes[2].tick_params(labelbottom=False)  # the strip under the power panel shows the years
    _binding_strip(strip, fig.add_subplot(grid[2, 1]), result["binding"], plt.get_cmap("tab10"))
    s = result["scenario"]
    fig.suptitle(
        f"Supply scenario {s['name']}: ${s['budget_usd'] / 1e12:.3g}T over "
        f"{s['spend_years']:g} years, "
        f"{result['draws']:,} draws, seed {result['seed']}",
        fontsize=11,
    )
    fig.text(0.01, 0.005, "Sources: computegov supply params; data: --csv", fontsize=7)
    fig.tight_layout(rect=(0, 0.02, 1, 0.96))
    fig.savefig(p, format=p.suffix.lower().lstrip("."))
    plt.close(fig)
    return p


def _panel(ax: Any, result: dict[str, Any], key: str, title: str, scale: float, unit: str) -> None:
    """One output's median (with markers) and 5-95% band; ids name them in an SVG."""
    years = result["years"]
    o = result["outputs"][key]
    ax.fill_between(
        years,
        [v / scale for v in o["p5"]],
        [v / scale for v in o["p95"]],
        alpha=0.25,
        label="5-95%",
        gid=f"band-{key}",
    )
    med = [v / scale for v in o["median"]]
    ax.plot(years, med, marker="o", ms=3, label="median", gid=f"median-{key}")
    if key == "accelerators_produced":
        new = result["outputs"]["accelerators_installed_new"]["median"]
        ax.plot(
            years,
            [v / scale for v in new],
            ls="--",
            label="newly installed (median)",
            gid="median-accelerators_installed_new",
        )
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(unit)
    ax.grid(alpha=0.3)


def _binding_strip(strip: Any, key: Any, binding: list[dict[str, Any]], colours: Any) -> None:
    """The constraint that binds installs, a block per year, on its own axes under the power
    panel (so it covers no series), and its legend in the cell beside it."""
    from matplotlib.patches import Rectangle

    labels = sorted({b["constraint"] for b in binding})
    for b in binding:
        strip.axvspan(
            b["year"] - 0.5,
            b["year"] + 0.5,
            color=colours(labels.index(b["constraint"])),
            lw=0,
            gid=f"binding-{b['year']}",
        )
    strip.set_yticks([])
    strip.set_ylabel("binds", fontsize=8, rotation=0, ha="right", va="center")
    key.axis("off")
    handles = [Rectangle((0, 0), 1, 1, color=colours(i)) for i in range(len(labels))]
    key.legend(
        handles,
        labels,
        title="what binds installs (strip at left, most draws)",
        loc="center",
        ncol=len(labels),
        fontsize=7,
        title_fontsize=7,
        frameon=False,
    )
