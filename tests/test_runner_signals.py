"""Runs that share a tree and runs that are interrupted: real processes, real signals, bounded.

Each test starts ``run_batch`` in a child process (its own session, as a terminal's job is) on
a small site, with a marker in its environment that its workers and their kernels inherit, so
that every process of the run can be found in ``/proc`` afterwards. A notebook that sleeps
holds the run at a known point; the test then sends SIGTERM, SIGINT (to the whole process group,
as Ctrl-C does) or SIGKILL, and checks what is left: no process of the run, no staging folder,
each page's old set of files or its new one, the lock free. Every wait has a deadline.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import pytest
import report_site

from satisfaction.report.lock import RunLock
from satisfaction.report.pages import read_page

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc and uses Linux signals")

MARK = "SATISFACTION_TEST_RUN"
QUICK = report_site.notebook("print('quick', year)", title="# Analysis")


def slow(seconds: float) -> object:
    """A notebook that says it started (a file beside the params) and then sleeps."""
    return report_site.notebook(
        "import time\nfrom pathlib import Path\n"
        "Path(params_file).with_name(f'started-{year}').write_text('1')",
        f"time.sleep({seconds})",
        "print('finished', year)",
        title="# Analysis")


RUNNER = textwrap.dedent("""
    import json, sys
    from satisfaction.report import run_batch
    if __name__ == "__main__":
        sys.exit(run_batch(progress=False, **json.loads(sys.argv[1])))
""")


def start(folders: dict[str, Path], mark: str, **options) -> subprocess.Popen:
    args = {"reports_dir": str(folders["reports"]), "notebooks_dir": str(folders["notebooks"]),
            "params_dir": str(folders["params"]), **options}
    return subprocess.Popen([sys.executable, "-c", RUNNER, json.dumps(args)],
                            env={**os.environ, MARK: mark}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def processes(mark: str) -> list[int]:
    """Live processes (not zombies) whose environment carries ``mark``."""
    found = []
    needle = f"{MARK}={mark}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            found.append(int(entry.name))
    return found


def until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout:g} s: {what}")
        time.sleep(0.1)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def leftovers(reports: Path, pid: int) -> list[str]:
    """What a run must never leave: staging folders, half-swapped year folders."""
    found = [p.name for p in reports.iterdir() if p.name == ".staging" or ".next-" in p.name
             or ".prev-" in p.name]
    found += [p.name for p in Path(tempfile.gettempdir()).glob(f"satisfaction-run-{pid}-*")]
    return found


@pytest.fixture()
def interrupted(tmp_path):
    """A site whose page was built once; its notebook now sleeps: a run of it is under way."""
    folders = report_site.make_site(tmp_path, {2020: True}, {"02_x": QUICK})
    code, _, err = report_site.run(workers=1, **report_site.site_args(folders))
    assert code == 0, err
    report_site.put_notebook(folders["notebooks"], "02_x", slow(8))
    folders["before"] = snapshot(folders["reports"] / "2020")
    mark = uuid.uuid4().hex
    proc = start(folders, mark, workers=2)
    started = folders["params"] / "started-2020"
    try:
        until(started.exists, 120, "the notebook started")
        assert processes(mark), "the run's processes carry the mark"
        yield folders, proc, mark
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        for pid in processes(mark):
            os.kill(pid, signal.SIGKILL)


def check_left_in_order(folders: dict[str, Path], proc: subprocess.Popen, mark: str) -> None:
    until(lambda: not processes(mark), 20, "every worker and kernel of the run ended")
    reports = folders["reports"]
    assert leftovers(reports, proc.pid) == []
    assert snapshot(reports / "2020") == folders["before"]  # the old set, untouched
    assert read_page(reports / "2020", "02_x").intact(reports / "2020")
    RunLock(reports).acquire(wait=0).release()  # the lock is free


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT to the process group"])
def test_a_stopped_run_stops_its_workers_and_keeps_the_old_page(interrupted, how):
    folders, proc, mark = interrupted
    if how == "SIGTERM":
        proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == (143 if how == "SIGTERM" else 130), err
    assert "stopped by SIG" in err and "Traceback" not in err
    check_left_in_order(folders, proc, mark)
    assert (folders["reports"] / "index.html").exists()


def test_a_killed_run_leaves_nothing_running_and_publishes_nothing(interrupted):
    folders, proc, mark = interrupted
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    check_left_in_order(folders, proc, mark)
    time.sleep(10)  # longer than the notebook had left to run: nobody publishes it late
    assert snapshot(folders["reports"] / "2020") == folders["before"]
    assert leftovers(folders["reports"], proc.pid) == []
    report_site.put_notebook(folders["notebooks"], "02_x",
                             report_site.notebook("print('again')", title="# Analysis"))
    code, out, err = report_site.run(workers=1, wait=0, **report_site.site_args(folders))
    assert code == 0 and "1 built" in out, err  # the lock is free, the tree in order


def test_a_second_run_waits_or_refuses_naming_the_holder(tmp_path):
    folders = report_site.make_site(tmp_path, {2020: True}, {"02_x": QUICK})
    with RunLock(folders["reports"]).acquire(wait=0):
        proc = start(folders, uuid.uuid4().hex, wait=0)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 75
        lines = err.strip().splitlines()
        assert len(lines) == 1 and f"pid {os.getpid()}" in lines[0] and ".run.lock" in lines[0]
        began = time.monotonic()
        proc = start(folders, uuid.uuid4().hex, wait=2)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 75 and time.monotonic() - began >= 2
        assert err.startswith("satisfaction run: waiting up to 2 s for the run holding")
    assert not (folders["reports"] / "2020").exists()


def test_three_runs_of_one_notebook_at_once_all_succeed(tmp_path):
    folders = report_site.make_site(tmp_path, {2020: True}, {"02_x": QUICK})
    mark = uuid.uuid4().hex
    runs = [start(folders, mark, workers=2, notebooks=["02_x"]) for _ in range(3)]
    outputs = [proc.communicate(timeout=300) for proc in runs]
    assert [proc.returncode for proc in runs] == [0, 0, 0], outputs
    built = sorted("1 built" in out for out, _ in outputs)
    assert built == [False, False, True]  # one built it, two found it up to date
    year = folders["reports"] / "2020"
    assert read_page(year, "02_x").intact(year)
    assert all(leftovers(folders["reports"], proc.pid) == [] for proc in runs)
    until(lambda: not processes(mark), 20, "no process of the runs is left")


PUBLISHER = textwrap.dedent("""
    import sys, tempfile
    from pathlib import Path
    from satisfaction.report.publish import publish
    if __name__ == "__main__":
        year = Path(sys.argv[1])
        staging = Path(tempfile.mkdtemp(dir=year.parent.parent))
        generation = 0
        while True:
            generation += 1
            files = {}
            for name in ("p.html", "p.en.html", "p.ipynb", "p.headline.json", "p.manifest.json"):
                (staging / name).write_text(f"{generation}\\n" * 2000)
                files[name] = staging / name
            publish(year, files)
            print(generation, flush=True)
""")


def test_a_kill_at_any_moment_of_publishing_leaves_one_set(tmp_path):
    reports = tmp_path / "reports"
    year = reports / "2020"
    year.mkdir(parents=True)
    for i in range(300):  # other pages' files: every publication links them into the new folder
        (year / f"other{i}.html").write_text(str(i))
    rng = random.Random(20260101)
    generations = set()
    for _ in range(15):
        proc = subprocess.Popen([sys.executable, "-c", PUBLISHER, str(year)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip()  # it published at least once
        time.sleep(rng.uniform(0.0, 0.25))
        proc.kill()
        proc.wait(10)
        names = sorted(p.name for p in year.iterdir() if p.name.startswith("p."))
        assert names == ["p.en.html", "p.headline.json", "p.html", "p.ipynb", "p.manifest.json"]
        seen = {(year / n).read_text().split("\n", 1)[0] for n in names}
        assert len(seen) == 1, seen  # one generation: never a mix
        generations |= seen
        assert len(list(year.glob("other*.html"))) == 300
        from satisfaction.report.publish import recover

        recover(reports)
        assert sorted(p.name for p in reports.iterdir()) == ["2020"]
    assert len(generations) > 5  # the kills landed at different moments
