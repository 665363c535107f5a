"""The job definitions part of the client: saved, scheduled job specs."""

from __future__ import annotations

import urllib.parse

from .base import ClientBase


class DefinitionsApi(ClientBase):
    """``/definitions`` and ``/schedule-preview``."""

    @staticmethod
    def _definition_path(definition_id: str) -> str:
        return "/definitions/" + urllib.parse.quote(definition_id, safe="")

    def create_definition(self, body: dict) -> dict:
        """``POST /definitions``: save a job spec (``definitionId``, ``trainingInput``, ``schedule``...)."""
        return self._call("POST", "/definitions", body=body)

    def list_definitions(self) -> list[dict]:
        """``GET /definitions``: the caller's definitions with their next run times."""
        return self._call("GET", "/definitions").get("definitions", [])

    def get_definition(self, definition_id: str) -> dict:
        """``GET /definitions/{id}``."""
        return self._call("GET", self._definition_path(definition_id))

    def replace_definition(self, definition_id: str, body: dict) -> dict:
        """``PUT /definitions/{id}``: the whole definition again (without its id)."""
        return self._call("PUT", self._definition_path(definition_id), body=body)

    def delete_definition(self, definition_id: str) -> None:
        """``DELETE /definitions/{id}``: the definition and its history go; its jobs stay."""
        self._call("DELETE", self._definition_path(definition_id))

    def pause_definition(self, definition_id: str, paused: bool = True) -> dict:
        """``POST /definitions/{id}/pause`` (or ``/resume`` with ``paused=False``)."""
        return self._call("POST", self._definition_path(definition_id) + ("/pause" if paused else "/resume"))

    def run_definition(self, definition_id: str) -> dict:
        """``POST /definitions/{id}/run``: submit a run now; returns its Job."""
        return self._call("POST", self._definition_path(definition_id) + "/run")

    def definition_runs(self, definition_id: str, page_size: int | None = None) -> list[dict]:
        """``GET /definitions/{id}/runs``: run history, newest first."""
        return self._call("GET", self._definition_path(definition_id) + "/runs", params={"pageSize": page_size})["runs"]

    def schedule_preview(self, cron: str, time_zone: str = "UTC", count: int | None = None) -> list[str]:
        """``GET /schedule-preview``: the next times ``cron`` fires in ``time_zone`` (ISO, UTC)."""
        return self._call("GET", "/schedule-preview",
                          params={"cron": cron, "timeZone": time_zone, "count": count})["nextRunTimes"]
