"""CPU seconds per passage of `report-search index`, workers and main process together.

Runs the command as a child process (optionally with another checkout of the code first on
PYTHONPATH, to compare two versions in one run) and takes the CPU time of it and every
process it started and waited for (its worker processes) from the kernel (wait4), beside
the wall-clock passages per second from the run's report.

    python bench/ingest_cpu.py CORPUS WORK [--code OLD_CHECKOUT ...] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

COMMAND = ["index", "--rebuild", "--workers", "2", "--no-embed"]
# Runs the command line in this child, then writes the CPU time of the child itself (the
# indexing process) and of its waited-for children (the worker processes) to a file.
_SPLIT = (
    "import json, resource, runpy, sys\n"
    "out = sys.argv.pop(1)\n"
    "try:\n"
    "    runpy.run_module('search_app.cli', run_name='__main__')\n"
    "finally:\n"
    "    own = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    kids = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "    cpu = lambda u: u.ru_utime + u.ru_stime\n"
    "    json.dump({'main': cpu(own), 'workers': cpu(kids)}, open(out, 'w'))\n"
)


def measure(corpus: Path, index_dir: Path, code: str = "", workers: int = 2) -> dict[str, Any]:
    """One full build of `corpus` into `index_dir` (removed afterwards): CPU and wall time."""
    shutil.rmtree(index_dir, ignore_errors=True)
    env = dict(os.environ, REPORT_SEARCH_EMBED="0")
    if code:
        env["PYTHONPATH"] = code
    split = index_dir.resolve().parent / "ingest-cpu-split.json"
    command = [sys.executable, "-c", _SPLIT, str(split), *COMMAND, "--ocr", "off"]
    command += ["--index-dir", str(index_dir.resolve())]
    command[command.index("--workers") + 1] = str(workers)
    started = time.perf_counter()
    # From a neutral folder, so that `code` (or the installed checkout) is what is imported.
    child = subprocess.Popen(
        [*command, str(corpus.resolve())], env=env, cwd="/", stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if status:
        raise RuntimeError(f"the index command failed ({status})")
    report = json.loads(next(index_dir.glob("generations/gen-*/report.json")).read_text())
    shutil.rmtree(index_dir, ignore_errors=True)
    cpu = usage.ru_utime + usage.ru_stime
    passages = report["passages"]
    parts = json.loads(split.read_text())
    split.unlink()
    return {
        "code": code or "this checkout",
        "passages": passages,
        "wall_seconds": round(wall, 2),
        "run_seconds": report["seconds"],
        "cpu_seconds": round(cpu, 2),
        "cpu_ms_per_passage": round(1000 * cpu / passages, 3),
        "main_ms_per_passage": round(1000 * parts["main"] / passages, 3),
        "workers_ms_per_passage": round(1000 * parts["workers"] / passages, 3),
        "passages_per_second": round(passages / report["seconds"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument(
        "--code",
        action="append",
        default=[],
        help="a checkout put first on PYTHONPATH (repeatable; default: this checkout)",
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    codes = args.code or [""]  # this checkout unless versions are named
    for _ in range(args.repeat):
        for code in codes:  # alternated, so that load from others hits both
            result = measure(args.corpus, args.work / "ingest-cpu-index", code, args.workers)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
