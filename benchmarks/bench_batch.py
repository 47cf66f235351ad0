"""The whole batch: ``make reports`` from raw files to both editions, then an unchanged re-run.

Copies what a run reads (notebooks, params, raw data) into a scratch project, points the
library at it (``SATISFACTION_ROOT``) and times, as ``make reports`` does it (the command line in
a fresh interpreter, two workers):

* **full**: every notebook for every year, from an empty ``reports/`` and ``data/processed/``;
* **unchanged**: the same command again, nothing changed (every page up to date).

It then says where the full run's time went, from what the runner records in each page's
manifest (``timings``): per page, the notebook's execution (kernel start and shut-down, the
set-up cells -- imports and data loading --, the cells that draw figures, the other cells:
estimation, tables, text) and the rendering of each edition; and, measured apart, the start of
one kernel and the imports of each notebook in a fresh interpreter. Seconds summed over pages
are worker-seconds (two workers run at once); ratios are against the full run's wall time.

    .venv/bin/python benchmarks/bench_batch.py [--workers 2] [--keep DIR]

Not a test: nothing here asserts a time. Goals (DESIGN.md): full <= 60 s, unchanged <= 5 s on a
quiet 2-core machine.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from satisfaction import config

COPIED = ("notebooks", "params", "data/raw", "pyproject.toml")


def scratch_project(folder: Path) -> Path:
    """The inputs of a run, copied: the library stays the installed one."""
    root = folder / "project"
    for item in COPIED:
        source, target = config.ROOT / item, root / item
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        else:
            shutil.copyfile(source, target)
    return root


def timed_run(root: Path, workers: int) -> tuple[float, subprocess.CompletedProcess]:
    env = {**os.environ, "SATISFACTION_ROOT": str(root)}
    command = [sys.executable, "-m", "satisfaction.cli", "run", "--workers", str(workers)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done


def kernel_start(repeats: int = 3) -> float:
    """Median seconds to start the environment's kernel and have it answer (then shut it down)."""
    from jupyter_client.manager import KernelManager

    times = []
    for _ in range(repeats):
        manager = KernelManager(kernel_name=config.KERNEL_NAME)
        start = time.perf_counter()
        manager.start_kernel(extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=120)
        times.append(time.perf_counter() - start)
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return statistics.median(times)


def notebook_imports(notebook: Path) -> str:
    """The top-level import statements of a notebook's code cells, one per line."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    lines = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        source = "\n".join("" if s.lstrip().startswith(("%", "!")) else s
                           for s in source.splitlines())
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        lines += [ast.unparse(node) for node in tree.body
                  if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(lines)


def import_time(code: str) -> float:
    """Seconds to run ``code`` (imports) in a fresh interpreter, as a kernel does."""
    probe = ("import time\nstart = time.perf_counter()\n"
             f"exec(compile({code!r}, 'imports', 'exec'))\n"
             "print(time.perf_counter() - start)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=False, cwd=config.NOTEBOOKS)
    if done.returncode != 0:  # an import the notebook makes fails here: shown as nan
        return float("nan")
    return float(done.stdout.strip().splitlines()[-1])


def page_timings(reports: Path) -> list[dict]:
    pages = []
    for manifest in sorted(reports.glob("*/*.manifest.json")):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        pages.append({"page": f"{data['notebook']} [{data['year']}]", **data["timings"]})
    return pages


def line(label: str, seconds: float, wall: float, note: str = "") -> str:
    return f"  {label:<46} {seconds:8.1f} s  {seconds / wall:6.2f} x wall  {note}"


def report(full: float, unchanged: float, pages: list[dict], kernel: float,
           imports: dict[str, float], workers: int) -> None:
    total = {k: sum(p[k] for p in pages) for k in ("execute", "cells", "kernel")}
    kinds = {k: sum(p["cell_kinds"][k] for p in pages) for k in ("setup", "figures", "other")}
    render = {lang: sum(p["render"][lang] for p in pages) for lang in ("vi", "en")}
    work = total["execute"] + sum(render.values())
    print(f"full batch ({len(pages)} pages, {workers} workers):   {full:6.1f} s wall"
          f"   (goal <= 60 s)")
    print(f"unchanged re-run:                    {unchanged:6.1f} s wall   (goal <= 5 s)"
          f"   = {unchanged / full:.3f} x full")
    print(f"\nwhere the full run went (worker-seconds, summed over pages; {work:.1f} s of work "
          f"in {full:.1f} s = {work / full:.2f} workers busy on average):")
    print(line("executing the notebooks", total["execute"], full))
    print(line("  kernel start, shut-down, papermill", total["kernel"], full,
               f"(one kernel start alone: {kernel:.2f} s x {len(pages)} pages = "
               f"{kernel * len(pages):.1f} s)"))
    print(line("  set-up cells: imports, parameters, data", kinds["setup"], full))
    print(line("  cells that draw figures", kinds["figures"], full))
    print(line("  other cells: estimation, tables, text", kinds["other"], full))
    for lang, name in (("vi", "Vietnamese"), ("en", "English")):
        print(line(f"rendering the {name} edition", render[lang], full,
                   f"({render[lang] / max(total['execute'], 1e-9):.1%} of execution)"))
    print(line("idle workers and the runner itself", full - work / workers, full,
               "(wall minus work/workers: start-up, waits on the cleaning step, hashing, "
               "publishing, index)"))
    print("\nimports in a fresh interpreter, per notebook (part of its set-up cells):")
    for name, seconds in imports.items():
        print(f"  {name:<46} {seconds:8.2f} s")
    print("\nper page (seconds): execute = kernel + set-up + figures + other; render vi, en")
    for p in pages:
        k = p["cell_kinds"]
        print(f"  {p['page']:<26} {p['execute']:6.1f} = {p['kernel']:4.1f} + {k['setup']:4.1f} + "
              f"{k['figures']:4.1f} + {k['other']:4.1f};  {p['render']['vi']:4.2f}, "
              f"{p['render']['en']:4.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the scratch project here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        root = scratch_project(folder)
        full, first = timed_run(root, args.workers)
        if first.returncode != 0:
            print(first.stdout[-2000:], first.stderr[-4000:], file=sys.stderr)
        unchanged, second = timed_run(root, args.workers)
        print(first.stdout.strip().splitlines()[0])
        print(second.stdout.strip().splitlines()[0])
        print()
        pages = page_timings(root / "reports")
        imports = {nb.stem: import_time(notebook_imports(nb))
                   for nb in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
        report(full, unchanged, pages, kernel_start(), imports, args.workers)


if __name__ == "__main__":
    main()
