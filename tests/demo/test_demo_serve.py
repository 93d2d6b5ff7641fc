"""`computegov serve --demo` as `make serve` runs it: a real process on 127.0.0.1, its banner,
its credential files and first commands used verbatim, a busy port, and a real browser."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from browser import chromium_context
from live_server import free_port

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _command() -> list[str]:
    """`computegov`, as installed beside this Python (what `make serve` runs)."""
    script = BIN / "computegov"
    return [str(script)] if script.exists() else [sys.executable, "-m", "computegov"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPUTEGOV_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


@dataclass
class Served:
    url: str
    root: Path
    log: Path
    elsewhere: Path  # what COMPUTEGOV_DATA_DIR named: never used by the demo

    def output(self) -> str:
        return self.log.read_text()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One `serve --demo` process for this module's tests, with a real registry's data
    directory named in the environment (the demo must ignore it)."""
    base = tmp_path_factory.mktemp("served")
    port = free_port()
    root = base / "computegov-demo"
    log = base / "serve.log"
    elsewhere = base / "real-registry"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*_command(), "serve", "--demo", "--port", str(port), "--data-dir", str(root)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=base,
            env=_env(COMPUTEGOV_DATA_DIR=str(elsewhere)),
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # builds the world first (seconds; a loaded box)
        while True:
            assert process.poll() is None, log.read_text()
            try:
                httpx.get(url + "/v1/info", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the demo server did not answer"
                time.sleep(0.2)
        yield Served(url, root, log, elsewhere)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def test_the_start_says_where_the_pages_parties_and_first_commands_are(served: Served) -> None:
    text = served.output()
    assert f"dashboard   {served.url}/" in text
    assert f"{served.url}/docs" in text
    for slug in (
        "admin",
        "us-regulator",
        "eu-regulator",
        "cn-regulator",
        "nvidia",
        "amd",
        "huawei",
    ):
        row = re.search(rf"^  {re.escape(slug)} +(\S+) +(\S+\.token) +(\S+\.key)$", text, re.M)
        assert row, f"no banner row for {slug}"
        assert (served.root.parent / row.group(2)).is_file()
    assert "ignoring COMPUTEGOV_DATA_DIR" in text
    assert not served.elsewhere.exists()
    env = (served.root / "demo.env").read_text()
    assert f"COMPUTEGOV_URL={served.url} " in env


def test_the_printed_commands_work_verbatim_after_sourcing_demo_env(served: Served) -> None:
    text = served.output()
    block = text.split("Try first, after `", 1)[1]
    source = block.split("`", 1)[0]
    commands = re.findall(r"^  (computegov .+)$", block, re.M)
    assert len(commands) >= 3
    assert any("ledger verify --full" in command for command in commands)
    for command in commands:
        done = subprocess.run(
            ["bash", "-c", f"{source} && {command}"],
            cwd=served.root.parent,
            env=_env(COLUMNS="200"),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        if "chips history" in command:
            assert "NV-H100-000001" in done.stdout and "moved" in done.stdout
        if "ledger verify" in command:
            assert "valid" in done.stdout


def test_a_printed_token_file_works_for_its_party(served: Served) -> None:
    token_file = served.root / "parties" / "nvidia.token"
    done = subprocess.run(
        [*_command(), "transfers", "list", "--status", "pending", "--json", "--url", served.url]
        + ["--token-file", str(token_file)],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    info = (served.root / "demo.json").read_text()
    pending = re.search(r'"pending_transfer": "(trf_\w+)"', info)
    assert pending and pending.group(1) in done.stdout


def test_a_busy_port_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    root = tmp_path / "computegov-demo"
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [*_command(), "serve", "--demo", "--port", str(port), "--data-dir", str(root)],
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: port {port} on 127.0.0.1 is already in use")
    assert "serving" not in done.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.org"])
def test_the_demo_never_listens_where_other_machines_reach(tmp_path: Path, host: str) -> None:
    """One click signs anyone in as any demo party: the demo serves this machine only."""
    root = tmp_path / "computegov-demo"
    done = subprocess.run(
        [*_command(), "serve", "--demo", "--host", host, "--port", str(free_port())]
        + ["--data-dir", str(root)],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout
    assert done.stderr.startswith("error: the demo world listens only on this machine")
    assert list(tmp_path.iterdir()) == []


def test_make_serve_runs_the_demo_on_the_port_asked_for() -> None:
    default = subprocess.run(
        ["make", "--no-print-directory", "-n", "serve"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert default.stdout.strip().splitlines()[-1].endswith("computegov serve --demo --port 8000")
    other = subprocess.run(
        ["make", "--no-print-directory", "-n", "serve", "PORT=8123"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shlex.split(other.stdout.strip().splitlines()[-1])[-3:] == ["--demo", "--port", "8123"]


@pytest.fixture
def page() -> Iterator[Any]:
    """A fresh Chromium page; without /usr/bin/chromium this skips, or fails in CI."""
    with chromium_context() as context:
        yield context.new_page()


@pytest.mark.browser
def test_a_newcomer_signs_in_with_one_click_and_sees_a_populated_registry(
    served: Served, page: Any, tmp_path: Path
) -> None:
    page.goto(served.url + "/")
    assert page.get_by_role("heading", name="Sign in as a party of the demo world").is_visible()
    page.get_by_role("button", name="Sign in as Registry administrator").click()
    page.wait_for_url(served.url + "/")
    lead = page.locator("p.lead").inner_text()
    chips = int(re.search(r"([\d,]+) chips", lead).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert chips > 3000
    assert page.get_by_role("row", name=re.compile(r"^TW ")).is_visible()
    shots = [tmp_path / "demo-overview.png"]
    if os.environ.get("COMPUTEGOV_SCREENSHOT_DIR"):
        shots.append(Path(os.environ["COMPUTEGOV_SCREENSHOT_DIR"]) / "demo-overview.png")
    for shot in shots:
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
    assert shots[0].stat().st_size > 0


def _tour(heading: str = "## A ten-minute tour", least: int = 3) -> str:
    """The shell of a README tour, as a newcomer pastes it (the venv is already on PATH here,
    so `. .venv/bin/activate` is left out)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split(heading, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert len(blocks) >= least, "the tour lost its commands"
    lines = [line for block in blocks for line in block.splitlines()]
    return "\n".join(line for line in lines if line.strip() != ". .venv/bin/activate")


def test_the_readme_tour_runs_verbatim_to_a_verified_chip_history(served: Served) -> None:
    """The README's first screen takes a newcomer from nothing to a verified chip history:
    every command of its tour works as written against `make serve`'s world, and the one
    meant to be refused is refused for the reason the README gives."""
    done = subprocess.run(
        ["bash", "-c", _tour()],
        cwd=served.root.parent,  # the tour runs at the repository root, beside computegov-demo/
        env=_env(COLUMNS="200"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout
    assert done.returncode == 0, f"{out}\n{done.stderr}"
    assert "4,200 chips" in out
    assert "license REQUIRED" in out
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "(license_required)" in errors[0], done.stderr
    assert "NV-H100-000001" in out and "moved" in out  # the chip's history, to its last step
    assert "✗" not in out  # no step's proof failed
    assert re.search(r"signature\s+│ valid", out), out


def test_the_readme_licensing_tour_ships_h200s_under_a_license_and_follows_them(
    served: Served,
) -> None:
    """The README's export-licensing walk runs as written, every command succeeding: H200s
    into the US, an application showing the review policy and the registry's own 50% count,
    an approval with a rider, a shipment with its lab report and export filing, and the US
    regulator following licensed chips to Singapore."""
    done = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + _tour("## Export licensing, end to end", 1)],
        cwd=served.root.parent,
        env=_env(COLUMNS="250"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout
    assert done.returncode == 0, f"{out}\n{done.stderr}"
    assert "case-by-case" in out and "bis-2026-01-review" in out
    # The officer sees the registry's count beside the certified one: 130 H200s with US
    # customers (the demo's 120 and these 10), 60 to China.
    assert re.search(r"registry 60 CN/MO vs 130 US \(share 46\.2%\); certified 60 vs 130", out)
    assert "discrepancy" not in out.split("steps", 1)[0]
    assert "consignee_kyc" in out and "on_file" in out
    assert re.search(r"status\s+│ completed", out)  # Yangtze confirmed the licensed shipment
    history = out.split("NV-H200-000001", 1)[1]
    assert "SG" in history  # the chip's step into Singapore, read by the licensing regulator
    assert "license_diversion" in out and "Lion City" in out
    assert "✗" not in out


def test_the_readme_reporting_walk_files_a_model_and_a_regulator_resolves_its_flag(
    served: Served,
) -> None:
    """The README's compute-reporting walk runs as written: a model with two stages, a
    provider's CSV attestation that contradicts the first (the flag shows both figures and
    the rule), the obligations calendar with its deadline, a signed packet as PDF, and the
    EU regulator resolving the flag."""
    done = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + _tour("## Compute reporting, end to end", 1)],
        cwd=served.root.parent,
        env=_env(COLUMNS="250"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout
    assert done.returncode == 0, f"{out}\n{done.stderr}"
    assert "256,000 chip-hours attributed > 200,000 attested" in out
    assert re.search(r"attested_chip_hours\s+│ 200,000", out)
    assert "must not exceed the chip-hours the provider attested" in out  # the rule
    assert "eu-model-documentation" in out and "eu-enforcement" in out
    assert "signed: filing fil_" in out
    pdf = served.root / "kumo.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    resolved = out.rsplit("attestation_exceeded", 1)[1]
    assert "resolved" in resolved and "flag.resolve" in resolved
