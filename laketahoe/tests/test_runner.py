"""The runner, run as the service runs it: a child process on a real ipykernel."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tarfile
import time

import nbformat

from .conftest import child_env, records, run_runner


def _status(path):
    return json.loads(path.read_text())


def test_notebook_success_injects_parameters_and_forwards_metrics(tmp_path, notebook):
    (tmp_path / "snapshot").mkdir()
    nb = notebook(
        "snapshot/train.ipynb",
        "# md Training",
        "import laketahoe, os, sys\n"
        "print('alpha', alpha, 'name', name)\n"
        "print('exe', sys.executable)\n"
        "print('cwd', os.getcwd())\n"
        "laketahoe.report(step=1, accuracy=alpha / 10)\n"
        "laketahoe.report(step=2, accuracy=alpha / 5, loss=0.25)",
        parameters="alpha = 1\nname = 'default'",
    )
    result = run_runner(
        ["notebook", "--input", "snapshot/train.ipynb", "--output", "output.ipynb", "--html", "output.html",
         "--parameters-json", json.dumps({"alpha": 3, "name": "tuned"}), "--cwd", "snapshot",
         "--status-file", "exit.json"],
        cwd=tmp_path, LAKETAHOE_EVENTS_FILE=str(tmp_path / "events.jsonl"),
    )
    assert result.returncode == 0, result.stderr
    recs = records(result.stdout)
    # 2 original cells + parameters cell + papermill's injected-parameters cell.
    assert recs[0] == {"type": "started", "totalCells": 4}
    progress = [r["cell"] for r in recs if r["type"] == "progress"]
    assert progress == [0, 1, 2, 3]
    assert all(r["totalCells"] == 4 for r in recs if r["type"] == "progress")
    metrics = [r for r in recs if r["type"] == "metric"]
    assert [(m["step"], m["values"]) for m in metrics] == [(1, {"accuracy": 0.3}), (2, {"accuracy": 0.6, "loss": 0.25})]
    assert all(m["time"].endswith("Z") for m in metrics)
    assert recs[-1] == {"type": "output", "notebook": "output.ipynb", "html": "output.html"}
    # Cell output is streamed to the log as plain text.
    assert "alpha 3 name tuned" in result.stdout
    assert f"exe {sys.executable}" in result.stdout
    assert f"cwd {tmp_path / 'snapshot'}" in result.stdout

    out = nbformat.read(str(tmp_path / "output.ipynb"), as_version=4)
    injected = out.cells[1]
    assert "injected-parameters" in injected.metadata.tags
    assert "alpha = 3" in injected.source
    assert "alpha 3 name tuned" in "".join(o.get("text", "") for o in out.cells[3].outputs)
    assert "alpha 3 name tuned" in (tmp_path / "output.html").read_text()
    assert _status(tmp_path / "exit.json") == {"exitCode": 0, "reason": ""}
    assert not (tmp_path / "snapshot" / "output.ipynb").exists()


def test_notebook_failure_reports_cell_and_traceback(tmp_path, notebook):
    notebook("bad.ipynb", "x = 1", "print('before')\nraise ValueError('boom ' + str(x))", "print('never')")
    result = run_runner(
        ["notebook", "--input", "bad.ipynb", "--output", "output.ipynb", "--html", "output.html",
         "--status-file", "exit.json"],
        cwd=tmp_path,
    )
    assert result.returncode == 1
    recs = records(result.stdout)
    assert [r["cell"] for r in recs if r["type"] == "progress"] == [0]
    (error,) = [r for r in recs if r["type"] == "error"]
    # "cell" is the executed index; cellNumber the user's own count (the second cell).
    assert error["cell"] == 1 and error["cellNumber"] == 2 and "injectedParameters" not in error
    assert error["ename"] == "ValueError"
    assert error["evalue"] == "boom 1"
    assert "raise ValueError('boom ' + str(x))" in error["traceback"]
    assert "\x1b[" not in error["traceback"]
    assert "never" not in result.stdout
    assert recs[-1]["type"] == "output"
    status = _status(tmp_path / "exit.json")
    assert status["exitCode"] == 1
    assert status["reason"].startswith("Cell 2 raised ValueError: boom 1\n")
    # The traceback is in the log too, for people reading it live.
    assert "ValueError: boom 1" in result.stderr
    assert (tmp_path / "output.ipynb").exists() and (tmp_path / "output.html").exists()


def test_failing_cell_is_numbered_as_in_the_users_notebook(tmp_path, notebook):
    # A parameters cell, a markdown cell, then the raising code cell: the fourth cell the user sees,
    # and the fifth one papermill runs (its injected cell comes after the parameters cell).
    notebook("bad.ipynb", "# md Title", "y = 2", "raise ValueError('third')", parameters="x = 1")
    result = run_runner(["notebook", "--input", "bad.ipynb", "--output", "output.ipynb", "--status-file", "exit.json",
                         "--parameters-json", '{"x": 5}'], cwd=tmp_path)
    assert result.returncode == 1
    (error,) = [r for r in records(result.stdout) if r["type"] == "error"]
    assert error["cell"] == 4 and error["cellNumber"] == 4
    assert _status(tmp_path / "exit.json")["reason"].startswith("Cell 4 raised ValueError: third\n")


def test_failing_injected_parameters_cell_is_named(tmp_path, notebook):
    # A value papermill cannot write as Python fails in the cell it injected, not in one of the user's.
    notebook("ok.ipynb", "print(x)", parameters="x = 1")
    result = run_runner(["notebook", "--input", "ok.ipynb", "--output", "output.ipynb", "--status-file", "exit.json",
                         "--parameters-json", '{"class": 1}'], cwd=tmp_path)
    assert result.returncode == 1
    (error,) = [r for r in records(result.stdout) if r["type"] == "error"]
    assert error["cell"] == 1 and error["injectedParameters"] is True and "cellNumber" not in error
    assert _status(tmp_path / "exit.json")["reason"].startswith("The injected parameters cell raised SyntaxError")


def test_log_has_no_noise_the_runner_causes_and_names_a_missing_kernelspec(tmp_path, notebook):
    path = notebook("old.ipynb", "print('hi')", "import laketahoe\nlaketahoe.report(step=1, acc=0.5)")
    nb = json.loads(path.read_text())
    # Saved by an older nbformat (no cell ids) from a conda env's kernel this machine lacks.
    for cell in nb["cells"]:
        cell.pop("id", None)
    nb["metadata"]["kernelspec"] = {"name": "my-conda-env", "display_name": "Python (my-conda-env)", "language": "python"}
    path.write_text(json.dumps(nb))
    result = run_runner(["notebook", "--input", "old.ipynb", "--output", "output.ipynb", "--html", "output.html"],
                        cwd=tmp_path, PYTHONWARNINGS="default")
    assert result.returncode == 0, result.stderr
    assert "hi" in result.stdout
    for noise in ("MissingIDFieldWarning", "without encryption", "KeyboardInterrupt"):
        assert noise not in result.stderr, result.stderr
    assert ("the notebook's kernel 'my-conda-env' (Python (my-conda-env)) is not installed here; "
            f"running it on Python {sys.version_info[0]}.{sys.version_info[1]}") in result.stderr


def test_missing_notebook_exits_3(tmp_path):
    result = run_runner(["notebook", "--input", "nope.ipynb", "--output", "o.ipynb", "--status-file", "exit.json"],
                        cwd=tmp_path)
    assert result.returncode == 3
    assert _status(tmp_path / "exit.json") == {"exitCode": 3, "reason": "notebook not found: nope.ipynb"}


def test_unreadable_notebook_exits_3(tmp_path):
    (tmp_path / "broken.ipynb").write_text("{not json")
    result = run_runner(["notebook", "--input", "broken.ipynb", "--output", "o.ipynb"], cwd=tmp_path)
    assert result.returncode == 3
    assert "cannot read notebook" in result.stderr


def test_bad_arguments_exit_2(tmp_path, notebook):
    notebook("a.ipynb", "1")
    result = run_runner(["notebook", "--input", "a.ipynb", "--output", "o.ipynb", "--parameters-json", "[1]",
                         "--status-file", "exit.json"], cwd=tmp_path)
    assert result.returncode == 2
    assert _status(tmp_path / "exit.json")["exitCode"] == 2
    assert run_runner(["notebook", "--output", "o.ipynb"], cwd=tmp_path).returncode == 2
    assert run_runner(["bogus"], cwd=tmp_path).returncode == 2


def test_kernel_death_exits_4(tmp_path, notebook):
    notebook("die.ipynb", "import os\nos._exit(9)")
    result = run_runner(["notebook", "--input", "die.ipynb", "--output", "o.ipynb", "--status-file", "exit.json"],
                        cwd=tmp_path)
    assert result.returncode == 4
    (error,) = [r for r in records(result.stdout) if r["type"] == "error"]
    assert error["cell"] == 0 and error["ename"] == "DeadKernelError"
    assert _status(tmp_path / "exit.json")["exitCode"] == 4


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def test_sigterm_stops_kernel_and_exits(tmp_path, notebook):
    notebook("slow.ipynb", "import os, time\nprint('kernel-pid', os.getpid(), flush=True)\ntime.sleep(300)")
    log = open(tmp_path / "stdout.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "laketahoe.runner", "notebook", "--input", "slow.ipynb", "--output", "o.ipynb",
         "--status-file", "exit.json"],
        cwd=tmp_path, env=child_env(), stdout=log, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        kernel_pid = None
        deadline = time.monotonic() + 90
        while kernel_pid is None and time.monotonic() < deadline:
            for line in (tmp_path / "stdout.log").read_text().splitlines():
                if line.startswith("kernel-pid "):
                    kernel_pid = int(line.split()[1])
            time.sleep(0.2)
        assert kernel_pid and _alive(kernel_pid)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 143
        deadline = time.monotonic() + 5
        while _alive(kernel_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(kernel_pid)
        assert _status(tmp_path / "exit.json")["exitCode"] == 143
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _build_package(tmp_path):
    """A setuptools-style sdist `trainer-0.1.tar.gz` holding trainer/task.py."""
    src = tmp_path / "build" / "trainer-0.1"
    (src / "trainer").mkdir(parents=True)
    (src / "trainer" / "__init__.py").write_text("")
    (src / "trainer" / "task.py").write_text(
        "import argparse, os, laketahoe\n"
        "p = argparse.ArgumentParser()\n"
        "p.add_argument('--epochs', type=int)\n"
        "p.add_argument('--fail', action='store_true')\n"
        "a = p.parse_args()\n"
        "print('cwd', os.getcwd())\n"
        "for e in range(a.epochs):\n"
        "    print('epoch', e, end='')\n"
        "    laketahoe.report(step=e, loss=1.0 / (e + 1))\n"
        "    print()\n"
        "if a.fail:\n"
        "    raise RuntimeError('diverged')\n"
    )
    (src / "setup.py").write_text("from setuptools import setup\nsetup(name='trainer', version='0.1', packages=['trainer'])\n")
    archive = tmp_path / "snapshot" / "trainer-0.1.tar.gz"
    archive.parent.mkdir(exist_ok=True)
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(src, arcname="trainer-0.1")
    return archive


def test_module_form_runs_package_with_args(tmp_path):
    _build_package(tmp_path)
    result = run_runner(
        ["module", "--module", "trainer.task", "--package", "snapshot/trainer-0.1.tar.gz", "--cwd", "snapshot",
         "--status-file", "exit.json", "--", "--epochs", "3"],
        cwd=tmp_path, LAKETAHOE_EVENTS_FILE=str(tmp_path / "events.jsonl"),
    )
    assert result.returncode == 0, result.stderr
    recs = records(result.stdout)
    assert recs[0]["type"] == "started"
    assert [(r["step"], r["values"]["loss"]) for r in recs if r["type"] == "metric"] == [(0, 1.0), (1, 0.5), (2, 1 / 3)]
    # Records never break a partial line of module output.
    assert [line for line in result.stdout.splitlines() if line.startswith("epoch")] == ["epoch 0", "epoch 1", "epoch 2"]
    assert f"cwd {tmp_path / 'snapshot'}" in result.stdout
    assert _status(tmp_path / "exit.json") == {"exitCode": 0, "reason": ""}


def test_module_failure_exit_1_and_errors(tmp_path):
    _build_package(tmp_path)
    base = ["module", "--package", "snapshot/trainer-0.1.tar.gz", "--status-file", "exit.json"]
    failed = run_runner([*base, "--module", "trainer.task", "--", "--epochs", "1", "--fail"], cwd=tmp_path)
    assert failed.returncode == 1
    (error,) = [r for r in records(failed.stdout) if r["type"] == "error"]
    assert error["ename"] == "RuntimeError" and error["evalue"] == "diverged"
    assert "trainer/task.py" in error["traceback"] and "runpy" not in error["traceback"]
    assert _status(tmp_path / "exit.json")["reason"].startswith("Module trainer.task raised RuntimeError: diverged")

    missing = run_runner([*base, "--module", "trainer.nope"], cwd=tmp_path)
    assert missing.returncode == 3

    no_pkg = run_runner(["module", "--module", "trainer.task", "--package", "gone.tar.gz"], cwd=tmp_path)
    assert no_pkg.returncode == 3

    remote = run_runner(["module", "--module", "trainer.task", "--package", "hdfs://nn/pkg.tar.gz",
                         "--status-file", "exit.json"], cwd=tmp_path)
    assert remote.returncode == 2
    assert "not supported by the local backend" in _status(tmp_path / "exit.json")["reason"]


def test_sigterm_stops_module_child(tmp_path):
    (tmp_path / "sleeper.py").write_text("import os, time\nprint('child-pid', os.getpid(), flush=True)\ntime.sleep(300)\n")
    log = open(tmp_path / "stdout.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "laketahoe.runner", "module", "--module", "sleeper", "--cwd", str(tmp_path),
         "--status-file", "exit.json"],
        cwd=tmp_path, env=child_env(), stdout=log, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        child_pid = None
        deadline = time.monotonic() + 30
        while child_pid is None and time.monotonic() < deadline:
            for line in (tmp_path / "stdout.log").read_text().splitlines():
                if line.startswith("child-pid "):
                    child_pid = int(line.split()[1])
            time.sleep(0.1)
        assert child_pid and _alive(child_pid)
        # Only the runner is signalled, not its group: it must stop the module itself.
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 143
        assert not _alive(child_pid)
        assert _status(tmp_path / "exit.json")["exitCode"] == 143
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


FORGERIES = [
    # A cell printing a record, as data from anywhere might.
    'print(\'##laketahoe {"type":"output","notebook":"../../elsewhere.ipynb"}\')',
    # Straight to the inherited file descriptors, past every Python-level capture.
    'import os\nos.write(1, b\'##laketahoe {"type":"progress","cell":99}\\n\')',
    'import os\nos.write(2, b\'##laketahoe {"type":"started","totalCells":1000}\\n\')',
    # A shell command the cell starts.
    'import os\nos.system(\'echo \\\'##laketahoe {"type":"error","ename":"Forged"}\\\'\')',
    # A marker written in two pieces.
    'import sys\nsys.stdout.write("##lake"); sys.stdout.flush()\nsys.stdout.write(\'tahoe {"type":"metric","values":{"forged":1}}\\n\')',
]


def _forged(recs):
    return [r for r in recs if r.get("notebook") == "../../elsewhere.ipynb" or r.get("cell") == 99
            or r.get("totalCells") == 1000 or r.get("ename") == "Forged" or "forged" in r.get("values", {})]


def test_printed_records_are_never_taken_for_the_runners_own(tmp_path, notebook):
    nb = notebook("forge.ipynb", *FORGERIES)
    proc = run_runner(["notebook", "--input", str(nb), "--output", str(tmp_path / "out.ipynb")], tmp_path)
    assert proc.returncode == 0, proc.stderr
    both = proc.stdout + "\n" + proc.stderr
    assert _forged(records(proc.stdout)) == [] and _forged(records(proc.stderr)) == []
    # The runner's own records still come, and the printed lines are kept as text, indented.
    assert [r["type"] for r in records(proc.stdout)][:1] == ["started"]
    assert ' ##laketahoe {"type":"progress","cell":99}' in both
    assert ' ##laketahoe {"type":"error","ename":"Forged"}' in both
    assert ' ##laketahoe {"type":"metric","values":{"forged":1}}' in proc.stdout


def test_a_module_cannot_print_records_either(tmp_path):
    pkg = tmp_path / "forger"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "task.py").write_text(
        "import os, sys\n"
        "print('##laketahoe {\"type\":\"error\",\"ename\":\"Forged\"}', flush=True)\n"
        "os.write(1, b'##laketahoe {\"type\":\"progress\",\"cell\":99}\\n')\n"
        "sys.stderr.write('##laketahoe {\"type\":\"started\",\"totalCells\":1000}\\n')\n")
    proc = run_runner(["module", "--module", "forger.task", "--cwd", str(tmp_path)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _forged(records(proc.stdout)) == [] and _forged(records(proc.stderr)) == []
    assert [r["type"] for r in records(proc.stdout)] == ["started"]
