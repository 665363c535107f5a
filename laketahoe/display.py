"""Text and HTML renderings of jobs, models and deployments for the magics and the CLI."""

from __future__ import annotations

import datetime
import html
import json

STATE_COLORS = {
    "QUEUED": "#757575",
    "PREPARING": "#6d4c41",
    "RUNNING": "#1565c0",
    "SUCCEEDED": "#2e7d32",
    "FAILED": "#c62828",
    "CANCELLING": "#ef6c00",
    "CANCELLED": "#616161",
    # Deployments
    "DEPLOYING": "#1565c0",
    "READY": "#2e7d32",
    "UPDATING": "#ef6c00",
    "DELETING": "#616161",
    # Alerts
    "firing": "#c62828",
    "resolved": "#2e7d32",
}


def progress_text(job: dict) -> str:
    """``3/9 cells`` for notebook jobs, empty otherwise."""
    out = job.get("trainingOutput") or {}
    spec = (job.get("trainingInput") or {}).get("hyperparameters")
    if spec or out.get("isHyperparameterTuningJob"):
        done = out.get("completedTrialCount") or 0
        return f"{done}/{(spec or {}).get('maxTrials', 1)} trials"
    total = out.get("totalCells")
    if total:
        return f"{out.get('completedCells') or 0}/{total} cells"
    return ""


def _duration(job: dict) -> str:
    start, end = job.get("startTime"), job.get("endTime")
    if not start:
        return ""
    try:
        t0 = datetime.datetime.fromisoformat(start.replace("Z", "+00:00"))
        t1 = datetime.datetime.fromisoformat(end.replace("Z", "+00:00")) if end else datetime.datetime.now(datetime.timezone.utc)
    except ValueError:
        return ""
    secs = int((t1 - t0).total_seconds())
    return f"{secs // 3600}:{secs % 3600 // 60:02d}:{secs % 60:02d}"


def _kind(job: dict) -> str:
    ti = job.get("trainingInput") or {}
    if ti.get("notebook"):
        return ti["notebook"].get("path", "notebook")
    return ti.get("pythonModule") or "module"


def badge_html(state: str) -> str:
    """A coloured state pill."""
    color = STATE_COLORS.get(state, "#757575")
    return (f'<span class="jp-laketahoe-state" style="background:{color};color:#fff;border-radius:8px;'
            f'padding:1px 8px;font-size:90%">{html.escape(state)}</span>')


def jobs_text(jobs: list[dict]) -> str:
    """gcloud-like columns: JOB_ID STATUS CREATED plus progress and what runs."""
    if not jobs:
        return "Listed 0 items."
    rows = [("JOB_ID", "STATUS", "CREATED", "PROGRESS", "RUNS")]
    rows += [(j.get("jobId", ""), j.get("state", ""), j.get("createTime") or "", progress_text(j), _kind(j)) for j in jobs]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def jobs_html(jobs: list[dict]) -> str:
    """The same table in HTML with state badges."""
    if not jobs:
        return "<p>No LakeTahoe jobs.</p>"
    head = "".join(f"<th>{h}</th>" for h in ("Job", "State", "Created", "Progress", "Duration", "Runs"))
    body = "".join(
        "<tr>"
        f"<td><code>{html.escape(j.get('jobId', ''))}</code></td><td>{badge_html(j.get('state', ''))}</td>"
        f"<td>{html.escape(j.get('createTime') or '')}</td><td>{html.escape(progress_text(j))}</td>"
        f"<td>{_duration(j)}</td><td>{html.escape(_kind(j))}</td>"
        "</tr>"
        for j in jobs
    )
    return f'<table class="jp-laketahoe-jobs"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _summary_pairs(job: dict, trials: list[dict] | None = None) -> list[tuple[str, str]]:
    ti = job.get("trainingInput") or {}
    out = job.get("trainingOutput") or {}
    pairs = [("jobId", job.get("jobId", "")), ("state", job.get("state", "")), ("owner", job.get("owner", "")),
             ("runs", _kind(job)), ("scaleTier", ti.get("scaleTier", "")), ("priority", ti.get("priority", "")),
             ("createTime", job.get("createTime") or ""), ("startTime", job.get("startTime") or ""),
             ("endTime", job.get("endTime") or "")]
    if ti.get("notebook", {}).get("parameters"):
        pairs.append(("parameters", json.dumps(ti["notebook"]["parameters"])))
    if progress_text(job):
        pairs.append(("progress", progress_text(job)))
    if ti.get("hyperparameters") or out.get("isHyperparameterTuningJob"):
        pairs += hpo_summary_pairs(job, trials)
    elif out.get("latestMetrics"):
        pairs.append(("metrics", ", ".join(f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}"
                                           for k, v in out["latestMetrics"].items())))
    if out.get("outputNotebook"):
        pairs.append(("outputNotebook", out["outputNotebook"]))
    if job.get("errorMessage"):
        pairs.append(("errorMessage", job["errorMessage"]))
    return [(k, str(v)) for k, v in pairs if v not in ("", None)]


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def hyperparameters_text(values: dict | None) -> str:
    """``n_estimators=57, criterion=gini``."""
    return ", ".join(f"{k}={_num(v)}" for k, v in (values or {}).items())


_COUNT_ORDER = ("SUCCEEDED", "FAILED", "CANCELLED", "RUNNING", "PREPARING", "QUEUED", "CANCELLING")


def trial_counts_text(counts: dict | None) -> str:
    """``SUCCEEDED 6, FAILED 1, RUNNING 2``: ended states first, zero counts left out."""
    counts = counts or {}
    order = [s for s in _COUNT_ORDER if counts.get(s)] + sorted(k for k in counts if k not in _COUNT_ORDER and counts[k])
    return ", ".join(f"{s} {counts[s]}" for s in order)


def hpo_summary_pairs(job: dict, trials: list[dict] | None = None) -> list[tuple[str, str]]:
    """The HPO lines of a job summary: goal, trial counts by state and the best trial.

    The service's ``trainingOutput`` (trialCounts, bestTrial) is used when it
    has them; otherwise they are worked out from ``trials`` when given.
    """
    from .hpo import best_of_job, goal_of, hpo_spec

    spec = hpo_spec(job)
    out = job.get("trainingOutput") or {}
    tag = spec.get("hyperparameterMetricTag") or out.get("hyperparameterMetricTag") or "objective"
    counts = out.get("trialCounts")
    if not counts and trials:
        counts = {}
        for t in trials:
            counts[t.get("state", "")] = counts.get(t.get("state", ""), 0) + 1
    pairs = [("goal", f"{goal_of(spec)} {tag}"),
             ("algorithm", spec.get("algorithm") if spec.get("algorithm") not in (None, "ALGORITHM_UNSPECIFIED")
              else "ALGORITHM_UNSPECIFIED (Bayesian)"),
             ("maxTrials", f"{spec.get('maxTrials', 1)} ({spec.get('maxParallelTrials', 1)} in parallel)"),
             ("trials", trial_counts_text(counts) or "none yet")]
    best = best_of_job(job, trials)
    if best:
        final = best.get("finalMetric") or {}
        step = final.get("trainingStep")
        pairs += [("bestTrial", str(best.get("trialId", ""))),
                  ("bestObjective", f"{tag}={_num(final.get('objectiveValue'))}"
                   + (f" at step {step}" if step is not None else "")),
                  ("bestHyperparameters", hyperparameters_text(best.get("hyperparameters")))]
    else:
        pairs.append(("bestTrial", "none yet"))
    return pairs


def job_text(job: dict, summarize: bool = True, trials: list[dict] | None = None, usage: dict | None = None) -> str:
    """A summary (``key: value`` lines) or the full job as YAML, like ``gcloud ... describe``.

    For an HPO job the summary has the goal, trial counts by state and the best
    trial, from ``trainingOutput`` or, where that lacks them, from ``trials``.
    ``usage`` (the answer of ``GET /jobs/{id}/usage``) adds the resource lines.
    """
    if not summarize:
        import yaml

        return yaml.safe_dump(job, sort_keys=False, default_flow_style=False).rstrip()
    return _pairs_text(_summary_pairs(job, trials) + usage_pairs(usage))


def format_bytes(n: float) -> str:
    """``1.5 GiB`` from 1 GiB up, else whole MiB (the service's hint says it the same way)."""
    gib = 1024 ** 3
    return f"{n / gib:.1f} GiB" if n >= gib else f"{round(n / 1024 ** 2)} MiB"


def usage_pairs(usage: dict | None) -> list[tuple[str, str]]:
    """The resource lines of a summary: peak memory, CPU-seconds, GPU-hours and the hint; or why there are none."""
    if not usage:
        return []
    if not usage.get("available", True):
        return [("usage", f"not available: {usage.get('note', '')}".rstrip(": "))]
    s = usage.get("summary") or {}
    if not s.get("samples"):
        return [("usage", "no samples yet")]
    pairs = [("peakMemory", format_bytes(s["peakMemoryBytes"])
              + (f" of {format_bytes(s['requestedMemoryBytes'])}" if s.get("requestedMemoryBytes") else "")),
             ("cpuSeconds", f"{s['cpuSeconds']:.1f}")]
    if s.get("gpuHours"):
        pairs.append(("gpuHours", f"{s['gpuHours']:.4g}"))
    if s.get("peakGpuMemoryBytes") is not None:
        pairs.append(("peakGpuMemory", format_bytes(s["peakGpuMemoryBytes"])))
    if s.get("meanGpuUtilization") is not None:
        pairs.append(("meanGpuUtilization", f"{s['meanGpuUtilization']:g}%"))
    if s.get("hint"):
        pairs.append(("hint", s["hint"]))
    return pairs


def _pairs_text(pairs: list) -> str:
    """``key: value`` lines with the values aligned."""
    width = max(len(k) for k, _ in pairs)
    return "\n".join(f"{k + ':':<{width + 1}} {v}" for k, v in pairs)


def _pairs_html(pairs: list, css_class: str) -> str:
    """A definition table: the state as a badge, the error preformatted."""
    rows = []
    for key, value in pairs:
        if key == "state":
            cell = badge_html(value)
        elif key == "errorMessage":
            cell = f"<pre style='white-space:pre-wrap'>{html.escape(value)}</pre>"
        else:
            cell = html.escape(value)
        rows.append(f"<tr><th style='text-align:left'>{key}</th><td style='text-align:left'>{cell}</td></tr>")
    return f'<table class="{css_class}">{"".join(rows)}</table>'


def job_html(job: dict) -> str:
    """A definition table with a state badge and the error, if any, preformatted."""
    return _pairs_html(_summary_pairs(job), "jp-laketahoe-job")


# --------------------------------------------------------------------------
# HPO trials


def _hms(delta: datetime.timedelta | None) -> str:
    if delta is None:
        return ""
    secs = int(delta.total_seconds())
    return f"{secs // 3600}:{secs % 3600 // 60:02d}:{secs % 60:02d}"


def _cell(value, csv: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if csv else f"{value:.6g}"
    if isinstance(value, datetime.datetime):
        utc = value.astimezone(datetime.timezone.utc)
        # CSV keeps the API's millisecond precision; people read seconds.
        return utc.strftime("%Y-%m-%dT%H:%M:%S") + (f".{utc.microsecond // 1000:03d}Z" if csv else "Z")
    if isinstance(value, datetime.timedelta):
        # CSV is read by programs: seconds; the table by people: H:MM:SS.
        return f"{value.total_seconds():g}" if csv else _hms(value)
    return str(value)


def trial_table(trials: list[dict], spec: dict | None = None, sort_by: str | None = None,
                csv: bool = False) -> tuple[list[str], list[list[str]]]:
    """Header and rows of strings for a trials table.

    ``sort_by`` ``objective`` puts the best first for the spec's goal; ``None``
    or ``trialId`` keeps trial order; any other column sorts ascending on it.
    """
    from .hpo import FIXED_COLUMNS, goal_of, sort_trials, trial_records

    if sort_by == "objective":
        trials = sort_trials(trials, goal_of(spec))
        records = trial_records(trials, spec)
        order = {str(t.get("trialId", "")): i for i, t in enumerate(trials)}
        records.sort(key=lambda r: order[r["trialId"]])
    else:
        records = trial_records(trials, spec)
        if sort_by not in (None, "trialId"):
            if records and sort_by not in records[0]:
                from .jobspec import JobSpecError

                raise JobSpecError(f"--sort-by: no column {sort_by!r}; use one of {', '.join(records[0])}")
            # Missing values last, whatever their column's type.
            records.sort(key=lambda r: (r.get(sort_by) is None, r.get(sort_by) if r.get(sort_by) is not None else 0))
    header = list(records[0]) if records else ["trialId", *FIXED_COLUMNS]
    return header, [[_cell(r[h], csv) for h in header] for r in records]


def trials_text(trials: list[dict], spec: dict | None = None, sort_by: str | None = None) -> str:
    """gcloud-like columns, one trial a line."""
    if not trials:
        return "Listed 0 items."
    header, rows = trial_table(trials, spec, sort_by)
    upper = [_upper_snake(h) for h in header]
    table = [upper, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table)


def _upper_snake(name: str) -> str:
    out = "".join(f"_{c}" if c.isupper() else c for c in name).upper()
    return out.replace("IS_TRIAL_STOPPED_EARLY", "STOPPED_EARLY")


def trials_csv(trials: list[dict], spec: dict | None = None, sort_by: str | None = None) -> str:
    """The trials as CSV with a header line (times ISO 8601, duration in seconds)."""
    import csv
    import io

    header, rows = trial_table(trials, spec, sort_by, csv=True)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().rstrip("\n")


def trials_html(trials: list[dict], spec: dict | None = None, best_id: str | None = None) -> str:
    """The trials sorted best first for the goal, the best trial's row highlighted."""
    from .hpo import goal_of, pick_best

    if not trials:
        return "<p>No trials yet.</p>"
    if best_id is None:
        best = pick_best(trials, goal_of(spec))
        best_id = str(best["trialId"]) if best else None
    header, rows = trial_table(trials, spec, sort_by="objective")
    state_col = header.index("state")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        best_row = best_id is not None and row[0] == best_id
        cells = "".join(
            f"<td>{badge_html(c) if i == state_col else html.escape(c)}</td>" for i, c in enumerate(row))
        attrs = (' class="jp-laketahoe-best-trial" style="background:#fff8e1;font-weight:bold" title="best trial"'
                 if best_row else "")
        body.append(f"<tr{attrs}>{cells}</tr>")
    tag = html.escape((spec or {}).get("hyperparameterMetricTag") or "objective")
    caption = f"<caption style='text-align:left'>{goal_of(spec).lower()} {tag}; best first</caption>"
    return (f'<table class="jp-laketahoe-trials">{caption}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def params_html(spec: dict) -> str:
    """The search space of an HPO spec as a small table."""
    rows = []
    for p in spec.get("params") or []:
        kind = p.get("type", "")
        if kind in ("DOUBLE", "INTEGER"):
            space = f"{_num(p.get('minValue'))} .. {_num(p.get('maxValue'))}"
        elif kind == "CATEGORICAL":
            space = ", ".join(map(str, p.get("categoricalValues") or []))
        else:
            space = ", ".join(_num(v) for v in p.get("discreteValues") or [])
        scale = p.get("scaleType", "")
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in
                                     (p.get("parameterName", ""), kind, space, scale)) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("Parameter", "Type", "Values", "Scale"))
    return f'<table class="jp-laketahoe-params"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


class JobList:
    """A list of jobs that renders as a table in notebooks and as text elsewhere."""

    def __init__(self, jobs: list[dict]):
        self.jobs = jobs

    def _repr_html_(self) -> str:
        return jobs_html(self.jobs)

    def __repr__(self) -> str:
        return jobs_text(self.jobs)

    def __len__(self) -> int:
        return len(self.jobs)

    def __getitem__(self, i):
        return self.jobs[i]


class JobView:
    """One job; ``.job`` holds the decoded API object."""

    def __init__(self, job: dict, note: str = ""):
        self.job = job
        self.note = note

    def _repr_html_(self) -> str:
        note = f"<p>{html.escape(self.note)}</p>" if self.note else ""
        return note + job_html(self.job)

    def __repr__(self) -> str:
        return (self.note + "\n" if self.note else "") + job_text(self.job)

    def __getitem__(self, key):
        return self.job[key]


class HpoView(JobView):
    """An HPO job: the job summary plus its search space."""

    def _repr_html_(self) -> str:
        spec = (self.job.get("trainingInput") or {}).get("hyperparameters") or {}
        return super()._repr_html_() + "<p><b>Search space</b></p>" + params_html(spec)


class TrialsView:
    """The trials of an HPO job: an HTML table (best first, best highlighted) in notebooks, text elsewhere.

    ``.trials`` holds the decoded Trial objects; ``.frame`` builds the pandas DataFrame.
    """

    def __init__(self, job: dict, trials: list[dict]):
        self.job = job
        self.trials = trials

    @property
    def spec(self) -> dict:
        """The job's ``hyperparameters`` spec."""
        return (self.job.get("trainingInput") or {}).get("hyperparameters") or {}

    @property
    def frame(self):
        """The trials as a DataFrame, as ``laketahoe.trials()`` returns it."""
        from .hpo import trials_frame

        return trials_frame(self.trials, self.spec)

    def _best_id(self) -> str | None:
        from .hpo import best_of_job

        best = best_of_job(self.job, self.trials)
        return str(best["trialId"]) if best else None

    def _repr_html_(self) -> str:
        summary = "; ".join(f"{k}: {html.escape(v)}" for k, v in hpo_summary_pairs(self.job, self.trials)
                            if k in ("goal", "trials", "bestTrial"))
        return (f"<p>Job <code>{html.escape(self.job.get('jobId', ''))}</code> {badge_html(self.job.get('state', ''))}"
                f" {summary}</p>" + trials_html(self.trials, self.spec, self._best_id()))

    def __repr__(self) -> str:
        return trials_text(self.trials, self.spec, sort_by="objective")

    def __len__(self) -> int:
        return len(self.trials)

    def __getitem__(self, i):
        return self.trials[i]


# --------------------------------------------------------------------------
# Models and deployments


def _text_table(rows: list[tuple]) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def _html_table(css: str, header: tuple, rows: list[list[str]]) -> str:
    """Rows of ready-made HTML cells under an escaped header."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def model_ref(ref: dict | None) -> str:
    """``iris:2`` for ``{name: "iris", version: 2}``."""
    ref = ref or {}
    return f"{ref.get('name', '')}:{ref.get('version')}" if ref.get("version") is not None else ref.get("name", "")


def _source_text(version: dict) -> str:
    source = version.get("source") or {}
    if not source.get("jobId"):
        return ""
    trial = f" trial {source['trialId']}" if source.get("trialId") else ""
    return f"job {source['jobId']}{trial}"


def models_text(models: list[dict]) -> str:
    """gcloud-like columns: NAME LATEST_VERSION UPDATED."""
    if not models:
        return "Listed 0 items."
    rows = [("NAME", "LATEST_VERSION", "UPDATED")]
    rows += [(m.get("name", ""), m.get("latestVersion", ""), m.get("updateTime") or m.get("createTime") or "")
             for m in models]
    return _text_table(rows)


def models_html(models: list[dict]) -> str:
    """The caller's models as an HTML table."""
    if not models:
        return "<p>No LakeTahoe models.</p>"
    rows = [[f"<code>{html.escape(m.get('name', ''))}</code>", html.escape(str(m.get("latestVersion", ""))),
             html.escape(m.get("updateTime") or m.get("createTime") or "")] for m in models]
    return _html_table("jp-laketahoe-models", ("Model", "Latest version", "Updated"), rows)


def _version_row(v: dict) -> tuple:
    metrics = ((v.get("source") or {}).get("metrics")) or {}
    return (v.get("version", ""), v.get("framework", ""), v.get("task", ""), _source_text(v),
            hyperparameters_text(metrics), v.get("createTime") or "")


_VERSION_HEADER = ("VERSION", "FRAMEWORK", "TASK", "SOURCE", "METRICS", "CREATED")


def model_text(model: dict) -> str:
    """One model and its versions."""
    lines = [f"name: {model.get('name', '')}", f"latestVersion: {model.get('latestVersion', '')}"]
    versions = model.get("versions") or []
    if versions:
        lines += ["", _text_table([_VERSION_HEADER, *(_version_row(v) for v in versions)])]
    return "\n".join(lines)


def model_html(model: dict) -> str:
    """One model and its versions as HTML."""
    rows = [[html.escape(str(c)) for c in _version_row(v)] for v in model.get("versions") or []]
    title = f"<p>Model <code>{html.escape(model.get('name', ''))}</code></p>"
    return title + _html_table("jp-laketahoe-model-versions", tuple(h.capitalize() for h in _VERSION_HEADER), rows)


def version_text(version: dict) -> str:
    """One model version: where it came from and its signature."""
    pairs = [("name", version.get("name", "")), ("version", version.get("version", "")),
             ("framework", f"{version.get('framework', '')} {version.get('frameworkVersion', '')}".strip()),
             ("task", version.get("task", "")), ("artifactDir", version.get("artifactDir", "")),
             ("source", _source_text(version)), ("hasBaseline", version.get("hasBaseline", "")),
             ("createTime", version.get("createTime") or "")]
    signature = version.get("signature") or {}
    for spec in signature.get("inputs") or []:
        features = ", ".join(f["name"] + (" (categorical)" if f.get("kind") == "categorical" else "")
                             for f in spec.get("features") or [])
        pairs.append((f"input {spec.get('name')}", f"{spec.get('datatype')} {spec.get('shape')} {features}".strip()))
    for spec in signature.get("outputs") or []:
        pairs.append((f"output {spec.get('name')}", f"{spec.get('datatype')} {spec.get('shape')}"))
    pairs = [(k, str(v)) for k, v in pairs if v not in ("", None)]
    width = max(len(k) for k, _ in pairs)
    return "\n".join(f"{k + ':':<{width + 1}} {v}" for k, v in pairs)


def deployments_text(deployments: list[dict]) -> str:
    """gcloud-like columns: NAME STATE MODEL REPLICAS ENDPOINT."""
    if not deployments:
        return "Listed 0 items."
    rows = [("NAME", "STATE", "MODEL", "REPLICAS", "ENDPOINT")]
    rows += [(d.get("name", ""), d.get("state", ""), model_ref(d.get("model")), d.get("replicas", ""),
              d.get("endpoint", "")) for d in deployments]
    return _text_table(rows)


def deployments_html(deployments: list[dict]) -> str:
    """Deployments as an HTML table with state badges."""
    if not deployments:
        return "<p>No LakeTahoe deployments.</p>"
    rows = [[f"<code>{html.escape(d.get('name', ''))}</code>", badge_html(d.get("state", "")),
             html.escape(model_ref(d.get("model"))), html.escape(str(d.get("replicas", ""))),
             f"<code>{html.escape(d.get('endpoint', ''))}</code>"] for d in deployments]
    return _html_table("jp-laketahoe-deployments", ("Deployment", "State", "Model", "Replicas", "Endpoint"), rows)


def _deployment_pairs(d: dict) -> list[tuple[str, str]]:
    pairs = [("name", d.get("name", "")), ("state", d.get("state", "")), ("model", model_ref(d.get("model"))),
             ("replicas", d.get("replicas", "")), ("endpoint", d.get("endpoint", "")),
             ("restarts", d.get("restarts") or ""), ("createTime", d.get("createTime") or ""),
             ("updateTime", d.get("updateTime") or ""), ("errorMessage", d.get("errorMessage") or "")]
    challengers = d.get("challengers") or ([d["challenger"]] if d.get("challenger") else [])
    for ch in challengers:
        how = f"canary {ch.get('weight')}%" if ch.get("mode") == "canary" else "shadow"
        pairs.append(("challenger", f"{model_ref(ch.get('model'))} ({how}, {ch.get('state')})"
                      + (f": {ch['errorMessage']}" if ch.get("errorMessage") else "")))
    return [(k, str(v)) for k, v in pairs if v not in ("", None)]


def comparison_text(c: dict) -> str:
    """Champion and challengers side by side (``GET /deployments/{name}/monitoring/versions``) as a table."""
    rows = []
    for v in c.get("versions", []):
        lat = v.get("latencyMs") or {}
        top = ", ".join(f"{p['value']}:{p['count']}" for p in (v.get("predictions") or [])[:4])
        agreement = v.get("agreement") or {}
        agree = f"{100 * agreement['rate']:.1f}%" if agreement.get("rate") is not None else "-"
        rows.append([v.get("role", ""), f"{v.get('model')}:{v.get('version')}", str(v.get("requests", 0)),
                     str(v.get("returned", 0)), f"{100 * (v.get('errorRate') or 0):.1f}%",
                     *(("-" if lat.get(k) is None else f"{lat[k]:.1f}") for k in ("p50", "p95", "p99")), agree, top])
    head = ["ROLE", "VERSION", "REQUESTS", "RETURNED", "ERRORS", "P50_MS", "P95_MS", "P99_MS", "AGREEMENT",
            "PREDICTIONS"]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in [head, *rows]]
    agreement = c.get("agreement") or {}
    if agreement.get("compared"):
        lines.append(f"shadow agreement: {100 * agreement['rate']:.1f}% of {agreement['compared']} requests")
    if c.get("predictionDrift") is not None:
        lines.append(f"prediction drift (largest Jensen-Shannon distance from the champion): {c['predictionDrift']:.3f}")
    return "\n".join(lines)


def deployment_text(d: dict) -> str:
    """One deployment as ``key: value`` lines."""
    return _pairs_text(_deployment_pairs(d))


def deployment_html(d: dict) -> str:
    """One deployment as a definition table with a state badge."""
    return _pairs_html(_deployment_pairs(d), "jp-laketahoe-deployment")


class ModelList(list):
    """Models (dicts): a plain list that renders as a table in notebooks."""

    def _repr_html_(self) -> str:
        return models_html(self)

    def __repr__(self) -> str:
        return models_text(self)


class DeploymentList(list):
    """Deployments (dicts): a plain list that renders as a table in notebooks."""

    def _repr_html_(self) -> str:
        return deployments_html(self)

    def __repr__(self) -> str:
        return deployments_text(self)


class DeploymentView(dict):
    """One deployment (the API object, as a dict) that renders as a table; ``note`` is shown above it."""

    def __init__(self, deployment: dict, note: str = ""):
        super().__init__(deployment)
        self.note = note

    def _repr_html_(self) -> str:
        note = f"<p>{html.escape(self.note)}</p>" if self.note else ""
        return note + deployment_html(self)

    def __repr__(self) -> str:
        return (self.note + "\n" if self.note else "") + deployment_text(self)


class ModelView(dict):
    """One model with its versions (the API object, as a dict) that renders as a table."""

    def _repr_html_(self) -> str:
        return model_html(self)

    def __repr__(self) -> str:
        return model_text(self)


class ComparisonView(dict):
    """The champion/challenger comparison: a dict that shows as a table."""

    def _repr_html_(self) -> str:
        return "<pre class=\"jp-laketahoe-comparison\">" + html.escape(comparison_text(self)) + "</pre>"

    def __repr__(self) -> str:
        return comparison_text(self)
