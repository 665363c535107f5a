"""Job definitions for the CLI and the magics: saved job specs, run now or on a cron schedule.

``laketahoe definitions ...`` and ``%lt schedule ...`` build the same request bodies and print the same
tables through these functions; the HTTP calls are :class:`laketahoe.client.Client` methods.
"""

from __future__ import annotations

import argparse
import os
import re

from .client import Client, LakeTahoeError

#: The service's missed-run policies, by the names the command line uses.
MISSED_POLICIES = {"run-once": "RUN_ONCE", "skip": "SKIP"}


def definition_body(training_input: dict, *, labels: dict | None = None, cron: str | None = None,
                    time_zone: str | None = None, paused: bool = False, missed: str | None = None,
                    keep_last_runs: int | None = None, delete_after_days: float | None = None,
                    webhook_url: str | None = None) -> dict:
    """The body of ``POST /definitions`` (without ``definitionId``) from command-line values."""
    body: dict = {"trainingInput": training_input, "paused": paused}
    if labels:
        body["labels"] = labels
    if cron:
        body["schedule"] = {"cron": cron, "timeZone": time_zone or "UTC"}
    elif time_zone:
        raise LakeTahoeError("--time-zone needs --schedule (a cron expression)")
    if missed:
        body["missedRuns"] = MISSED_POLICIES[missed]
    retention = {k: v for k, v in (("keepLastRuns", keep_last_runs), ("deleteAfterDays", delete_after_days)) if v is not None}
    if retention:
        body["retention"] = retention
    if webhook_url:
        body["webhook"] = {"url": webhook_url}
    return body


def definition_id_for(notebook_path: str) -> str:
    """A definition id from a notebook's name: word characters only, starting with a letter, at most 48."""
    base = re.sub(r"[^A-Za-z0-9_]", "_", os.path.splitext(os.path.basename(notebook_path))[0])
    return (base if re.match(r"[A-Za-z]", base) else f"nb_{base}")[:48]


def _table(rows: list[tuple]) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def _schedule_text(d: dict) -> str:
    schedule = d.get("schedule")
    return f"{schedule['cron']} ({schedule['timeZone']})" if schedule else "-"


def definitions_text(definitions: list[dict]) -> str:
    """One line per definition: id, schedule, state and next run."""
    if not definitions:
        return "Listed 0 items."
    rows = [("DEFINITION_ID", "SCHEDULE", "STATE", "NEXT_RUN")]
    for d in definitions:
        state = "PAUSED" if d.get("paused") else ("SCHEDULED" if d.get("schedule") else "ON_DEMAND")
        rows.append((d["definitionId"], _schedule_text(d), state, (d.get("nextRunTimes") or ["-"])[0]))
    return _table(rows)


def runs_text(runs: list[dict]) -> str:
    """One line per run: time, trigger, outcome, job and its state, with the history's message."""
    if not runs:
        return "No runs yet."
    rows = [("SCHEDULED_TIME", "TRIGGER", "OUTCOME", "JOB_ID", "JOB_STATE", "NOTE")]
    rows += [(r["scheduledTime"], r["trigger"], r["outcome"], r.get("jobId") or "-", r.get("jobState") or "-", r.get("message", ""))
             for r in runs]
    return _table(rows)


def definition_text(d: dict, runs: list[dict] | None = None) -> str:
    """A definition as ``key: value`` lines, its next runs, and its run history when given."""
    notebook = (d.get("trainingInput") or {}).get("notebook") or {}
    lines = [
        f"definitionId: {d['definitionId']}",
        f"runs: {notebook.get('path') or (d.get('trainingInput') or {}).get('pythonModule') or '-'}",
        f"schedule: {_schedule_text(d)}",
        f"paused: {str(d.get('paused', False)).lower()}",
        f"missedRuns: {d.get('missedRuns')}",
    ]
    if d.get("retention"):
        lines.append("retention: " + ", ".join(f"{k}={v}" for k, v in d["retention"].items()))
    if d.get("webhook"):
        lines.append(f"webhook: {d['webhook']['target']}")
    lines += ["nextRunTimes:"] + [f"- {t}" for t in d.get("nextRunTimes") or []]
    if runs is not None:
        lines += ["", runs_text(runs)]
    return "\n".join(lines)


def add_schedule_options(parser: argparse.ArgumentParser) -> None:
    """The options a definition's schedule, retention and webhook take (CLI and magic alike)."""
    parser.add_argument("--schedule", metavar="CRON", help='cron expression, five fields, e.g. "0 6 * * 1-5"')
    parser.add_argument("--time-zone", metavar="TZ", help="IANA time zone the schedule is read in (default UTC)")
    parser.add_argument("--missed", choices=sorted(MISSED_POLICIES),
                        help="a tick missed while the service was down: run it once (default) or skip and record it")
    parser.add_argument("--keep-last", type=int, metavar="N", help="retention: keep the last N finished runs")
    parser.add_argument("--delete-after-days", type=float, metavar="D", help="retention: delete runs finished D days ago")
    parser.add_argument("--webhook", metavar="URL", help="POST Slack-compatible JSON here when a run ends")
    parser.add_argument("--paused", action="store_true", help="save it paused")


def body_from_args(args, training_input: dict, labels: dict | None = None) -> dict:
    """:func:`definition_body` from parsed :func:`add_schedule_options` arguments."""
    return definition_body(training_input, labels=labels, cron=args.schedule, time_zone=args.time_zone,
                           paused=args.paused, missed=args.missed, keep_last_runs=args.keep_last,
                           delete_after_days=args.delete_after_days, webhook_url=args.webhook)


def run_action(client: Client, action: str, definition_id: str) -> str:
    """``run``, ``pause``, ``resume``, ``delete``, ``runs`` or ``describe`` of one definition, as text."""
    if action == "run":
        job = client.run_definition(definition_id)
        return f"Job [{job['jobId']}] submitted from definition [{definition_id}]."
    if action in ("pause", "resume"):
        d = client.pause_definition(definition_id, paused=action == "pause")
        return f"Definition [{definition_id}] {'paused' if d['paused'] else 'resumed'}." + (
            f" Next run: {d['nextRunTimes'][0]}" if d.get("nextRunTimes") else "")
    if action == "delete":
        client.delete_definition(definition_id)
        return f"Deleted definition [{definition_id}] (its jobs stay)."
    if action == "runs":
        return runs_text(client.definition_runs(definition_id))
    if action == "describe":
        return definition_text(client.get_definition(definition_id), client.definition_runs(definition_id, page_size=20))
    raise LakeTahoeError(f"unknown action {action}")
