"""An HPO job's trials (the service's ``Trial`` objects): rows, a pandas DataFrame, the best trial, and the
functions behind ``laketahoe.trials()`` and ``laketahoe.best_trial()``."""

from __future__ import annotations

import datetime
import math
from typing import Any

from .spec import goal_of, is_int

# Columns of the trials table before the hyperparameters; a parameter with one of these names gets a prefix.
FIXED_COLUMNS = ("state", "objective", "trainingStep", "isTrialStoppedEarly", "startTime", "endTime", "duration")
# States in which a trial's objective is final: the candidates for the best trial.
_FINAL_STATES = frozenset({"SUCCEEDED"})


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
            "trainingStep": int(step) if is_int(step) or (isinstance(step, float) and step.is_integer()) else None,
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


def trials_dataframe(job_id: str, state: str | None = None, client=None):
    """``laketahoe.trials(job_id)``: all trials of an HPO job as a DataFrame (see :func:`trials_frame`)."""
    _pandas()  # fail before any request when pandas is missing
    # Imported here so that `import laketahoe` inside a training job stays light.
    from laketahoe.client import client_or_default

    client = client_or_default(client)
    job = client.get_job(job_id)
    return trials_frame(client.trials(job_id, state=state), hpo_spec(job))


def best_trial_of(job_id: str, client=None) -> dict | None:
    """``laketahoe.best_trial(job_id)``: the best finished trial (a Trial dict), or None while there is none."""
    # Imported here so that `import laketahoe` inside a training job stays light.
    from laketahoe.client import client_or_default

    client = client_or_default(client)
    job = client.get_job(job_id)
    best = (job.get("trainingOutput") or {}).get("bestTrial")
    return best or pick_best(client.trials(job_id), goal_of(hpo_spec(job)))
