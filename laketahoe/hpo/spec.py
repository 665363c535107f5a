"""HPO specs on the kernel and CLI side: read one from YAML, check it, and apply ``%lt hpo`` options to it.

The service validates the spec in full and names the field it blames; the
checks here only catch what would otherwise give a confusing answer (a wrong
document shape, a misspelt key, a value of the wrong kind), before anything is
submitted.
"""

from __future__ import annotations

import copy
import difflib
import math
import os
from typing import Any, Callable

from laketahoe import _wire
from laketahoe.jobspec import JobSpecError, _read_spec_file, rebase_training_input, safe_load_yaml

# Allowed values and field names come from the service's OpenAPI document (see _wire.py).
GOALS = _wire.HPO_GOALS
ALGORITHMS = _wire.HPO_ALGORITHMS
METRIC_SELECTIONS = _wire.METRIC_SELECTIONS
PARAM_TYPES = _wire.PARAMETER_TYPES
SCALE_TYPES = _wire.SCALE_TYPES
EARLY_STOPPING_KINDS = _wire.EARLY_STOPPING_KINDS

SPEC_KEYS = _wire.HYPERPARAMETER_FIELDS
PARAM_KEYS = _wire.PARAMETER_FIELDS


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


def is_int(value: Any) -> bool:
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
        if key in spec and (not is_int(spec[key]) or spec[key] < low):
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
    if is_int(trials) and is_int(par) and par > trials:
        option = "--parallel" if parallel is not None else "maxParallelTrials"
        raise JobSpecError(f"{option} {par} exceeds maxTrials ({trials}): at most maxTrials trials run at once")
    if scale_tier:
        ti["scaleTier"] = scale_tier
    if priority:
        ti["priority"] = priority
    return ti
