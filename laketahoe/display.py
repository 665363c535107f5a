"""Text and HTML renderings of jobs for the magics and the CLI."""

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
}


def progress_text(job: dict) -> str:
    """``3/9 cells`` for notebook jobs, empty otherwise."""
    out = job.get("trainingOutput") or {}
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


def _summary_pairs(job: dict) -> list[tuple[str, str]]:
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
    if out.get("latestMetrics"):
        pairs.append(("metrics", ", ".join(f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}"
                                           for k, v in out["latestMetrics"].items())))
    if out.get("outputNotebook"):
        pairs.append(("outputNotebook", out["outputNotebook"]))
    if job.get("errorMessage"):
        pairs.append(("errorMessage", job["errorMessage"]))
    return [(k, str(v)) for k, v in pairs if v not in ("", None)]


def job_text(job: dict, summarize: bool = True) -> str:
    """A summary (``key: value`` lines) or the full job as YAML, like ``gcloud ... describe``."""
    if not summarize:
        import yaml

        return yaml.safe_dump(job, sort_keys=False, default_flow_style=False).rstrip()
    pairs = _summary_pairs(job)
    width = max(len(k) for k, _ in pairs)
    return "\n".join(f"{k + ':':<{width + 1}} {v}" for k, v in pairs)


def job_html(job: dict) -> str:
    """A definition table with a state badge and the error, if any, preformatted."""
    rows = []
    for key, value in _summary_pairs(job):
        if key == "state":
            cell = badge_html(value)
        elif key == "errorMessage":
            cell = f"<pre style='white-space:pre-wrap'>{html.escape(value)}</pre>"
        else:
            cell = html.escape(value)
        rows.append(f"<tr><th style='text-align:left'>{key}</th><td style='text-align:left'>{cell}</td></tr>")
    return f'<table class="jp-laketahoe-job">{"".join(rows)}</table>'


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
