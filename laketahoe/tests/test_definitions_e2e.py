"""Job definitions from ``laketahoe definitions ...`` and ``%lt schedule ...`` against the real service."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from .conftest import lt_shell, write_notebook
from .test_cli_e2e import cli

pytestmark = pytest.mark.e2e


def test_cli_saves_schedules_runs_pauses_and_deletes(service):
    proj = service.root / "defs_cli"
    proj.mkdir()
    write_notebook(proj / "report.ipynb", "print('report', day)", parameters="day = 'mon'")

    bad = cli(service, "definitions", "create", "nightly_report", "--notebook", "report.ipynb",
              "--schedule", "0 25 * * *", cwd=proj)
    assert bad.returncode == 1
    assert "schedule.cron" in bad.stderr

    created = cli(service, "definitions", "create", "nightly_report", "--notebook", "report.ipynb", "-p", "day='tue'",
                  "--schedule", "30 2 * * *", "--time-zone", "Europe/Berlin", "--missed", "skip", "--keep-last", "3",
                  "--webhook", "https://hooks.example.com/T000/secret", cwd=proj)
    assert created.returncode == 0, created.stderr
    assert "schedule: 30 2 * * * (Europe/Berlin)" in created.stdout
    assert "missedRuns: SKIP" in created.stdout and "keepLastRuns=3" in created.stdout
    assert "webhook: https://hooks.example.com" in created.stdout and "secret" not in created.stdout
    # Next runs are 02:30 Berlin time: 01:30Z in winter.
    assert "T01:30:00.000Z" in created.stdout

    listed = cli(service, "definitions", "list", cwd=proj)
    assert listed.stdout.splitlines()[0].split() == ["DEFINITION_ID", "SCHEDULE", "STATE", "NEXT_RUN"]
    assert any(line.startswith("nightly_report ") and "SCHEDULED" in line for line in listed.stdout.splitlines())

    preview = cli(service, "definitions", "preview", "0 9 * * 1-5", "--time-zone", "Asia/Tokyo", "--count", "2", cwd=proj)
    assert preview.returncode == 0 and len(preview.stdout.split()) == 2
    assert all(t.endswith("T00:00:00.000Z") for t in preview.stdout.split())

    ran = cli(service, "definitions", "run", "nightly_report", cwd=proj)
    assert ran.returncode == 0, ran.stderr
    job_id = ran.stdout.split("[")[1].split("]")[0]
    job = service.wait(job_id)
    assert job["labels"]["definition"] == "nightly_report"
    assert job["labels"]["retention-keep-last"] == "3"
    assert job["trainingInput"]["notebook"]["parameters"] == {"day": "tue"}

    runs = cli(service, "definitions", "runs", "nightly_report", cwd=proj)
    assert job_id in runs.stdout and "MANUAL" in runs.stdout and "SUBMITTED" in runs.stdout

    paused = cli(service, "definitions", "pause", "nightly_report", cwd=proj)
    assert "paused" in paused.stdout
    assert "PAUSED" in cli(service, "definitions", "list", cwd=proj).stdout
    resumed = cli(service, "definitions", "resume", "nightly_report", cwd=proj)
    assert "resumed" in resumed.stdout and "Next run:" in resumed.stdout

    deleted = cli(service, "definitions", "delete", "nightly_report", cwd=proj)
    assert deleted.returncode == 0
    missing = cli(service, "definitions", "describe", "nightly_report", cwd=proj)
    assert missing.returncode == 1 and "not found" in missing.stderr
    assert service.client().get_job(job_id)["jobId"] == job_id


def test_magic_schedules_the_notebook(use_service, monkeypatch):
    shell = lt_shell(use_service.root / "defs_magic", monkeypatch)
    write_notebook(use_service.root / "defs_magic" / "daily.ipynb", "print('daily')")
    saved = shell.run_line_magic("lt", 'schedule daily.ipynb --cron "0 6 * * 1-5" --tz America/New_York')
    assert "definitionId: daily" in saved and "0 6 * * 1-5 (America/New_York)" in saved
    assert "daily" in shell.run_line_magic("lt", "schedule list")
    ran = shell.run_line_magic("lt", "schedule run daily")
    assert "submitted from definition [daily]" in ran
    assert "MANUAL" in shell.run_line_magic("lt", "schedule runs daily")
    with pytest.raises(UsageError, match="schedule.timeZone"):
        shell.run_line_magic("lt", "schedule daily.ipynb --id other --cron '0 6 * * *' --tz Nowhere/Land")
    with pytest.raises(UsageError, match="not found"):
        shell.run_line_magic("lt", "schedule pause nope")
    assert "Deleted" in shell.run_line_magic("lt", "schedule delete daily")
