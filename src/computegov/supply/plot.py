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

    years = result["years"]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
    for ax, (key, title, scale, unit) in zip(axes.flat, _PANELS, strict=True):
        o = result["outputs"][key]
        med = [v / scale for v in o["median"]]
        ax.fill_between(
            years,
            [v / scale for v in o["p5"]],
            [v / scale for v in o["p95"]],
            alpha=0.25,
            label="5-95%",
        )
        ax.plot(years, med, marker="o", ms=3, label="median")
        if key == "accelerators_produced":
            new = result["outputs"]["accelerators_installed_new"]["median"]
            ax.plot(years, [v / scale for v in new], ls="--", label="newly installed (median)")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8)
    binding = result["binding"]
    labels = sorted({b["constraint"] for b in binding})
    colours = plt.get_cmap("tab10")
    ax = axes[1, 0]
    for b in binding:
        ax.axvspan(
            b["year"] - 0.5,
            b["year"] + 0.5,
            ymin=0,
            ymax=0.04,
            color=colours(labels.index(b["constraint"])),
            lw=0,
        )
    from matplotlib.patches import Rectangle

    handles = [Rectangle((0, 0), 1, 1, color=colours(i)) for i in range(len(labels))]
    ax.legend(
        handles, labels, title="binding (strip)", fontsize=7, title_fontsize=7, loc="upper left"
    )
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
