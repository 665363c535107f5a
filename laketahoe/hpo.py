"""Hyperparameter tuning (HPO) jobs on the kernel and CLI side.

Three things live here, all free of IPython so that they are unit-testable:

* reading an HPO spec from YAML, in either of two forms (see :func:`parse_hpo_document`);
* turning trials (the service's ``Trial`` objects) into rows, a pandas DataFrame, and the best trial;
* the plain functions behind ``laketahoe.trials()`` and ``laketahoe.best_trial()``.

The service validates the spec in full and names the field it blames; the
checks here only catch what would otherwise give a confusing answer (a wrong
document shape, a misspelt key, a value of the wrong kind), before anything is
submitted.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import math
import os
from typing import Any, Callable

from . import _wire
from .jobspec import JobSpecError, _read_spec_file, rebase_training_input, safe_load_yaml

# Allowed values and field names come from the service's OpenAPI document (see _wire.py).
GOALS = _wire.HPO_GOALS
ALGORITHMS = _wire.HPO_ALGORITHMS
METRIC_SELECTIONS = _wire.METRIC_SELECTIONS
PARAM_TYPES = _wire.PARAMETER_TYPES
SCALE_TYPES = _wire.SCALE_TYPES
EARLY_STOPPING_KINDS = _wire.EARLY_STOPPING_KINDS

SPEC_KEYS = _wire.HYPERPARAMETER_FIELDS
PARAM_KEYS = _wire.PARAMETER_FIELDS

# Columns of the trials table before the hyperparameters; a parameter with one of these names gets a prefix.
FIXED_COLUMNS = ("state", "objective", "trainingStep", "isTrialStoppedEarly", "startTime", "endTime", "duration")
# States in which a trial's objective is final: the candidates for the best trial.
_FINAL_STATES = frozenset({"SUCCEEDED"})


class SpecFieldError(JobSpecError):
    """An HPO spec problem tied to one field; ``field`` is its dotted path."""

    def __init__(self, source: str, field: str, message: str):
        self.source = source
        self.field = field
        self.problem = message
        super().__init__(f"{source}: {field} {message}" if source else f"{field} {message}")


# --------------------------------------------------------------------------
# Reading the spec


def _suggest(key: str, known) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f"; did you mean {close[0]}?" if close else ""


def _is_int(value: Any) -> bool:
    # YAML `true` is a bool, and bool is an int to Python: not what a count means.
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> Any:
    """A YAML 1.1 float written without a dot (``1e-3``) loads as a string; read it as the number it is."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        if math.isfinite(number):
            return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    return value


def check_hyperparameters(spec: Any, field: str = "trainingInput.hyperparameters", source: str = "") -> dict:
    """Check the shape of a ``hyperparameters`` spec; return a normalized copy.

    Raises :class:`SpecFieldError` naming the first offending field (``field``
    is the dotted path of the spec itself). The only change made is reading
    number-like strings in ``minValue``/``maxValue``/``discreteValues`` as
    numbers; everything else passes through untouched.
    """
    def fail(sub: str, message: str):
        raise SpecFieldError(source, f"{field}.{sub}" if sub else field, message)

    if not isinstance(spec, dict):
        fail("", "must be a mapping (goal, hyperparameterMetricTag, maxTrials, params, ...)")
    spec = copy.deepcopy(spec)
    for key in spec:
        if key not in SPEC_KEYS:
            fail(str(key), "is not a hyperparameters field" + _suggest(str(key), SPEC_KEYS))
    for key, allowed in (("goal", GOALS), ("algorithm", ALGORITHMS), ("metricSelection", METRIC_SELECTIONS)):
        if key in spec and spec[key] not in allowed:
            fail(key, f"must be one of {', '.join(allowed)} (got {spec[key]!r})")
    tag = spec.get("hyperparameterMetricTag")
    if tag is not None and (not isinstance(tag, str) or not tag.strip()):
        fail("hyperparameterMetricTag", "must be the name of a metric passed to laketahoe.report()")
    for key, low in (("maxTrials", 1), ("maxParallelTrials", 1), ("maxFailedTrials", 0)):
        if key in spec and (not _is_int(spec[key]) or spec[key] < low):
            fail(key, f"must be an integer >= {low} (got {spec[key]!r})")
    if "enableTrialEarlyStopping" in spec and not isinstance(spec["enableTrialEarlyStopping"], bool):
        fail("enableTrialEarlyStopping", f"must be true or false (got {spec['enableTrialEarlyStopping']!r})")
    early = spec.get("earlyStopping")
    if early is not None:
        if not isinstance(early, dict):
            fail("earlyStopping", "must be a mapping such as {kind: median, minStep: 2}")
        if "kind" in early and early["kind"] not in EARLY_STOPPING_KINDS:
            fail("earlyStopping.kind", f"must be one of {', '.join(EARLY_STOPPING_KINDS)} (got {early['kind']!r})")

    params = spec.get("params")
    if not isinstance(params, list) or not params:
        fail("params", "must be a non-empty list of parameters (parameterName, type, ...)")
    for i, param in enumerate(params):
        where = f"params[{i}]"
        if not isinstance(param, dict):
            fail(where, "must be a mapping with parameterName and type")
        for key in param:
            if key not in PARAM_KEYS:
                fail(f"{where}.{key}", "is not a parameter field" + _suggest(str(key), PARAM_KEYS))
        name = param.get("parameterName")
        if not isinstance(name, str) or not name.isidentifier():
            fail(f"{where}.parameterName", f"must be a Python identifier, the notebook variable it sets (got {name!r})")
        if param.get("type") not in PARAM_TYPES:
            fail(f"{where}.type", f"must be one of {', '.join(PARAM_TYPES)} (got {param.get('type')!r})")
        if "scaleType" in param and param["scaleType"] not in SCALE_TYPES:
            fail(f"{where}.scaleType", f"must be one of {', '.join(SCALE_TYPES)} (got {param['scaleType']!r})")
        for key in ("minValue", "maxValue"):
            if key in param:
                param[key] = _number(param[key])
        if isinstance(param.get("discreteValues"), list):
            param["discreteValues"] = [_number(v) for v in param["discreteValues"]]
    names = [p["parameterName"] for p in params]
    for i, name in enumerate(names):
        if name in names[:i]:
            fail(f"params[{i}].parameterName", f"duplicates params[{names.index(name)}] ({name!r})")
    return spec


def parse_hpo_document(doc: Any, source: str = "") -> tuple[str | None, dict, dict]:
    """Read an HPO document in either accepted form; return (jobId or None, trainingInput, labels).

    The two forms:

    * a full job document, as for ``laketahoe jobs submit training --config``::

        trainingInput:
          scaleTier: BASIC
          notebook: {path: train.ipynb}
          hyperparameters: {goal: MAXIMIZE, hyperparameterMetricTag: accuracy, params: [...]}

    * only the hyperparameters spec, either under a ``hyperparameters:`` key or
      bare (its fields at the top level)::

        goal: MAXIMIZE
        hyperparameterMetricTag: accuracy
        params: [...]

    Local paths are not rebased here; :func:`load_hpo_file` does that for files.
    """
    def fail(field: str, message: str):
        raise SpecFieldError(source, field, message)

    if not isinstance(doc, dict) or not doc:
        fail("(document)", "must be a mapping: a trainingInput document or a hyperparameters spec")
    job_id, labels = doc.get("jobId"), doc.get("labels") or {}
    if "trainingInput" in doc:
        ti = doc["trainingInput"]
        if not isinstance(ti, dict):
            fail("trainingInput", "must be a mapping")
        ti = dict(ti)
        if "notebook" in doc and "notebook" not in ti:
            ti["notebook"] = doc["notebook"]
        if "hyperparameters" not in ti:
            fail("trainingInput.hyperparameters", "is missing: an HPO job needs a hyperparameters spec")
        ti["hyperparameters"] = check_hyperparameters(ti["hyperparameters"], "trainingInput.hyperparameters", source)
        return job_id, ti, labels
    if "hyperparameters" in doc:
        extra = [k for k in doc if k not in ("hyperparameters", "jobId", "labels", "notebook")]
        if extra:
            fail(str(extra[0]), "is not allowed next to hyperparameters; put job settings under trainingInput")
        ti = {"hyperparameters": check_hyperparameters(doc["hyperparameters"], "hyperparameters", source)}
        if "notebook" in doc:
            ti["notebook"] = doc["notebook"]
        return job_id, ti, labels
    unknown = [k for k in doc if k not in SPEC_KEYS]
    if unknown:
        key = str(unknown[0])
        fail(key, "is neither trainingInput, hyperparameters nor a hyperparameters field" + _suggest(key, SPEC_KEYS))
    return None, {"hyperparameters": check_hyperparameters(doc, "hyperparameters", source)}, {}


def parse_hpo_yaml(text: str, source: str = "<cell>") -> tuple[str | None, dict, dict]:
    """:func:`parse_hpo_document` on YAML text (a cell body)."""
    return parse_hpo_document(safe_load_yaml(text, source), source)


def load_hpo_file(path: str, to_root: Callable[[str, str], str]) -> tuple[str | None, dict, dict]:
    """Read an HPO YAML file in either form; paths in it are relative to the file's folder.

    ``to_root(path, base)`` makes a local path root-relative, as for :func:`laketahoe.jobspec.load_job_file`.
    """
    doc = safe_load_yaml(_read_spec_file(path, "HPO config"), path)
    job_id, ti, labels = parse_hpo_document(doc, path)
    return job_id, rebase_training_input(ti, os.path.dirname(os.path.abspath(path)), to_root, source=path), labels


def tuned_names(training_input: dict) -> list[str]:
    """The parameter names an HPO ``trainingInput`` tunes, in spec order."""
    spec = training_input.get("hyperparameters") or {}
    return [p.get("parameterName") for p in spec.get("params") or [] if isinstance(p, dict)]


def goal_of(spec: dict | None) -> str:
    """``MAXIMIZE`` or ``MINIMIZE`` (AI Platform's default is MAXIMIZE)."""
    return "MINIMIZE" if (spec or {}).get("goal") == "MINIMIZE" else "MAXIMIZE"


# --------------------------------------------------------------------------
# Trials


def objective(trial: dict) -> float | None:
    """A trial's final objective value, or None when not known (yet)."""
    value = (trial.get("finalMetric") or {}).get("objectiveValue")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _trial_key(trial: dict):
    tid = str(trial.get("trialId", ""))
    return (0, int(tid), "") if tid.isdigit() else (1, 0, tid)


def sort_trials(trials: list[dict], goal: str = "MAXIMIZE") -> list[dict]:
    """Trials best first by objective for ``goal``; those without one last, each group in trial order."""
    sign = -1.0 if goal_of({"goal": goal}) == "MAXIMIZE" else 1.0
    with_value = sorted((t for t in trials if objective(t) is not None),
                        key=lambda t: (sign * objective(t), _trial_key(t)))
    return with_value + sorted((t for t in trials if objective(t) is None), key=_trial_key)


def pick_best(trials: list[dict], goal: str = "MAXIMIZE") -> dict | None:
    """The best finished trial with an objective (lowest trial id on ties), or None."""
    done = [t for t in trials if t.get("state") in _FINAL_STATES and objective(t) is not None]
    ranked = sort_trials(done, goal)
    return ranked[0] if ranked else None


def _parse_time(text: Any) -> datetime.datetime | None:
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def param_columns(trials: list[dict], spec: dict | None = None) -> list[str]:
    """Hyperparameter names: the spec's order first, then any others as the trials show them."""
    names = [p.get("parameterName") for p in (spec or {}).get("params") or [] if isinstance(p, dict)]
    for trial in trials:
        for name in trial.get("hyperparameters") or {}:
            if name not in names:
                names.append(name)
    return names


def column_name(param: str) -> str:
    """The table column of a hyperparameter: its name, prefixed with ``hp_`` where a fixed column has it."""
    return f"hp_{param}" if param in FIXED_COLUMNS or param == "trialId" else param


def trial_records(trials: list[dict], spec: dict | None = None) -> list[dict]:
    """One plain dict per trial (trial order): trialId, the fixed columns, then one key per hyperparameter.

    Times are aware datetimes, ``duration`` a timedelta (None until the trial
    has both ends), missing metrics None. The CLI prints these; the DataFrame is
    built from them.
    """
    names = param_columns(trials, spec)
    rows = []
    for trial in sorted(trials, key=_trial_key):
        final = trial.get("finalMetric") or {}
        start, end = _parse_time(trial.get("startTime")), _parse_time(trial.get("endTime"))
        step = final.get("trainingStep")
        row = {
            "trialId": str(trial.get("trialId", "")),
            "state": trial.get("state", ""),
            "objective": objective(trial),
            "trainingStep": int(step) if _is_int(step) or (isinstance(step, float) and step.is_integer()) else None,
            "isTrialStoppedEarly": bool(trial.get("isTrialStoppedEarly")),
            "startTime": start,
            "endTime": end,
            "duration": end - start if start and end else None,
        }
        values = trial.get("hyperparameters") or {}
        for name in names:
            row[column_name(name)] = values.get(name)
        rows.append(row)
    return rows


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError("laketahoe.trials() returns a pandas DataFrame, and pandas is not installed: "
                          "pip install pandas (or use Client.trials() for plain dicts)") from None
    return pandas


def trials_frame(trials: list[dict], spec: dict | None = None):
    """A pandas DataFrame of ``trials``, one row per trial, indexed by the integer trial id.

    Columns: state, objective (float, NaN when unknown), trainingStep (nullable
    Int64), isTrialStoppedEarly (bool), startTime/endTime (UTC timestamps, NaT
    when unknown), duration (timedelta), then one column per hyperparameter named
    after it (``hp_<name>`` where that would clash with a fixed column). With the
    spec, INTEGER parameters are Int64, DOUBLE and DISCRETE float, CATEGORICAL strings.
    """
    pd = _pandas()
    rows = trial_records(trials, spec)
    names = param_columns(trials, spec)
    types = {p.get("parameterName"): p.get("type") for p in (spec or {}).get("params") or [] if isinstance(p, dict)}
    ids = [r["trialId"] for r in rows]
    index = pd.Index([int(i) for i in ids] if all(i.isdigit() for i in ids) else ids, name="trialId",
                     dtype="int64" if all(i.isdigit() for i in ids) else object)

    def times(key):
        return pd.to_datetime(pd.Series([r[key] for r in rows], index=index, dtype=object), utc=True)

    data = {
        "state": pd.Series([r["state"] for r in rows], index=index, dtype=object),
        "objective": pd.Series([r["objective"] if r["objective"] is not None else math.nan for r in rows],
                               index=index, dtype="float64"),
        "trainingStep": pd.Series([r["trainingStep"] for r in rows], index=index, dtype="Int64"),
        "isTrialStoppedEarly": pd.Series([r["isTrialStoppedEarly"] for r in rows], index=index, dtype=bool),
        "startTime": times("startTime"),
        "endTime": times("endTime"),
    }
    data["duration"] = data["endTime"] - data["startTime"]
    for name in names:
        col = column_name(name)
        values = [r[col] for r in rows]
        kind = types.get(name)
        if kind == "INTEGER":
            series = pd.Series(values, index=index, dtype="Int64")
        elif kind in ("DOUBLE", "DISCRETE"):
            series = pd.Series([math.nan if v is None else v for v in values], index=index, dtype="float64")
        elif kind == "CATEGORICAL":
            series = pd.Series(values, index=index, dtype=object)
        else:
            series = pd.Series(values, index=index)
        data[col] = series
    return pd.DataFrame(data, index=index)


def hpo_spec(job: dict) -> dict:
    """The ``hyperparameters`` spec of a job (empty for a plain training job)."""
    return (job.get("trainingInput") or {}).get("hyperparameters") or {}


def is_hpo_job(job: dict) -> bool:
    """Whether ``job`` is a hyperparameter tuning job."""
    return bool(hpo_spec(job)) or bool((job.get("trainingOutput") or {}).get("isHyperparameterTuningJob"))


def best_of_job(job: dict, trials: list[dict] | None = None) -> dict | None:
    """The job's best trial: the service's ``trainingOutput.bestTrial``, else picked from ``trials``."""
    best = (job.get("trainingOutput") or {}).get("bestTrial")
    if best:
        return best
    return pick_best(trials or [], goal_of(hpo_spec(job)))


# --------------------------------------------------------------------------
# The functions behind laketahoe.trials() / laketahoe.best_trial()


def _client(client):
    if client is not None:
        return client
    from .client import Client

    return Client.from_environment()


def trials_dataframe(job_id: str, state: str | None = None, client=None):
    """``laketahoe.trials(job_id)``: all trials of an HPO job as a DataFrame (see :func:`trials_frame`)."""
    _pandas()  # fail before any request when pandas is missing
    client = _client(client)
    job = client.get_job(job_id)
    return trials_frame(client.trials(job_id, state=state), hpo_spec(job))


def best_trial_of(job_id: str, client=None) -> dict | None:
    """``laketahoe.best_trial(job_id)``: the best finished trial (a Trial dict), or None while there is none."""
    client = _client(client)
    job = client.get_job(job_id)
    best = (job.get("trainingOutput") or {}).get("bestTrial")
    return best or pick_best(client.trials(job_id), goal_of(hpo_spec(job)))


# --------------------------------------------------------------------------
# Options of `%lt hpo` on top of a spec


def needs_notebook(training_input: dict) -> bool:
    """Whether the trainingInput says nothing about what to run (neither a notebook nor a module)."""
    ti = training_input
    return not (ti.get("notebook") or ti.get("pythonModule") or ti.get("packageUris") or ti.get("args"))


def apply_hpo_options(training_input: dict, notebook: str | None = None, parameters: dict | None = None,
                      max_trials: int | None = None, parallel: int | None = None, scale_tier: str | None = None,
                      priority: str | None = None) -> dict:
    """Return a copy of an HPO ``trainingInput`` with the command-line options applied.

    ``notebook`` (root-relative) replaces the spec's notebook, keeping its
    parameters; ``parameters`` are fixed notebook parameters and may not name a
    tuned one (every trial would override it); ``max_trials``/``parallel`` set
    ``maxTrials``/``maxParallelTrials``. Raises ``JobSpecError`` naming the option.
    """
    ti = copy.deepcopy(training_input)
    spec = ti.setdefault("hyperparameters", {})
    if notebook:
        if ti.get("pythonModule") or ti.get("packageUris"):
            raise JobSpecError(f"NOTEBOOK {notebook}: this spec runs a Python module; give either, not both")
        old = ti.get("notebook") if isinstance(ti.get("notebook"), dict) else {}
        ti["notebook"] = {**old, "path": notebook}
    if parameters:
        if not isinstance(ti.get("notebook"), dict):
            raise JobSpecError("--param sets notebook parameters, and this job runs no notebook")
        tuned = tuned_names(ti)
        for name in parameters:
            if name in tuned:
                raise JobSpecError(f"--param {name}: {name} is tuned (hyperparameters.params[{tuned.index(name)}]); "
                                   "a fixed value would be replaced in every trial")
        nb = ti["notebook"]
        nb["parameters"] = {**(nb.get("parameters") or {}), **parameters}
    for option, key, value in (("--max-trials", "maxTrials", max_trials), ("--parallel", "maxParallelTrials", parallel)):
        if value is not None:
            if value < 1:
                raise JobSpecError(f"{option} must be at least 1 (got {value})")
            spec[key] = value
    trials, par = spec.get("maxTrials", 1), spec.get("maxParallelTrials", 1)
    if _is_int(trials) and _is_int(par) and par > trials:
        option = "--parallel" if parallel is not None else "maxParallelTrials"
        raise JobSpecError(f"{option} {par} exceeds maxTrials ({trials}): at most maxTrials trials run at once")
    if scale_tier:
        ti["scaleTier"] = scale_tier
    if priority:
        ti["priority"] = priority
    return ti
