"""The serving part of the client: registered models and their deployments."""

from __future__ import annotations

import urllib.parse
from typing import Any

from .base import ClientBase


class ServingApi(ClientBase):
    """``/models`` and ``/deployments``."""


    @staticmethod
    def _model_path(name: str) -> str:
        return "/models/" + urllib.parse.quote(name, safe="")

    @staticmethod
    def _deployment_path(name: str) -> str:
        return "/deployments/" + urllib.parse.quote(name, safe="")

    def list_models(self) -> list[dict]:
        """``GET /models``: the caller's models, newest first (without their versions)."""
        return self._call("GET", "/models").get("models", [])

    def get_model(self, name: str) -> dict:
        """``GET /models/{name}``: the model with its ``versions``, newest first."""
        return self._call("GET", self._model_path(name))

    def get_model_version(self, name: str, version: int | str) -> dict:
        """``GET /models/{name}/versions/{version}``: one ModelVersion (framework, signature, source)."""
        return self._call("GET", self._model_path(name) + "/versions/" + urllib.parse.quote(str(version), safe=""))

    def register_model(self, path: str, name: str | None = None) -> dict:
        """``POST /models``: register a saved model folder (root-relative ``path``) as a new version."""
        body: dict[str, Any] = {"path": path}
        if name:
            body["name"] = name
        return self._call("POST", "/models", body=body)

    def register_job_model(self, job_id: str, trial_id: str | int | None = None,
                           model_name: str | None = None) -> dict:
        """``POST /jobs/{id}/models``: register the model a succeeded job (or one of its trials) saved."""
        body: dict[str, Any] = {}
        if trial_id is not None:
            body["trialId"] = str(trial_id)
        if model_name:
            body["modelName"] = model_name
        return self._call("POST", self._job_path(job_id) + "/models", body=body)

    def create_deployment(self, name: str, model: dict | None = None, source: dict | None = None,
                          replicas: int | None = None, monitoring: dict | None = None) -> dict:
        """``POST /deployments``: serve ``model`` (``{name, version?}``) or a job's model (``source``)."""
        body: dict[str, Any] = {"name": name}
        if model is not None:
            body["model"] = model
        if source is not None:
            body["source"] = source
        if replicas is not None:
            body["replicas"] = replicas
        if monitoring is not None:
            body["monitoring"] = monitoring
        return self._call("POST", "/deployments", body=body)

    def list_deployments(self) -> list[dict]:
        """``GET /deployments``."""
        return self._call("GET", "/deployments").get("deployments", [])

    def get_deployment(self, name: str) -> dict:
        """``GET /deployments/{name}``."""
        return self._call("GET", self._deployment_path(name))

    def update_deployment(self, name: str, model: dict | None = None, monitoring: dict | None = None,
                          challenger: dict | None | bool = False, replicas: int | None = None,
                          autoscaling: dict | None | bool = False, challengers: list | None = None) -> dict:
        """``PATCH /deployments/{name}``: switch the model version, the monitoring settings, the challenger
        or the replicas (Kubernetes: model server pods of each served version). ``autoscaling`` is
        ``{minReplicas, maxReplicas, targetInflight?, scaleDownDelaySeconds?}``, ``None`` to stop it; the
        default ``False`` leaves it alone.

        ``challenger`` is ``{model?: {name, version?}, mode?: "canary"|"shadow", weight?: 0-100}``
        (add one, or change the mode/weight of the one its model names, or of the only one), ``None``
        to remove them all; the default ``False`` leaves them alone. ``challengers`` is the whole set
        wanted (at most 3 of ``{model: {name, version?}, mode?, weight?}``): those not listed are removed.
        """
        body: dict[str, Any] = {}
        if model is not None:
            body["model"] = model
        if monitoring is not None:
            body["monitoring"] = monitoring
        if challenger is not False:
            body["challenger"] = challenger
        if challengers is not None:
            body["challengers"] = challengers
        if replicas is not None:
            body["replicas"] = replicas
        if autoscaling is not False:
            body["autoscaling"] = autoscaling
        return self._call("PATCH", self._deployment_path(name), body=body)

    def promote_deployment(self, name: str, version: int | None = None) -> dict:
        """``POST /deployments/{name}/promote``: a ready challenger (``version``, or the only one) becomes
        the champion; the other challengers stay."""
        params = {"version": str(version)} if version is not None else None
        return self._call("POST", self._deployment_path(name) + "/promote", params=params)

    def deployment_versions(self, name: str) -> dict:
        """``GET /deployments/{name}/monitoring/versions``: champion and challengers side by side."""
        return self._call("GET", self._deployment_path(name) + "/monitoring/versions")

    def delete_deployment(self, name: str) -> dict:
        """``DELETE /deployments/{name}``: stop the model server and remove the deployment."""
        return self._call("DELETE", self._deployment_path(name))

    def infer(self, name: str, model: str, request: dict) -> dict:
        """``POST /deployments/{name}/v2/models/{model}/infer``: an OIP v2 request, the server's answer."""
        return self._call("POST", self._deployment_path(name) + "/v2/models/" + urllib.parse.quote(model, safe="")
                          + "/infer", body=request)

    def monitoring(self, name: str, since: str | None = None, step: int | None = None) -> dict:
        """``GET /deployments/{name}/monitoring``: request series, drift and alerts."""
        return self._call("GET", self._deployment_path(name) + "/monitoring", params={"since": since, "step": step})

    def alerts(self, name: str) -> list[dict]:
        """``GET /deployments/{name}/alerts``: firing and resolved alerts, newest first."""
        return self._call("GET", self._deployment_path(name) + "/alerts").get("alerts", [])
