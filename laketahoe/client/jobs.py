"""The jobs part of the client: submit, list, logs, metrics, usage, outputs, and HPO trials."""

from __future__ import annotations

import http.client
import urllib.parse
from typing import Any, Iterator

import requests

from .base import ClientBase
from .errors import ServiceUnavailable, error_from_response
from .sse import SSEEvent, parse_sse


class JobsApi(ClientBase):
    """``/jobs`` and ``/jobs/{id}/trials``."""

    def submit_job(self, job_id: str | None, training_input: dict, labels: dict | None = None,
                   webhook_url: str | None = None) -> dict:
        """``POST /jobs``: submit a job; ``job_id`` None lets the service pick one. ``webhook_url`` gets the
        job's end as Slack-compatible JSON (attempts in the job's ``webhook.deliveries``)."""
        body: dict[str, Any] = {"trainingInput": training_input}
        if job_id:
            body["jobId"] = job_id
        if labels:
            body["labels"] = labels
        if webhook_url:
            body["webhook"] = {"url": webhook_url}
        return self._call("POST", "/jobs", body=body)

    def list_jobs(self, state: str | None = None, page_size: int | None = None, max_pages: int = 50,
                  search: str | None = None, labels: list[str] | None = None,
                  notebook: str | None = None) -> list[dict]:
        """``GET /jobs``, newest first, following ``nextPageToken``. ``search`` is text in the id or notebook
        path, ``labels`` are ``key`` or ``key=value`` filters (all must match), ``notebook`` an exact path."""
        jobs: list[dict] = []
        token = None
        for _ in range(max_pages):
            params = {"state": state, "pageSize": page_size, "pageToken": token, "q": search or None,
                      "notebook": notebook, "label": list(labels) if labels else None}
            page = self._call("GET", "/jobs", params=params)
            jobs.extend(page.get("jobs", []))
            token = page.get("nextPageToken")
            if not token:
                break
        return jobs

    def get_job(self, job_id: str) -> dict:
        """``GET /jobs/{id}``."""
        return self._call("GET", self._job_path(job_id))

    def rerun_job(self, job_id: str, new_job_id: str | None = None) -> dict:
        """``POST /jobs/{id}/rerun``: submit a finished job again (its spec, parameters, labels and webhook)
        under ``new_job_id``, or an id the service picks. Returns the new Job."""
        return self._call("POST", self._job_path(job_id) + "/rerun", body={"jobId": new_job_id} if new_job_id else {})

    def set_labels(self, job_id: str, labels: dict[str, str]) -> dict:
        """``PATCH /jobs/{id}``: replace the job's labels. Returns the Job."""
        return self._call("PATCH", self._job_path(job_id), body={"labels": dict(labels)})

    def cancel_job(self, job_id: str) -> dict:
        """``POST /jobs/{id}/cancel``: CANCELLED at once from QUEUED, else CANCELLING."""
        return self._call("POST", self._job_path(job_id) + "/cancel")

    def delete_job(self, job_id: str) -> None:
        """``DELETE /jobs/{id}``: remove a job with its outputs, logs, metrics and trials (a running one is
        cancelled first). A job a registered model version was made from is kept: 409 naming the version."""
        self._call("DELETE", self._job_path(job_id))

    def delete_jobs(self, job_ids: list[str]) -> list[dict]:
        """``POST /jobs/batch-delete``: delete several jobs; one ``{jobId, deleted, error?}`` per id, in order."""
        return self._call("POST", "/jobs/batch-delete", body={"jobIds": list(job_ids)})["results"]

    def stop_job(self, job_id: str) -> dict:
        """``POST /jobs/{id}/stop``: an HPO job starts no new trials; running ones finish. Returns the Job."""
        return self._call("POST", self._job_path(job_id) + "/stop")

    def logs(self, job_id: str, after: int | None = None, limit: int | None = None) -> dict:
        """``GET /jobs/{id}/logs``: ``{lines: [...], nextSeq}``."""
        return self._call("GET", self._job_path(job_id) + "/logs", params={"after": after, "limit": limit})

    def all_logs(self, job_id: str, after: int | None = None) -> Iterator[dict]:
        """Every log line stored so far, page by page."""
        return self._all_lines(self._job_path(job_id), after)

    def _all_lines(self, base: str, after: int | None) -> Iterator[dict]:
        """Every stored line under ``base`` (a job's or a trial's path): the two share one paging scheme."""
        while True:
            lines = self._call("GET", base + "/logs", params={"after": after}).get("lines", [])
            if not lines:
                return
            yield from lines
            # Resume after the last line seen rather than trusting nextSeq's off-by-one convention.
            after = lines[-1].get("seq")
            if after is None:
                return

    def metrics(self, job_id: str, name: str | None = None, max_points: int | None = None) -> list[dict]:
        """``GET /jobs/{id}/metrics``, every page: ``[{step, name, value, time}]`` in step order.

        ``name`` keeps one metric; ``max_points`` asks the service for at most that many evenly spaced
        values of each metric (its first and last included), enough for a chart of a long run.
        """
        out: list[dict] = []
        token = None
        while True:
            body = self._call("GET", self._job_path(job_id) + "/metrics",
                              params={"name": name, "maxPoints": max_points, "pageToken": token})
            out.extend(body.get("metrics", []))
            token = body.get("nextPageToken")
            if not token:
                return out

    def usage(self, job_id: str, trial_id: str | int | None = None, max_points: int | None = None) -> dict:
        """``GET /jobs/{id}/usage`` (or a trial's): ``{available, note?, samples, summary}``.

        ``samples`` are CPU, memory and GPU readings taken every few seconds while the run ran;
        ``summary`` has ``peakMemoryBytes``, ``cpuSeconds``, ``gpuHours`` and, when an ended run used
        under a quarter of the memory it asked for, a ``hint``.
        """
        base = self._trial_path(job_id, trial_id) if trial_id is not None else self._job_path(job_id)
        return self._call("GET", base + "/usage", params={"maxPoints": max_points})

    def usage_summary(self, job_id: str, trial_id: str | int | None = None) -> dict:
        """The ``summary`` of :meth:`usage`: peak memory, CPU-seconds, GPU-hours (and the hint, if any)."""
        return self.usage(job_id, trial_id, max_points=2)["summary"]

    def output(self, job_id: str, name: str) -> bytes:
        """``GET /jobs/{id}/outputs/{name}`` (``output.ipynb`` or ``output.html``)."""
        return self._download(self._job_path(job_id) + "/outputs/" + urllib.parse.quote(name))

    def stream_logs(self, job_id: str, after: int | None = None, reconnects: int = 3) -> Iterator[SSEEvent]:
        """Follow ``/jobs/{id}/logs/stream``: ``log`` events, then one ``end`` event carrying the Job.

        A dropped connection is resumed from the last sequence number seen.
        """
        return self._stream_lines(self._job_path(job_id), f"job {job_id}", after, reconnects)

    def _stream_lines(self, base: str, what: str, after: int | None, reconnects: int) -> Iterator[SSEEvent]:
        """Follow ``base + /logs/stream`` (a job or a trial), resuming after drops."""
        last = after
        attempts = 0
        while True:
            resp = self._send("GET", "/api/v1" + base + "/logs/stream", params={"after": last}, stream=True)
            if resp.status >= 300:
                raise error_from_response(resp.status, resp.read())
            try:
                for event in parse_sse(resp.iter_chunks()):
                    if event.event == "log" and isinstance(event.data, dict):
                        last = event.data.get("seq", last)
                        attempts = 0
                    yield event
                    if event.event == "end":
                        return
            except (requests.RequestException, OSError, http.client.HTTPException):
                pass
            finally:
                resp.close()
            attempts += 1
            if attempts > reconnects:
                raise ServiceUnavailable(f"the log stream of {what} ended before it did")

    # -- HPO trials --------------------------------------------------------

    @classmethod
    def _trial_path(cls, job_id: str, trial_id: str | int) -> str:
        return cls._job_path(job_id) + "/trials/" + urllib.parse.quote(str(trial_id), safe="")

    def trials(self, job_id: str, state: str | None = None, page_size: int | None = None) -> list[dict]:
        """``GET /jobs/{id}/trials``: every trial of an HPO job in trial order, all pages fetched.

        ``state`` keeps only trials in that state. A training job that is not an
        HPO job has no trials (an empty list).
        """
        trials: list[dict] = []
        token = None
        seen: set[str] = set()
        while True:
            page = self._call("GET", self._job_path(job_id) + "/trials",
                              params={"state": state, "pageSize": page_size, "pageToken": token})
            trials.extend(page.get("trials", []))
            token = page.get("nextPageToken")
            # A token seen before would loop forever; the service never sends one, but be safe.
            if not token or token in seen:
                return trials
            seen.add(token)

    def get_trial(self, job_id: str, trial_id: str | int) -> dict:
        """``GET /jobs/{id}/trials/{trialId}``."""
        return self._call("GET", self._trial_path(job_id, trial_id))

    def trial_logs(self, job_id: str, trial_id: str | int, after: int | None = None,
                   limit: int | None = None) -> dict:
        """``GET /jobs/{id}/trials/{trialId}/logs``: ``{lines: [...], nextSeq}`` as for a job."""
        return self._call("GET", self._trial_path(job_id, trial_id) + "/logs", params={"after": after, "limit": limit})

    def all_trial_logs(self, job_id: str, trial_id: str | int, after: int | None = None) -> Iterator[dict]:
        """Every log line of one trial stored so far, page by page."""
        return self._all_lines(self._trial_path(job_id, trial_id), after)

    def stream_trial_logs(self, job_id: str, trial_id: str | int, after: int | None = None,
                          reconnects: int = 3) -> Iterator[SSEEvent]:
        """Follow one trial's log: ``log`` events, then one ``end`` event once the trial has ended."""
        return self._stream_lines(self._trial_path(job_id, trial_id), f"trial {trial_id} of job {job_id}",
                                  after, reconnects)

    def trial_output(self, job_id: str, trial_id: str | int, name: str) -> bytes:
        """``GET /jobs/{id}/trials/{trialId}/outputs/{name}`` (``output.ipynb`` or ``output.html``)."""
        return self._download(self._trial_path(job_id, trial_id) + "/outputs/" + urllib.parse.quote(name))
