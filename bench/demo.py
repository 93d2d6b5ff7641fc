"""How long building the demo world takes: wall time and CPU time of `open_demo` on a fresh
directory (every module of `computegov.demo.world.MODULES`, the log integrated), and of a
second start on the built directory (which performs nothing).

Run by hand: `.venv/bin/python bench/demo.py [--repeats 3]`. Prints Markdown.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from computegov.demo.builder import open_demo


def measure(repeats: int) -> list[tuple[str, float, float, int, int]]:
    """(what, wall seconds, CPU seconds, chips-and-actions facts) per run."""
    rows = []
    for n in range(repeats):
        with tempfile.TemporaryDirectory(prefix="computegov-demo-bench-") as tmp:
            root = Path(tmp) / "computegov-demo"
            wall, cpu = time.perf_counter(), time.process_time()
            world = open_demo(root)
            built = (time.perf_counter() - wall, time.process_time() - cpu)
            world.store.close()
            actions, size = world.info["actions"], world.info["log_size"]
            rows.append((f"build #{n + 1}", *built, actions, size))
            wall, cpu = time.perf_counter(), time.process_time()
            world = open_demo(root)
            again = (time.perf_counter() - wall, time.process_time() - cpu)
            world.store.close()
            rows.append((f"second start #{n + 1}", *again, 0, size))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {sys.platform}")
    print()
    print("| run | wall s | CPU s | signed actions | log entries |")
    print("|---|---:|---:|---:|---:|")
    for what, wall, cpu, actions, size in measure(args.repeats):
        print(f"| {what} | {wall:.2f} | {cpu:.2f} | {actions} | {size} |")


if __name__ == "__main__":
    main()
