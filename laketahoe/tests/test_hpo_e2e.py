"""HPO jobs end to end: %%lt hpo, laketahoe.trials() and the CLI against the real service running real trials."""

from __future__ import annotations

import csv
import io
import math
import subprocess
import sys
import time

import pytest
from IPython.core.error import UsageError

import laketahoe
from laketahoe.display import HpoView, TrialsView

from .conftest import REPO, child_env, lt_shell, write_notebook

pytestmark = pytest.mark.e2e

# A notebook whose metric is a known function of its parameters, so a test can tell that each trial
# really ran with the values it was given.
PARAMETERS = "x = 0.0\ny = 1\nlabel = 'none'"
BODY = ("import laketahoe\n"
        "print(f'trial x={x} y={y} label={label}', flush=True)\n"
        "for step in (1, 2):\n"
        "    laketahoe.report(step=step, score=round(1 - (x - 0.3) ** 2 + y / 100 + step / 1000, 9))")
SPEC = """\
goal: MAXIMIZE
hyperparameterMetricTag: score
algorithm: RANDOM_SEARCH
maxTrials: 3
maxParallelTrials: {parallel}
params:
  - {{parameterName: x, type: DOUBLE, minValue: 0.0, maxValue: 1.0}}
  - {{parameterName: y, type: INTEGER, minValue: 1, maxValue: 5}}
"""


def expected_score(x, y):
    """The objective the notebook reports last (step 2) for these parameters."""
    return round(1 - (x - 0.3) ** 2 + y / 100 + 2 / 1000, 9)


@pytest.fixture
def shell(use_service, monkeypatch):
    """An IPython shell with the extension loaded, its cwd inside the service root."""
    work = use_service.root / "hpo_work"
    ip = lt_shell(work, monkeypatch)
    write_notebook(work / "tune.ipynb", BODY, parameters=PARAMETERS)
    return ip


def test_cell_magic_runs_trials_and_trials_frame(shell, use_service, capsys):
    view = shell.run_cell_magic("lt", "hpo tune.ipynb --job-id hpo_magic --param label='fixed'",
                                SPEC.format(parallel=2))
    assert isinstance(view, HpoView) and view["jobId"] == "hpo_magic"
    ti = view["trainingInput"]
    assert ti["notebook"]["path"] == "hpo_work/tune.ipynb"
    assert ti["notebook"]["parameters"] == {"label": "fixed"}
    assert ti["hyperparameters"]["maxTrials"] == 3 and ti["hyperparameters"]["maxParallelTrials"] == 2
    assert "Search space" in view._repr_html_()

    job = use_service.wait("hpo_magic", timeout=240)
    assert job["state"] == "SUCCEEDED", job.get("errorMessage")

    df = laketahoe.trials("hpo_magic")
    assert list(df.index) == [1, 2, 3]
    assert (df["state"] == "SUCCEEDED").all()
    assert df["objective"].notna().all() and df["trainingStep"].tolist() == [2, 2, 2]
    assert df["x"].between(0, 1).all() and df["y"].between(1, 5).all()
    for trial_id, row in df.iterrows():
        assert row["objective"] == pytest.approx(expected_score(row["x"], int(row["y"]))), trial_id
    assert (df["endTime"] >= df["startTime"]).all()

    best = laketahoe.best_trial("hpo_magic")
    assert int(best["trialId"]) == df["objective"].idxmax()

    table = shell.run_line_magic("lt", "trials hpo_magic")
    assert isinstance(table, TrialsView) and len(table) == 3
    page = table._repr_html_()
    assert page.count("jp-laketahoe-best-trial") == 1
    assert f"<td>{best['trialId']}</td>" in page.split('class="jp-laketahoe-best-trial"')[1].split("</tr>")[0]
    assert len(table.frame) == 3

    capsys.readouterr()
    shell.run_line_magic("lt", "logs hpo_magic --trial 1")
    log = capsys.readouterr().out
    assert f"trial x={df.loc[1, 'x']}" in log and "label=fixed" in log


def test_stop_lets_running_trials_finish(shell, use_service):
    # The trial holds until the test releases it, so the stop lands while exactly trial 1 runs.
    release = use_service.root / "hpo_work" / "hpo_stop.release"
    release.unlink(missing_ok=True)
    write_notebook(use_service.root / "hpo_work" / "slow.ipynb",
                   f"import os, time, laketahoe\nwhile not os.path.exists({str(release)!r}):\n    time.sleep(0.1)\n"
                   "laketahoe.report(step=1, score=x)", parameters="x = 0.0")
    shell.run_cell_magic("lt", "hpo slow.ipynb --job-id hpo_stop --max-trials 3 --parallel 1",
                         "hyperparameterMetricTag: score\nparams: [{parameterName: x, type: DOUBLE, minValue: 0, maxValue: 1}]")
    client = use_service.client()
    deadline = time.monotonic() + 120
    while [t["state"] for t in client.trials("hpo_stop")] != ["RUNNING"]:
        assert time.monotonic() < deadline, client.trials("hpo_stop")
        time.sleep(0.2)
    stopped = shell.run_line_magic("lt", "stop hpo_stop")
    assert "stopping" in repr(stopped)
    release.write_text("")
    job = use_service.wait("hpo_stop", timeout=120)
    assert job["state"] == "SUCCEEDED"
    trials = client.trials("hpo_stop")
    # The running trial finished and was kept; no new one started after the stop.
    assert [(t["trialId"], t["state"]) for t in trials] == [("1", "SUCCEEDED")]


def test_service_errors_name_the_field(shell):
    with pytest.raises(UsageError, match=r"\(field: trainingInput\.hyperparameters\.params\[0\]\.minValue\)") as info:
        shell.run_cell_magic("lt", "hpo tune.ipynb --job-id hpo_bad",
                             "params: [{parameterName: x, type: DOUBLE, minValue: 2, maxValue: 1}]")
    assert "Traceback" not in str(info.value)
    with pytest.raises(UsageError, match="hyperparameters.params\\[0\\].type"):
        shell.run_cell_magic("lt", "hpo tune.ipynb", "params: [{parameterName: x, type: REAL}]")


def cli(service, *args, cwd):
    env = child_env(LAKETAHOE_RUNTIME_FILE=str(service.runtime_file))
    env.pop("LAKETAHOE_URL", None)
    return subprocess.run([sys.executable, "-m", "laketahoe.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


def test_cli_submit_describe_and_list_trials(service):
    proj = service.root / "hpo_cli"
    (proj / "nb").mkdir(parents=True)
    write_notebook(proj / "nb" / "tune.ipynb", BODY, parameters=PARAMETERS)
    spec = SPEC.format(parallel=1)
    (proj / "hpo.yaml").write_text(
        "trainingInput:\n  scaleTier: BASIC\n  notebook:\n    path: nb/tune.ipynb\n    parameters: {label: cli}\n"
        "  hyperparameters:\n" + "".join("    " + line + "\n" for line in spec.splitlines()))
    submitted = cli(service, "jobs", "submit", "training", "hpo_cli", "--config", "hpo.yaml", cwd=proj)
    assert submitted.returncode == 0, submitted.stderr
    assert "Job [hpo_cli] submitted successfully." in submitted.stdout
    sent = service.client().get_job("hpo_cli")["trainingInput"]["hyperparameters"]
    # The spec went through as written (the service may add defaults, but changes nothing given).
    assert sent["params"][1].items() >= {"parameterName": "y", "type": "INTEGER", "minValue": 1, "maxValue": 5}.items()
    assert (sent["goal"], sent["algorithm"], sent["maxParallelTrials"]) == ("MAXIMIZE", "RANDOM_SEARCH", 1)

    job = service.wait("hpo_cli", timeout=240)
    assert job["state"] == "SUCCEEDED", job.get("errorMessage")

    listed = cli(service, "jobs", "list-trials", "hpo_cli", "--sort-by", "objective", "--format", "csv", cwd=proj)
    assert listed.returncode == 0, listed.stderr
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert len(rows) == 3 and {r["state"] for r in rows} == {"SUCCEEDED"}
    objectives = [float(r["objective"]) for r in rows]
    assert objectives == sorted(objectives, reverse=True) and not any(math.isnan(v) for v in objectives)
    for r in rows:
        assert float(r["objective"]) == pytest.approx(expected_score(float(r["x"]), int(r["y"])))
    best_id = rows[0]["trialId"]

    described = cli(service, "jobs", "describe", "hpo_cli", "--summarize", cwd=proj)
    assert described.returncode == 0, described.stderr
    summary = dict(line.split(":", 1) for line in described.stdout.splitlines())
    assert summary["trials"].strip() == "SUCCEEDED 3"
    assert summary["bestTrial"].strip() == best_id
    assert summary["bestObjective"].strip().startswith(f"score={float(rows[0]['objective']):g}")
    assert f"x={float(rows[0]['x']):g}" in summary["bestHyperparameters"]

    table = cli(service, "jobs", "list-trials", "hpo_cli", cwd=proj)
    assert table.stdout.splitlines()[0].split()[:3] == ["TRIAL_ID", "STATE", "OBJECTIVE"]
    assert [line.split()[0] for line in table.stdout.splitlines()[1:]] == ["1", "2", "3"]

    not_hpo = cli(service, "jobs", "stop", "no_such_hpo_job", cwd=proj)
    assert not_hpo.returncode == 1 and not_hpo.stderr.startswith("ERROR: (laketahoe)")


def build_example_trainer(dest) -> str:
    """Build examples/trainer_pkg as an sdist under ``dest``; returns the archive's file name."""
    built = subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(dest),
                            str(REPO / "examples" / "trainer_pkg")], capture_output=True, text=True, timeout=180)
    assert built.returncode == 0, built.stderr[-3000:]
    (archive,) = [p.name for p in dest.glob("trainer-*.tar.gz")]
    return archive


def wine_accuracy(n_estimators: int, max_depth: int) -> float:
    """What examples/trainer_pkg's trainer reports for these arguments (it is deterministic)."""
    from sklearn.datasets import load_wine
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import cross_val_score

    features, labels = load_wine(return_X_y=True)
    model = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth, random_state=0)
    return cross_val_score(model, features, labels, cv=3).mean()


def test_module_form_trials_get_values_as_arguments(use_service):
    dist = use_service.root / "hpo_module" / "dist"
    dist.mkdir(parents=True)
    archive = build_example_trainer(dist)
    client = use_service.client()
    client.submit_job("hpo_module", {
        "scaleTier": "BASIC",
        "pythonModule": "trainer.task",
        "packageUris": [f"hpo_module/dist/{archive}"],
        # Fixed for every trial; the suggested values come after it.
        "args": ["--max-depth", "3"],
        "hyperparameters": {
            "goal": "MAXIMIZE", "hyperparameterMetricTag": "accuracy", "algorithm": "GRID_SEARCH",
            "maxTrials": 2, "maxParallelTrials": 2,
            "params": [{"parameterName": "n_estimators", "type": "DISCRETE", "discreteValues": [2, 7]}],
        },
    })
    job = use_service.wait("hpo_module", timeout=240)
    assert job["state"] == "SUCCEEDED", job.get("errorMessage")

    trials = client.trials("hpo_module")
    assert sorted(t["hyperparameters"]["n_estimators"] for t in trials) == [2, 7]
    for trial in trials:
        n_estimators = int(trial["hyperparameters"]["n_estimators"])
        assert trial["state"] == "SUCCEEDED", trial.get("errorMessage")
        # The trainer reports at step n_estimators, and its accuracy is that of these exact arguments.
        assert trial["finalMetric"]["trainingStep"] == n_estimators
        assert trial["finalMetric"]["objectiveValue"] == pytest.approx(wine_accuracy(n_estimators, 3))
        log = "\n".join(line["text"] for line in client.all_trial_logs("hpo_module", trial["trialId"]))
        assert "cross-validated accuracy" in log
    best = laketahoe.best_trial("hpo_module", client=client)
    assert best["finalMetric"]["objectiveValue"] == max(t["finalMetric"]["objectiveValue"] for t in trials)


# Each step takes a second, so a trial stopped at the first rung reports far fewer steps than the last one.
ASHA_STEPS = 8
ASHA_BODY = ("import time, laketahoe\n"
             f"for step in range(1, {ASHA_STEPS + 1}):\n"
             "    laketahoe.report(step=step, loss=x + 1 / step)\n"
             "    time.sleep(1)")


def test_asha_stops_unpromising_trials_and_the_job_completes(shell, use_service):
    write_notebook(use_service.root / "hpo_work" / "curve.ipynb", ASHA_BODY, parameters="x = 0")
    # Grid order runs x = 1, 2, 3 one after the other; minimizing, each later trial is worse than
    # the first at the first rung (step 1), and ASHA keeps only the top 1/2 there.
    shell.run_cell_magic("lt", "hpo curve.ipynb --job-id hpo_asha", """\
goal: MINIMIZE
hyperparameterMetricTag: loss
algorithm: GRID_SEARCH
maxTrials: 3
maxParallelTrials: 1
enableTrialEarlyStopping: true
earlyStopping: {kind: asha, minStep: 1, reductionFactor: 2}
params: [{parameterName: x, type: DISCRETE, discreteValues: [1, 2, 3]}]
""")
    job = use_service.wait("hpo_asha", timeout=240)
    assert job["state"] == "SUCCEEDED", job.get("errorMessage")

    trials = {int(t["trialId"]): t for t in use_service.client().trials("hpo_asha")}
    assert [trials[i]["hyperparameters"]["x"] for i in (1, 2, 3)] == [1, 2, 3]
    assert all(t["state"] == "SUCCEEDED" for t in trials.values())
    first = trials[1]
    assert not first.get("isTrialStoppedEarly")
    assert first["finalMetric"]["trainingStep"] == ASHA_STEPS
    for i in (2, 3):
        stopped = trials[i]
        assert stopped.get("isTrialStoppedEarly") is True, stopped
        assert max(m["trainingStep"] for m in stopped["allMetrics"]) < ASHA_STEPS
    best = laketahoe.best_trial("hpo_asha")
    assert int(best["trialId"]) == 1
    assert laketahoe.trials("hpo_asha")["isTrialStoppedEarly"].tolist() == [False, True, True]
