"""HPO on the kernel/CLI side without the service: YAML specs, trials as rows and DataFrames, summaries."""

from __future__ import annotations

import math
import os
import textwrap

import pytest
import yaml

from laketahoe import display, hpo
from laketahoe.client import Client
from laketahoe.hpo import SpecFieldError
from laketahoe.jobspec import JobSpecError, load_job_file

from .conftest import need_module
from .test_client import stub  # noqa: F401  (fixture)

SPEC = {
    "goal": "MAXIMIZE",
    "hyperparameterMetricTag": "accuracy",
    "maxTrials": 4,
    "maxParallelTrials": 2,
    "params": [
        {"parameterName": "n_estimators", "type": "INTEGER", "minValue": 10, "maxValue": 200,
         "scaleType": "UNIT_LOG_SCALE"},
        {"parameterName": "lr", "type": "DOUBLE", "minValue": 0.001, "maxValue": 0.1},
        {"parameterName": "criterion", "type": "CATEGORICAL", "categoricalValues": ["gini", "entropy"]},
    ],
}


def _trial(tid, state, value=None, step=None, start=None, end=None, early=False, **hp):
    return {"jobId": "h", "trialId": str(tid), "state": state, "hyperparameters": hp,
            "finalMetric": None if value is None else {"trainingStep": step, "objectiveValue": value},
            "allMetrics": [], "isTrialStoppedEarly": early, "startTime": start, "endTime": end, "errorMessage": ""}


# Trial ids as the service writes them: strings, and "10" must sort after "2".
TRIALS = [
    _trial(10, "RUNNING", start="2026-11-29T01:05:00.000Z", n_estimators=30, lr=0.01, criterion="gini"),
    _trial(1, "SUCCEEDED", 0.91, 50, "2026-11-29T01:00:00.000Z", "2026-11-29T01:01:30.000Z",
           n_estimators=50, lr=0.05, criterion="gini"),
    _trial(2, "SUCCEEDED", 0.97, 120, "2026-11-29T01:00:00.000Z", "2026-11-29T01:02:00.000Z",
           n_estimators=120, lr=0.002, criterion="entropy"),
    _trial(3, "FAILED", None, None, "2026-11-29T01:01:30.000Z", "2026-11-29T01:01:40.000Z",
           n_estimators=11, lr=0.1, criterion="gini"),
    _trial(4, "SUCCEEDED", 0.95, 20, "2026-11-29T01:02:00.000Z", "2026-11-29T01:02:30.000Z", early=True,
           n_estimators=99, lr=0.02, criterion="entropy"),
]


# ---------------------------------------------------------------------------
# YAML: both forms, and errors that name the field


def test_full_document_form_passes_the_spec_through():
    doc = {"jobId": "from_file", "labels": {"team": "a"},
           "trainingInput": {"scaleTier": "BASIC", "notebook": {"path": "t.ipynb"}, "hyperparameters": SPEC}}
    job_id, ti, labels = hpo.parse_hpo_document(doc, "hpo.yaml")
    assert (job_id, labels) == ("from_file", {"team": "a"})
    assert ti["hyperparameters"] == SPEC and ti["hyperparameters"] is not SPEC
    assert ti["scaleTier"] == "BASIC" and ti["notebook"] == {"path": "t.ipynb"}


@pytest.mark.parametrize("text", [
    yaml.safe_dump(SPEC),                          # bare spec, as a %%lt hpo cell body usually is
    yaml.safe_dump({"hyperparameters": SPEC}),     # under a hyperparameters: key
])
def test_spec_only_forms(text):
    job_id, ti, labels = hpo.parse_hpo_yaml(text)
    assert job_id is None and labels == {}
    assert ti == {"hyperparameters": SPEC}


def test_yaml_1_1_numbers_without_a_dot_are_read_as_numbers():
    text = textwrap.dedent("""\
        params:
          - {parameterName: lr, type: DOUBLE, minValue: 1e-4, maxValue: 1e-1, scaleType: UNIT_LOG_SCALE}
          - {parameterName: bs, type: DISCRETE, discreteValues: [16, 3.2e1, 64]}
          - {parameterName: name, type: CATEGORICAL, categoricalValues: ["1e3", "b"]}
    """)
    params = hpo.parse_hpo_yaml(text)[1]["hyperparameters"]["params"]
    assert (params[0]["minValue"], params[0]["maxValue"]) == (1e-4, 1e-1)
    assert params[1]["discreteValues"] == [16, 32.0, 64]
    # Categorical values are strings by definition: untouched.
    assert params[2]["categoricalValues"] == ["1e3", "b"]


@pytest.mark.parametrize("text, field, words", [
    ("[1, 2]", "(document)", "must be a mapping"),
    ("trainingInput:\n  scaleTier: BASIC\n", "trainingInput.hyperparameters", "is missing"),
    ("trainingInput:\n  hyperparameters: [1]\n", "trainingInput.hyperparameters", "must be a mapping"),
    ("hyperparameters: {params: []}\n", "hyperparameters.params", "non-empty list"),
    ("hyperparameters: {params: [{parameterName: a, type: INTEGER}]}\nscaleTier: BASIC\n", "scaleTier",
     "put job settings under trainingInput"),
    ("goal: MAXIMISE\nparams: [{parameterName: a, type: INTEGER}]\n", "hyperparameters.goal", "MAXIMIZE"),
    ("maxTrial: 3\nparams: [{parameterName: a, type: INTEGER}]\n", "maxTrial", "did you mean maxTrials?"),
    ("maxTrials: 0\nparams: [{parameterName: a, type: INTEGER}]\n", "hyperparameters.maxTrials", "integer >= 1"),
    ("maxParallelTrials: true\nparams: [{parameterName: a, type: INTEGER}]\n", "hyperparameters.maxParallelTrials",
     "integer >= 1"),
    ("enableTrialEarlyStopping: 'yes'\nparams: [{parameterName: a, type: INTEGER}]\n",
     "hyperparameters.enableTrialEarlyStopping", "true or false"),
    ("earlyStopping: {kind: hyperband}\nparams: [{parameterName: a, type: INTEGER}]\n",
     "hyperparameters.earlyStopping.kind", "median, asha"),
    ("params: [{parameterName: a, type: INTEGER}, {parameterName: b, type: FLOAT}]\n",
     "hyperparameters.params[1].type", "DOUBLE, INTEGER"),
    ("params: [{parameterName: 'n-trees', type: INTEGER}]\n", "hyperparameters.params[0].parameterName",
     "Python identifier"),
    ("params: [{parameterName: a, type: INTEGER, minValu: 1}]\n", "hyperparameters.params[0].minValu",
     "did you mean minValue?"),
    ("params: [{parameterName: a, type: INTEGER}, {parameterName: a, type: DOUBLE}]\n",
     "hyperparameters.params[1].parameterName", "duplicates params[0]"),
    ("params: [a]\n", "hyperparameters.params[0]", "must be a mapping"),
])
def test_spec_errors_name_the_field(text, field, words):
    with pytest.raises(SpecFieldError) as info:
        hpo.parse_hpo_yaml(text, "hpo.yaml")
    assert info.value.field == field
    assert str(info.value).startswith(f"hpo.yaml: {field} ") and words in str(info.value)


def test_invalid_yaml_is_a_spec_error():
    with pytest.raises(JobSpecError, match="<cell>: not valid YAML"):
        hpo.parse_hpo_yaml("params: [unclosed")


def _to_root(root):
    return lambda path, base: os.path.relpath(os.path.join(base, path), root).replace(os.sep, "/")


def test_hpo_file_paths_are_relative_to_the_file(tmp_path):
    (tmp_path / "exp").mkdir()
    path = tmp_path / "exp" / "hpo.yaml"
    path.write_text(yaml.safe_dump({"trainingInput": {"notebook": {"path": "nb/t.ipynb", "parameters": {"x": 1}},
                                                      "hyperparameters": SPEC}}))
    _, ti, _ = hpo.load_hpo_file(str(path), _to_root(str(tmp_path)))
    assert ti["notebook"] == {"path": "exp/nb/t.ipynb", "parameters": {"x": 1}}
    assert ti["hyperparameters"] == SPEC
    with pytest.raises(JobSpecError, match="HPO config not found: nope.yaml"):
        hpo.load_hpo_file("nope.yaml", _to_root(str(tmp_path)))


def test_example_hpo_yaml_is_a_valid_job_file_for_the_demo():
    here = os.path.dirname(os.path.abspath(__file__))
    examples = os.path.join(here, "..", "..", "examples")
    root = os.path.dirname(os.path.abspath(examples))
    # The CLI reads it as a job file; the magic as an HPO file: both must agree.
    _, ti, _ = load_job_file(os.path.join(examples, "hpo.yaml"), _to_root(root))
    _, ti2, _ = hpo.load_hpo_file(os.path.join(examples, "hpo.yaml"), _to_root(root))
    assert ti == ti2
    assert ti["notebook"]["path"] == "examples/demo.ipynb"
    spec = hpo.check_hyperparameters(ti["hyperparameters"])
    assert spec == ti["hyperparameters"]
    assert (spec["goal"], spec["hyperparameterMetricTag"], spec["maxTrials"], spec["maxParallelTrials"]) == \
        ("MAXIMIZE", "accuracy", 8, 2)
    assert spec["enableTrialEarlyStopping"] is True
    assert {p["parameterName"] for p in spec["params"]} <= {"n_estimators", "max_depth", "test_size", "seed"}


def test_options_on_top_of_a_spec():
    ti = {"hyperparameters": SPEC, "notebook": {"path": "a.ipynb", "parameters": {"seed": 0}}}
    out = hpo.apply_hpo_options(ti, notebook="b.ipynb", parameters={"epochs": 3}, max_trials=6, parallel=3,
                                scale_tier="BASIC", priority="low")
    assert out["notebook"] == {"path": "b.ipynb", "parameters": {"seed": 0, "epochs": 3}}
    assert (out["hyperparameters"]["maxTrials"], out["hyperparameters"]["maxParallelTrials"]) == (6, 3)
    assert (out["scaleTier"], out["priority"]) == ("BASIC", "low")
    assert ti["hyperparameters"]["maxTrials"] == 4  # the input is not modified
    with pytest.raises(JobSpecError, match=r"--param lr: lr is tuned \(hyperparameters.params\[1\]\)"):
        hpo.apply_hpo_options(ti, parameters={"lr": 0.1})
    with pytest.raises(JobSpecError, match=r"--parallel 5 exceeds maxTrials \(4\)"):
        hpo.apply_hpo_options(ti, parallel=5)
    with pytest.raises(JobSpecError, match="--max-trials must be at least 1"):
        hpo.apply_hpo_options(ti, max_trials=0)
    with pytest.raises(JobSpecError, match="runs no notebook"):
        hpo.apply_hpo_options({"hyperparameters": SPEC, "pythonModule": "m"}, parameters={"x": 1})
    assert hpo.needs_notebook({"hyperparameters": SPEC})
    assert not hpo.needs_notebook(ti)


# ---------------------------------------------------------------------------
# Trials: rows, DataFrame, best trial


def test_best_trial_and_sorting_follow_the_goal():
    assert hpo.pick_best(TRIALS, "MAXIMIZE")["trialId"] == "2"
    assert hpo.pick_best(TRIALS, "MINIMIZE")["trialId"] == "1"
    assert [t["trialId"] for t in hpo.sort_trials(TRIALS, "MAXIMIZE")] == ["2", "4", "1", "3", "10"]
    assert [t["trialId"] for t in hpo.sort_trials(TRIALS, "MINIMIZE")] == ["1", "4", "2", "3", "10"]
    assert hpo.pick_best([TRIALS[0], TRIALS[3]]) is None
    # The service's choice wins when it made one.
    job = {"trainingInput": {"hyperparameters": SPEC}, "trainingOutput": {"bestTrial": TRIALS[4]}}
    assert hpo.best_of_job(job, TRIALS)["trialId"] == "4"
    assert hpo.best_of_job({"trainingInput": {"hyperparameters": SPEC}}, TRIALS)["trialId"] == "2"


def test_trials_frame_types_index_and_columns():
    pd = need_module("pandas")
    df = hpo.trials_frame(TRIALS, SPEC)
    assert list(df.index) == [1, 2, 3, 4, 10]
    assert df.index.name == "trialId" and df.index.dtype == "int64"
    assert list(df.columns) == ["state", "objective", "trainingStep", "isTrialStoppedEarly", "startTime", "endTime",
                                "duration", "n_estimators", "lr", "criterion"]
    assert df.loc[2, "objective"] == 0.97 and df["objective"].dtype == "float64"
    # Missing metrics are NaN / <NA>, not errors.
    assert math.isnan(df.loc[3, "objective"]) and math.isnan(df.loc[10, "objective"])
    assert df["trainingStep"].dtype == "Int64" and pd.isna(df.loc[3, "trainingStep"])
    assert df.loc[2, "trainingStep"] == 120
    assert df["isTrialStoppedEarly"].dtype == bool and df.loc[4, "isTrialStoppedEarly"]
    assert str(df["startTime"].dtype).startswith("datetime64") and str(df["startTime"].dt.tz) == "UTC"
    assert df.loc[1, "startTime"] == pd.Timestamp("2026-11-29T01:00:00Z")
    assert pd.isna(df.loc[10, "endTime"])
    assert df.loc[1, "duration"] == pd.Timedelta(seconds=90) and pd.isna(df.loc[10, "duration"])
    assert df["n_estimators"].dtype == "Int64" and df.loc[2, "n_estimators"] == 120
    assert df["lr"].dtype == "float64" and df["criterion"].tolist() == ["gini", "entropy", "gini", "entropy", "gini"]
    # What a user does next: the best row by the goal.
    assert df["objective"].idxmax() == 2
    assert df.query("state == 'SUCCEEDED'").shape[0] == 3


def test_trials_frame_without_spec_and_empty():
    pd = need_module("pandas")
    trials = [_trial(1, "SUCCEEDED", 0.5, 1, state_x=1), _trial(2, "QUEUED", duration=3.5)]
    df = hpo.trials_frame(trials)
    # A parameter named like a fixed column gets a prefix instead of replacing it.
    assert list(df.columns)[-2:] == ["state_x", "hp_duration"]
    assert df.loc[2, "hp_duration"] == 3.5 and pd.isna(df.loc[2, "duration"])
    empty = hpo.trials_frame([], SPEC)
    assert len(empty) == 0 and list(empty.columns)[:2] == ["state", "objective"]
    assert list(empty.columns)[-3:] == ["n_estimators", "lr", "criterion"]


def test_trials_dataframe_without_pandas_is_a_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match="pip install pandas"):
        hpo.trials_dataframe("h", client=object())


def test_client_trials_follow_pages_and_feed_the_frame(stub):  # noqa: F811
    need_module("pandas")
    import laketahoe

    pages = {None: {"trials": TRIALS[:2], "nextPageToken": "p2"}, "p2": {"trials": TRIALS[2:]}}
    stub.routes[("GET", "/api/v1/jobs/h/trials")] = (200, lambda q: pages[q.get("pageToken", [None])[0]])
    stub.routes[("GET", "/api/v1/jobs/h")] = (200, {"jobId": "h", "trainingInput": {"hyperparameters": SPEC}})
    stub.routes[("GET", "/api/v1/jobs/h/trials/2")] = (200, TRIALS[2])
    stub.routes[("POST", "/api/v1/jobs/h/stop")] = (200, {"jobId": "h", "state": "RUNNING"})
    stub.routes[("GET", "/api/v1/jobs/h/trials/2/logs")] = (
        200, lambda q: {"lines": [] if q.get("after") else [{"seq": 1, "stream": "stdout", "text": "hi"}], "nextSeq": 1})
    client = Client(url=stub.url, token="t")
    assert [t["trialId"] for t in client.trials("h")] == ["10", "1", "2", "3", "4"]
    assert client.get_trial("h", 2)["trialId"] == "2"
    assert client.stop_job("h")["state"] == "RUNNING"
    assert [line["text"] for line in client.all_trial_logs("h", "2")] == ["hi"]
    df = laketahoe.trials("h", client=client)
    assert list(df.index) == [1, 2, 3, 4, 10]
    assert laketahoe.best_trial("h", client=client)["trialId"] == "2"
    client.trials("h", state="SUCCEEDED")
    assert stub.requests[-1]["query"]["state"] == ["SUCCEEDED"]


# ---------------------------------------------------------------------------
# Summaries and tables


JOB = {
    "jobId": "hpo_demo", "state": "RUNNING", "owner": "me", "createTime": "2026-11-29T01:00:00.000Z",
    "trainingInput": {"scaleTier": "BASIC", "notebook": {"path": "t.ipynb", "parameters": {}},
                      "hyperparameters": SPEC},
    "trainingOutput": {"isHyperparameterTuningJob": True, "hyperparameterMetricTag": "accuracy",
                       "completedTrialCount": 3, "trialCounts": {"SUCCEEDED": 2, "FAILED": 1, "RUNNING": 2},
                       "bestTrial": TRIALS[2]},
}


def test_describe_summary_of_an_hpo_job():
    text = display.job_text(JOB)
    lines = dict(line.split(":", 1) for line in text.splitlines())
    assert lines["progress"].strip() == "3/4 trials"
    assert lines["goal"].strip() == "MAXIMIZE accuracy"
    assert lines["trials"].strip() == "SUCCEEDED 2, FAILED 1, RUNNING 2"
    assert lines["bestTrial"].strip() == "2"
    assert lines["bestObjective"].strip() == "accuracy=0.97 at step 120"
    assert lines["bestHyperparameters"].strip() == "n_estimators=120, lr=0.002, criterion=entropy"
    # Without the service's counts and best trial, they come from the trials.
    bare = {**JOB, "trainingOutput": {"isHyperparameterTuningJob": True}}
    text = display.job_text(bare, trials=TRIALS)
    assert "SUCCEEDED 3, FAILED 1, RUNNING 1" in text and "bestTrial:" in text
    assert "bestTrial:  none yet" in display.job_text(bare)
    assert display.progress_text(JOB) == "3/4 trials"


def test_trials_table_csv_and_html():
    text = display.trials_text(TRIALS, SPEC, sort_by="objective")
    lines = text.splitlines()
    assert lines[0].split() == ["TRIAL_ID", "STATE", "OBJECTIVE", "TRAINING_STEP", "STOPPED_EARLY", "START_TIME",
                                "END_TIME", "DURATION", "N_ESTIMATORS", "LR", "CRITERION"]
    assert [line.split()[0] for line in lines[1:]] == ["2", "4", "1", "3", "10"]
    assert "0:01:30" in lines[3]
    assert [line.split()[0] for line in display.trials_text(TRIALS, SPEC).splitlines()[1:]] == \
        ["1", "2", "3", "4", "10"]
    assert display.trials_text([], SPEC) == "Listed 0 items."

    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(display.trials_csv(TRIALS, SPEC, sort_by="objective"))))
    assert rows[0]["trialId"] == "2" and float(rows[0]["objective"]) == 0.97
    assert rows[0]["startTime"] == "2026-11-29T01:00:00.000Z" and rows[0]["duration"] == "120"
    assert rows[3]["objective"] == "" and rows[3]["isTrialStoppedEarly"] == "false"
    with pytest.raises(JobSpecError, match="no column 'speed'"):
        display.trials_csv(TRIALS, SPEC, sort_by="speed")

    view = display.TrialsView(JOB, TRIALS)
    page = view._repr_html_()
    assert page.count("jp-laketahoe-best-trial") == 1
    best_row = page.split('class="jp-laketahoe-best-trial"')[1].split("</tr>")[0]
    assert "<td>2</td>" in best_row and "0.97" in best_row
    assert page.index("<td>2</td>") < page.index("<td>4</td>") < page.index("<td>1</td>")
    assert "maximize accuracy" in page and "hpo_demo" in page
    assert repr(view).splitlines()[1].startswith("2 ")
    assert "n_estimators" in display.HpoView(JOB, note="Submitted")._repr_html_()


# ---------------------------------------------------------------------------
# The magics over a client that records what it would send


class _RecordingClient(Client):
    """A client whose root is a temp folder and whose requests are recorded, not sent."""

    def __init__(self, root):
        super().__init__(url="http://127.0.0.1:9", token="t", root_dir=str(root))
        self.sent = []

    def submit_job(self, job_id, training_input, labels=None):
        self.sent.append({"jobId": job_id, "trainingInput": training_input, "labels": labels})
        return {"jobId": job_id or "generated_1", "state": "QUEUED", "trainingInput": training_input}


@pytest.fixture
def magics(tmp_path, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    from laketahoe.magics import LakeTahoeMagics

    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "train.ipynb").write_text("{}")
    monkeypatch.chdir(tmp_path / "work")
    client = _RecordingClient(tmp_path)
    ip = InteractiveShell.instance()
    ip.register_magics(LakeTahoeMagics(ip, client_factory=lambda: client))
    return ip, client


BARE = "goal: MINIMIZE\nhyperparameterMetricTag: loss\nmaxTrials: 3\nparams:\n" \
       "  - {parameterName: lr, type: DOUBLE, minValue: 1e-4, maxValue: 0.1, scaleType: UNIT_LOG_SCALE}\n"


def test_cell_magic_takes_either_form(magics):
    from laketahoe.display import HpoView

    ip, client = magics
    view = ip.run_cell_magic("lt", "hpo train.ipynb --job-id j1 --parallel 2 -p epochs=3", BARE)
    assert isinstance(view, HpoView)
    sent = client.sent[-1]
    assert sent["jobId"] == "j1"
    assert sent["trainingInput"]["notebook"] == {"path": "work/train.ipynb", "parameters": {"epochs": 3}}
    spec = sent["trainingInput"]["hyperparameters"]
    assert (spec["goal"], spec["maxTrials"], spec["maxParallelTrials"]) == ("MINIMIZE", 3, 2)
    assert spec["params"][0]["minValue"] == 1e-4
    assert "3 trials of work/train.ipynb, 2 at a time, to minimize loss" in repr(view)

    ip.run_cell_magic("lt", "hpo train.ipynb", "hyperparameters:\n" + textwrap.indent(BARE, "  "))
    assert client.sent[-1]["trainingInput"]["hyperparameters"] == hpo.parse_hpo_yaml(BARE)[1]["hyperparameters"]

    # A full document names its notebook, relative to the kernel's cwd, and may carry the job id.
    full = ("jobId: j3\ntrainingInput:\n  scaleTier: BASIC\n  notebook: {path: train.ipynb}\n"
            "  hyperparameters:\n" + textwrap.indent(BARE, "    "))
    ip.run_cell_magic("lt", "hpo --max-trials 5", full)
    sent = client.sent[-1]
    assert sent["jobId"] == "j3" and sent["trainingInput"]["notebook"]["path"] == "work/train.ipynb"
    assert sent["trainingInput"]["hyperparameters"]["maxTrials"] == 5


def test_line_magic_reads_a_config_file(magics, tmp_path):
    ip, client = magics
    (tmp_path / "work" / "hpo.yaml").write_text(BARE)
    ip.run_line_magic("lt", "hpo --config hpo.yaml train.ipynb --job-id j4")
    assert client.sent[-1]["trainingInput"]["hyperparameters"]["hyperparameterMetricTag"] == "loss"


def test_magic_errors_are_usage_errors_naming_the_field(magics, monkeypatch, tmp_path):
    from IPython.core.error import UsageError

    ip, client = magics
    cases = [
        (("hpo train.ipynb", BARE.replace("MINIMIZE", "LOWER")), "%%lt hpo: hyperparameters.goal must be one of"),
        (("hpo train.ipynb", BARE.replace("DOUBLE", "FLOAT")), r"hyperparameters.params\[0\].type"),
        (("hpo train.ipynb", BARE + "maxTrails: 4\n"), "did you mean maxTrials"),
        (("hpo train.ipynb", "params: [oops"), "not valid YAML"),
        (("hpo train.ipynb", "   \n"), "cell body is empty"),
        (("hpo train.ipynb --config x.yaml", BARE), "drop --config"),
        (("hpo train.ipynb -p lr=0.1", BARE), r"--param lr: lr is tuned"),
        (("hpo train.ipynb --parallel 4", BARE), r"--parallel 4 exceeds maxTrials \(3\)"),
        (("hpo missing.ipynb", BARE), "notebook not found: missing.ipynb"),
        (("hpo", BARE), "cannot tell which notebook"),
        (("jobs", "x"), "only %%lt hpo takes a cell body"),
    ]
    for (line, cell), pattern in cases:
        with pytest.raises(UsageError, match=pattern) as info:
            ip.run_cell_magic("lt", line, cell)
        assert "Traceback" not in str(info.value)
    with pytest.raises(UsageError, match="give --config"):
        ip.run_line_magic("lt", "hpo train.ipynb")
    with pytest.raises(UsageError, match="HPO config not found: nope.yaml"):
        ip.run_line_magic("lt", "hpo --config nope.yaml train.ipynb")
    assert client.sent == []
    # The current notebook is the default, as for %lt submit.
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "work" / "train.ipynb"))
    ip.run_cell_magic("lt", "hpo", BARE)
    assert client.sent[-1]["trainingInput"]["notebook"]["path"] == "work/train.ipynb"
