"""Runners forked from the warm template: each run is isolated, cancellable, and a crash stays its own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import child_env, records, write_notebook

# Checks first that nothing of an earlier run is visible, then leaves everything it can behind.
LEAKY = r"""
import os, random, string, sys, tempfile
leaks = []
if tempfile.gettempdir() != os.environ.get('TMPDIR', tempfile.gettempdir()): leaks.append('tempdir')
if 'leftover' in globals(): leaks.append('variable')
if 'LEAKED_VAR' in os.environ: leaks.append('env')
if string.capwords('a b') != 'A B': leaks.append('monkeypatch')
if 'planted_module' in sys.modules: leaks.append('sys.modules')
if os.getcwd() != expected_cwd: leaks.append('cwd ' + os.getcwd())
if sys.path[0] != expected_cwd: leaks.append('sys.path ' + sys.path[0])
if 'numpy' in sys.modules: leaks.append('numpy preloaded')
print('leaks', leaks)
print('threads', os.environ.get('OMP_NUM_THREADS'))
print('random', random.random())
print('cmdline', open('/proc/self/cmdline').read().replace('\0', ' '))
leftover = 1
os.environ['LEAKED_VAR'] = '1'
string.capwords = lambda *a, **k: 'patched'
sys.modules['planted_module'] = object()
os.chdir('/')
"""


class Template:
    """``python -m laketahoe.runner warm`` driven the way the service drives it."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-Xfrozen_modules=off", "-m", "laketahoe.runner", "warm"], cwd="/", env=child_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        self.exits: dict[int, int | None] = {}
        assert "ready" in json.loads(self.proc.stdout.readline())

    def fork(self, workdir: Path, *args: str, **env) -> int:
        request = {"id": 1, "argv": list(args), "cwd": str(workdir), "env": child_env(**env),
                   "stdout": str(workdir / "stdout.log"), "stderr": str(workdir / "stderr.log")}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read(lambda m: "pid" in m)["pid"]

    def wait(self, pid: int, timeout: float = 90) -> int | None:
        while pid not in self.exits:
            self._read(lambda m: "exit" in m, timeout)
        return self.exits[pid]

    def _read(self, wanted, timeout: float = 90) -> dict:
        import select

        deadline = time.monotonic() + timeout
        while True:
            assert select.select([self.proc.stdout], [], [], max(0, deadline - time.monotonic()))[0], "no answer"
            message = json.loads(self.proc.stdout.readline())
            if "exit" in message:
                self.exits[message["exit"]] = message["code"]
            if wanted(message):
                return message

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def template():
    t = Template()
    yield t
    t.close()


def _notebook_run(tmp_path: Path, name: str, *sources: str, parameters: str | None = None) -> tuple[Path, list[str]]:
    workdir = tmp_path / name
    (workdir / "snapshot").mkdir(parents=True)
    write_notebook(workdir / "snapshot" / "nb.ipynb", *sources, parameters=parameters)
    return workdir, ["notebook", "--input", "snapshot/nb.ipynb", "--output", "output.ipynb", "--html", "output.html",
                     "--parameters-json", json.dumps({"expected_cwd": str(workdir / "snapshot")}),
                     "--cwd", "snapshot", "--status-file", "exit.json"]


def _lines(workdir: Path, prefix: str) -> list[str]:
    return [line[len(prefix) + 1:] for line in (workdir / "stdout.log").read_text().splitlines() if line.startswith(prefix + " ")]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def test_runs_forked_from_one_template_share_no_state(tmp_path, template):
    seen = []
    for i, threads in enumerate(("1", "3")):
        workdir, args = _notebook_run(tmp_path, f"run{i}", LEAKY, parameters="expected_cwd = ''")
        scratch = workdir / "tmp"
        scratch.mkdir()
        pid = template.fork(workdir, *args, OMP_NUM_THREADS=threads, TMPDIR=str(scratch),
                            LAKETAHOE_EVENTS_FILE=str(workdir / "events.jsonl"))
        assert template.wait(pid) == 0, (workdir / "stderr.log").read_text()
        # The run's temporary files (the kernel's socket folder and connection file) went to its own
        # TMPDIR and were removed at its end.
        assert list(scratch.iterdir()) == []
        assert _lines(workdir, "leaks") == ["[]"]
        # Thread settings are each run's own, read by libraries the run imports itself.
        assert _lines(workdir, "threads") == [threads]
        # The kernel was forked from the template too (its command line), not started cold.
        assert "laketahoe.runner warm" in _lines(workdir, "cmdline")[0]
        assert {r["type"] for r in records((workdir / "stdout.log").read_text())} >= {"started", "output"}
        assert (workdir / "output.html").stat().st_size > 0
        seen.append(_lines(workdir, "random")[0])
    # Forks do not repeat each other's random numbers.
    assert seen[0] != seen[1]


def test_sigterm_to_a_forked_runner_stops_it_and_its_kernel(tmp_path, template):
    workdir, args = _notebook_run(tmp_path, "slow", "import os, time\nprint('kernel', os.getpid(), flush=True)\ntime.sleep(300)")
    pid = template.fork(workdir, *args)
    deadline = time.monotonic() + 60
    while not (workdir / "stdout.log").exists() or not _lines(workdir, "kernel"):
        assert time.monotonic() < deadline, (workdir / "stderr.log").read_text()
        time.sleep(0.1)
    kernel = int(_lines(workdir, "kernel")[0])
    # The runner leads its own session and group, as a cold one does: the service signals that group.
    assert os.getsid(pid) == pid
    os.killpg(pid, signal.SIGTERM)
    assert template.wait(pid, 30) == 143
    assert json.loads((workdir / "exit.json").read_text())["exitCode"] == 143
    # Nothing of the template's own signal plumbing shows in the run's log.
    assert "wakeup fd" not in (workdir / "stderr.log").read_text()
    deadline = time.monotonic() + 10
    while _alive(kernel) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(kernel)


def test_a_killed_runner_is_reported_and_the_template_serves_on(tmp_path, template):
    workdir, args = _notebook_run(tmp_path, "killed", "import os, time\nprint('kernel', os.getpid(), flush=True)\ntime.sleep(300)")
    pid = template.fork(workdir, *args)
    deadline = time.monotonic() + 60
    while not (workdir / "stdout.log").exists() or not _lines(workdir, "kernel"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    kernel = int(_lines(workdir, "kernel")[0])
    assert _parent(kernel) == pid
    os.kill(pid, signal.SIGKILL)
    assert template.wait(pid, 30) is None
    # Its orphaned kernel notices that the runner is gone and ends, as a cold kernel does.
    assert _ends(kernel, 15)
    workdir, args = _notebook_run(tmp_path, "after", "print('fine')")
    pid = template.fork(workdir, *args)
    assert template.wait(pid) == 0
    assert "fine" in (workdir / "stdout.log").read_text()


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().split(") ")[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _ends(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not _alive(pid)
