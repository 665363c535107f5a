"""The `laketahoe` CLI as a subprocess against the real service."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import child_env, write_notebook

pytestmark = pytest.mark.e2e


def cli(service, *args, cwd):
    env = child_env(LAKETAHOE_RUNTIME_FILE=str(service.runtime_file))
    env.pop("LAKETAHOE_URL", None)
    return subprocess.run([sys.executable, "-m", "laketahoe.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


def test_submit_notebook_job_file_and_follow(service, tmp_path):
    proj = service.root / "cli_proj"
    (proj / "notebooks").mkdir(parents=True)
    write_notebook(proj / "notebooks" / "nb.ipynb",
                   "import laketahoe\nprint('depth is', depth)\nlaketahoe.report(step=0, score=depth / 10)",
                   parameters="depth = 1")
    (proj / "job.yaml").write_text(
        "trainingInput:\n"
        "  scaleTier: BASIC\n"
        "  priority: low\n"
        "  masterConfig:\n"
        "    imageUri: registry.example.com/sklearn:1.9\n"
        "  notebook:\n"
        "    path: notebooks/nb.ipynb\n"
        "    parameters:\n"
        "      depth: 7\n"
    )
    # Run from elsewhere: paths in the job file are relative to the file, not the cwd.
    submitted = cli(service, "jobs", "submit", "training", "cli_nb", "--config", str(proj / "job.yaml"),
                    "--stream-logs", cwd=service.root)
    assert submitted.returncode == 0, submitted.stderr
    assert "Job [cli_nb] submitted successfully." in submitted.stdout
    assert "depth is 7" in submitted.stdout
    assert "ended: SUCCEEDED" in submitted.stderr

    described = cli(service, "jobs", "describe", "cli_nb", "--summarize", cwd=proj)
    assert described.returncode == 0
    assert "SUCCEEDED" in described.stdout and "cli_proj/notebooks/nb.ipynb" in described.stdout
    assert "score=0.7" in described.stdout

    full = cli(service, "jobs", "describe", "cli_nb", cwd=proj)
    assert "trainingInput:" in full.stdout and "imageUri: registry.example.com/sklearn:1.9" in full.stdout
    assert "priority: low" in full.stdout

    listed = cli(service, "jobs", "list", "--filter", "state=SUCCEEDED", cwd=proj)
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[0].split()[:3] == ["JOB_ID", "STATUS", "CREATED"]
    assert any(line.startswith("cli_nb ") for line in listed.stdout.splitlines())

    logs = cli(service, "jobs", "stream-logs", "cli_nb", cwd=proj)
    assert logs.returncode == 0 and "depth is 7" in logs.stdout


def test_describe_summarize_shows_usage_and_the_memory_hint(service):
    proj = service.root / "cli_usage"
    proj.mkdir()
    # About 150 MiB held while a loop keeps a core busy: far below the 2 GiB of the BASIC tier. The loop
    # runs until it has had 2 CPU-seconds (and at least 3 s), so a loaded machine only makes it longer.
    write_notebook(proj / "hold.ipynb",
                   "import time\nb = bytearray(150 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\n"
                   "cpu, end = time.process_time() + 2, time.time() + 3\n"
                   "while time.process_time() < cpu or time.time() < end: pass")
    (proj / "hold.yaml").write_text("trainingInput:\n  scaleTier: BASIC\n  notebook:\n    path: hold.ipynb\n")
    assert cli(service, "jobs", "submit", "training", "cli_usage", "--config", "hold.yaml", cwd=proj).returncode == 0
    assert service.wait("cli_usage")["state"] == "SUCCEEDED"
    summary = service.client().usage_summary("cli_usage")
    assert summary["samples"] >= 3
    assert 150 * 1024 ** 2 < summary["peakMemoryBytes"] < 2 * 1024 ** 3
    assert summary["cpuSeconds"] >= 1.0

    described = cli(service, "jobs", "describe", "cli_usage", "--summarize", cwd=proj)
    assert described.returncode == 0, described.stderr
    lines = dict(line.split(":", 1) for line in described.stdout.splitlines())
    assert lines["peakMemory"].strip().endswith("MiB of 2.0 GiB")
    assert float(lines["cpuSeconds"]) >= 1.0
    assert "gpuHours" not in lines  # no GPU was asked for
    assert lines["hint"].strip().startswith("This job used at most ") and lines["hint"].strip().endswith("of its 2.0 GiB memory")


def test_module_form_with_package_path_and_args(service):
    proj = service.root / "cli_mod"
    (proj / "trainer").mkdir(parents=True)
    (proj / "trainer" / "__init__.py").write_text("")
    (proj / "trainer" / "task.py").write_text(
        "import sys, laketahoe\nprint('args', sys.argv[1:])\nlaketahoe.report(step=1, loss=0.5)\n")
    result = cli(service, "jobs", "submit", "training", "cli_module", "--module-name", "trainer.task",
                 "--package-path", "trainer", "--scale-tier", "basic", "--stream-logs", "--", "--epochs", "2",
                 cwd=proj)
    assert result.returncode == 0, result.stderr
    assert "args ['--epochs', '2']" in result.stdout
    assert service.wait("cli_module")["state"] == "SUCCEEDED"
    job = service.client().get_job("cli_module")
    assert job["trainingInput"]["pythonModule"] == "trainer.task"
    assert job["trainingInput"]["args"] == ["--epochs", "2"]


def test_errors_are_one_line_exit_1(service, tmp_path):
    missing = cli(service, "jobs", "describe", "no_such_cli_job", cwd=service.root)
    assert missing.returncode == 1
    assert missing.stdout == ""
    assert len(missing.stderr.strip().splitlines()) == 1 and missing.stderr.startswith("ERROR: (laketahoe)")

    no_file = cli(service, "jobs", "submit", "training", "cli_x", "--config", "nope.yaml", cwd=service.root)
    assert no_file.returncode == 1 and "job file not found: nope.yaml" in no_file.stderr
    assert "Traceback" not in no_file.stderr

    bad = service.root / "bad.yaml"
    bad.write_text("trainingInput:\n  scaleTier: HUGE\n  notebook:\n    path: x.ipynb\n")
    invalid = cli(service, "jobs", "submit", "training", "cli_bad", "--config", str(bad), cwd=service.root)
    assert invalid.returncode == 1
    assert "field: trainingInput" in invalid.stderr and len(invalid.stderr.strip().splitlines()) == 1

    outside = tmp_path / "job.yaml"
    outside.write_text("trainingInput:\n  notebook:\n    path: n.ipynb\n")
    out_of_root = cli(service, "jobs", "submit", "training", "cli_out", "--config", str(outside), cwd=service.root)
    assert out_of_root.returncode == 1 and "outside the LakeTahoe root directory" in out_of_root.stderr

    bad_filter = cli(service, "jobs", "list", "--filter", "owner=me", cwd=service.root)
    assert bad_filter.returncode == 1 and "unsupported --filter" in bad_filter.stderr

    usage = cli(service, "jobs", "explode", cwd=service.root)
    assert usage.returncode == 2 and len(usage.stderr.strip().splitlines()) == 1


def test_no_service_message(tmp_path):
    env = child_env(LAKETAHOE_RUNTIME_FILE=str(tmp_path / "none.json"))
    env.pop("LAKETAHOE_URL", None)
    result = subprocess.run([sys.executable, "-m", "laketahoe.cli", "jobs", "list"], env=env,
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "ERROR: (laketahoe) LakeTahoe service not found: open JupyterLab or run `laketahoe-proxy serve`")


def test_stream_logs_exits_with_the_jobs_outcome(service):
    proj = service.root / "cli_outcome"
    proj.mkdir()
    write_notebook(proj / "fail.ipynb", "print('about to fail')", "raise ValueError('bad data')")
    write_notebook(proj / "slow.ipynb", "import time\nprint('waiting', flush=True)\ntime.sleep(120)")
    (proj / "fail.yaml").write_text("trainingInput:\n  notebook:\n    path: fail.ipynb\n")
    (proj / "slow.yaml").write_text("trainingInput:\n  notebook:\n    path: slow.ipynb\n")

    failed = cli(service, "jobs", "submit", "training", "cli_fails", "--config", "fail.yaml", "--stream-logs", cwd=proj)
    assert failed.returncode == 1, failed.stderr
    assert "about to fail" in failed.stdout
    assert "ended: FAILED (Cell 2 raised ValueError: bad data)" in failed.stderr
    again = cli(service, "jobs", "stream-logs", "cli_fails", cwd=proj)
    assert again.returncode == 1 and "ended: FAILED" in again.stderr

    submitted = cli(service, "jobs", "submit", "training", "cli_cancelled", "--config", "slow.yaml", cwd=proj)
    assert submitted.returncode == 0, submitted.stderr
    service.wait("cli_cancelled", states={"RUNNING"})
    service.client().cancel_job("cli_cancelled")
    assert service.wait("cli_cancelled")["state"] == "CANCELLED"
    cancelled = cli(service, "jobs", "stream-logs", "cli_cancelled", cwd=proj)
    assert cancelled.returncode == 3 and "ended: CANCELLED" in cancelled.stderr


def test_output_into_a_closed_pipe_ends_quietly(service):
    # `laketahoe jobs list | head -1` with many jobs: the reader leaves after the first line.
    client = service.client()
    write_notebook(service.root / "pipe.ipynb", "print('x' * 100)")
    for i in range(3):
        client.submit_job(f"cli_pipe_{i}", {"notebook": {"path": "pipe.ipynb"}})
    env = child_env(LAKETAHOE_RUNTIME_FILE=str(service.runtime_file))
    env.pop("LAKETAHOE_URL", None)
    for args in (["jobs", "list"], ["jobs", "describe", "cli_pipe_0"]):
        proc = subprocess.Popen([sys.executable, "-m", "laketahoe.cli", *args], cwd=service.root, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # Close our end before the command writes anything: every write of it meets a broken pipe.
        proc.stdout.close()
        stderr = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 141, stderr
        assert "BrokenPipeError" not in stderr and "Traceback" not in stderr and "Exception ignored" not in stderr


def test_jobs_delete_removes_jobs_and_exits_1_when_one_is_kept(service):
    proj = service.root / "cli_delete"
    proj.mkdir()
    write_notebook(proj / "slow.ipynb", "import time\nprint('waiting', flush=True)\ntime.sleep(120)")
    (proj / "slow.yaml").write_text("trainingInput:\n  notebook:\n    path: slow.ipynb\n")
    assert cli(service, "jobs", "submit", "training", "cli_del_run", "--config", "slow.yaml", cwd=proj).returncode == 0
    service.wait("cli_del_run", states={"RUNNING"})
    folder = service.root / "laketahoe-jobs" / "cli_del_run"
    assert folder.is_dir()

    # A running job is cancelled and removed; an unknown id is reported and makes the exit code 1.
    deleted = cli(service, "jobs", "delete", "cli_del_run", "cli_no_such", cwd=proj)
    assert deleted.returncode == 1, deleted.stderr
    assert deleted.stdout == "Deleted job [cli_del_run].\n"
    assert deleted.stderr == "ERROR: (laketahoe) job cli_no_such not found\n"
    assert not folder.exists()
    assert [j["jobId"] for j in service.client().list_jobs()].count("cli_del_run") == 0


def test_jobs_rerun_and_search(service):
    proj = service.root / "cli_rerun"
    proj.mkdir()
    write_notebook(proj / "fit.ipynb", "import laketahoe\nlaketahoe.report(step=1, score=depth)",
                   parameters="depth = 1")
    client = service.client()
    client.submit_job("cli_first", {"notebook": {"path": "cli_rerun/fit.ipynb", "parameters": {"depth": 4}}},
                      labels={"team": "vision"})
    assert service.wait("cli_first")["state"] == "SUCCEEDED"

    again = cli(service, "jobs", "rerun", "cli_first", "--job-id", "cli_again", "--stream-logs", cwd=proj)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Job [cli_again] submitted: a new run of [cli_first]")
    job = client.get_job("cli_again")
    assert job["state"] == "SUCCEEDED" and job["labels"] == {"team": "vision"}
    assert job["trainingOutput"]["latestMetrics"] == {"score": 4}

    listed = cli(service, "jobs", "list", "--search", "CLI_", "--label", "team=vision", cwd=proj)
    assert listed.returncode == 0, listed.stderr
    assert sorted(line.split()[0] for line in listed.stdout.splitlines()[1:]) == ["cli_again", "cli_first"]
    none = cli(service, "jobs", "list", "--label", "team=growth", "--search", "cli_", cwd=proj)
    assert none.stdout.splitlines()[1:] == []

    relabel = cli(service, "jobs", "update", "cli_again", "--update-labels", "stage=prod,team=search",
                  "--remove-labels", "team", cwd=proj)
    assert relabel.returncode == 0, relabel.stderr
    assert relabel.stdout == "Updated job [cli_again]: labels stage=prod.\n"
    assert client.get_job("cli_again")["labels"] == {"stage": "prod"}
    bad = cli(service, "jobs", "update", "cli_again", "--update-labels", "stage", cwd=proj)
    assert bad.returncode != 0 and "--update-labels: expected KEY=VALUE" in bad.stderr
    assert client.get_job("cli_again")["labels"] == {"stage": "prod"}

    unknown = cli(service, "jobs", "rerun", "cli_no_such", cwd=proj)
    assert unknown.returncode == 1
    assert unknown.stderr == "ERROR: (laketahoe) job cli_no_such not found\n"
