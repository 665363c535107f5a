"""Renderings of an HPO job's trials (text, CSV, HTML) and of its search space."""

from __future__ import annotations

import datetime
import html

from .tables import badge_html, html_table, number_text, text_table


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
    from laketahoe.hpo import FIXED_COLUMNS, goal_of, sort_trials, trial_records

    if sort_by == "objective":
        trials = sort_trials(trials, goal_of(spec))
        records = trial_records(trials, spec)
        order = {str(t.get("trialId", "")): i for i, t in enumerate(trials)}
        records.sort(key=lambda r: order[r["trialId"]])
    else:
        records = trial_records(trials, spec)
        if sort_by not in (None, "trialId"):
            if records and sort_by not in records[0]:
                from laketahoe.jobspec import JobSpecError

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
    return text_table([upper, *rows])


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
    from laketahoe.hpo import goal_of, pick_best

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
            space = f"{number_text(p.get('minValue'))} .. {number_text(p.get('maxValue'))}"
        elif kind == "CATEGORICAL":
            space = ", ".join(map(str, p.get("categoricalValues") or []))
        else:
            space = ", ".join(number_text(v) for v in p.get("discreteValues") or [])
        scale = p.get("scaleType", "")
        rows.append([html.escape(str(c)) for c in (p.get("parameterName", ""), kind, space, scale)])
    return html_table("jp-laketahoe-params", ("Parameter", "Type", "Values", "Scale"), rows)
