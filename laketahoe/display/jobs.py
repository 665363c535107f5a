"""Renderings of jobs: the list, one job's summary (with its HPO results and resource usage)."""

from __future__ import annotations

import datetime
import html
import json

from .tables import badge_html, html_table, number_text, pairs_html, pairs_text, text_table


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


def log_line_text(line: dict) -> str:
    """One log line as printed: the service's own lines tagged ``[system]``, the job's output as written."""
    text = line.get("text", "")
    return f"[{line.get('stream')}] {text}" if line.get("stream") == "system" else text


def jobs_text(jobs: list[dict]) -> str:
    """gcloud-like columns: JOB_ID STATUS CREATED plus progress and what runs."""
    if not jobs:
        return "Listed 0 items."
    rows = [("JOB_ID", "STATUS", "CREATED", "PROGRESS", "RUNS")]
    rows += [(j.get("jobId", ""), j.get("state", ""), j.get("createTime") or "", progress_text(j), _kind(j)) for j in jobs]
    return text_table(rows)


def jobs_html(jobs: list[dict]) -> str:
    """The same table in HTML with state badges."""
    if not jobs:
        return "<p>No LakeTahoe jobs.</p>"
    rows = [[f"<code>{html.escape(j.get('jobId', ''))}</code>", badge_html(j.get("state", "")),
             html.escape(j.get("createTime") or ""), html.escape(progress_text(j)), _duration(j),
             html.escape(_kind(j))] for j in jobs]
    return html_table("jp-laketahoe-jobs", ("Job", "State", "Created", "Progress", "Duration", "Runs"), rows)


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


def hyperparameters_text(values: dict | None) -> str:
    """``n_estimators=57, criterion=gini``."""
    return ", ".join(f"{k}={number_text(v)}" for k, v in (values or {}).items())


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
    from laketahoe.hpo import best_of_job, goal_of, hpo_spec

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
                  ("bestObjective", f"{tag}={number_text(final.get('objectiveValue'))}"
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
    return pairs_text(_summary_pairs(job, trials) + usage_pairs(usage))


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


def job_html(job: dict) -> str:
    """A definition table with a state badge and the error, if any, preformatted."""
    return pairs_html(_summary_pairs(job), "jp-laketahoe-job")
