"""The scenario chart as drawn: the binding strip shows every year and hides no series.

The check reads the SVG that `supply scenario --plot` writes: each series (median line with its
markers, 5-95% band) and each year's block of the binding strip carry an id, and the area every
series' point takes on the page (its marker or the line's stroke) must not meet any block.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from computegov.cli import app

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in page points

runner = CliRunner()


def _points(d: str) -> list[tuple[float, float]]:
    nums = [float(n) for n in NUMBER.findall(d)]
    return list(zip(nums[::2], nums[1::2], strict=True))


def _bbox(points: list[tuple[float, float]]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _stroke(style: str) -> float:
    m = re.search(r"stroke-width:\s*([\d.]+)", style)
    return float(m.group(1)) if m else 1.0


def _meet(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(scope="module")
def svg_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plot") / "out.svg"
    args = ["supply", "scenario", "--draws", "300", "--plot", str(path), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def svg(svg_path: Path) -> ET.Element:
    return ET.parse(svg_path).getroot()


def _groups(root: ET.Element, prefix: str) -> dict[str, ET.Element]:
    return {g.get("id", ""): g for g in root.iter(f"{SVG}g") if g.get("id", "").startswith(prefix)}


def _marker_boxes(root: ET.Element) -> dict[str, Box]:
    """Each marker shape's extent around its centre, stroke included."""
    out = {}
    for p in root.iter(f"{SVG}path"):
        points = _points(p.get("d", ""))
        if p.get("id") and points:
            x0, y0, x1, y1 = _bbox(points)
            w = _stroke(p.get("style", "")) / 2
            out["#" + p.get("id", "")] = (x0 - w, y0 - w, x1 + w, y1 + w)
    return out


def _series_boxes(root: ET.Element) -> dict[str, list[Box]]:
    """Per series id, the box each of its drawn points takes: a marker, or a stroke's width."""
    markers = _marker_boxes(root)
    out: dict[str, list[Box]] = {}
    for gid, g in {**_groups(root, "median-"), **_groups(root, "band-")}.items():
        boxes: list[Box] = []
        for p in g.iter(f"{SVG}path"):
            w = _stroke(p.get("style", "")) / 2 if "stroke" in p.get("style", "") else 0.0
            boxes += [(x - w, y - w, x + w, y + w) for x, y in _points(p.get("d", ""))]
        for u in g.iter(f"{SVG}use"):
            x, y = float(u.get("x", "0")), float(u.get("y", "0"))
            mx0, my0, mx1, my1 = markers[u.get(XLINK, "")]
            boxes.append((x + mx0, y + my0, x + mx1, y + my1))
        out[gid] = boxes
    return out


def test_the_strip_has_a_block_for_every_year(svg: ET.Element, svg_path: Path) -> None:
    blocks = _groups(svg, "binding-")
    assert sorted(blocks) == [f"binding-{y}" for y in range(2025, 2040)]
    # matplotlib draws text as glyphs and names each string in a comment
    text = svg_path.read_text("utf-8")
    for label in ("power", "data centres", "nothing online yet"):
        assert f"<!-- {label} -->" in text, label


def test_every_panel_series_is_in_the_drawing(svg: ET.Element) -> None:
    series = _series_boxes(svg)
    for key in ("accelerators_produced", "installed_h100e", "allin_power_gw", "workers_needed"):
        assert len(series[f"median-{key}"]) >= 15, key
        assert series[f"band-{key}"], key


def test_no_series_point_is_under_the_binding_strip(svg: ET.Element) -> None:
    """The power curve starts at 0 GW (nothing online before 2028): its first years' markers
    must not sit on the strip, nor may any other series' points."""
    blocks = [_bbox(_points(p.get("d", ""))) for g in _groups(svg, "binding-").values() for p in g]
    hidden = {
        gid: [b for b in boxes if any(_meet(b, s) for s in blocks)]
        for gid, boxes in _series_boxes(svg).items()
    }
    assert {gid: v for gid, v in hidden.items() if v} == {}


def test_png_is_written_with_the_same_layout(tmp_path: Path) -> None:
    png = tmp_path / "out.png"
    result = runner.invoke(app, ["supply", "scenario", "--draws", "100", "--plot", str(png)])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
