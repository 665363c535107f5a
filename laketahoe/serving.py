"""Models, deployments and predictions from a kernel: ``laketahoe.deploy(...)``, ``laketahoe.predict(...)``.

Plain functions over :class:`laketahoe.client.Client`; the ``%lt`` magics and
the CLI call the same ones. Requests to a deployment are built from its model
version's signature (:mod:`laketahoe.signature`).
"""

from __future__ import annotations

import os
import re
import time

from .client import Client, LakeTahoeError, client_or_default
from .display import DeploymentList, DeploymentView, ModelList, ModelView

DEPLOYED_STATES = frozenset({"READY"})
_MODEL_REF = re.compile(r"^(?P<name>[^:]+)(?::(?P<version>\d+))?$")


class DeploymentFailed(LakeTahoeError):
    """A deployment ended FAILED while we waited; the message is the service's reason."""


class DeploymentTimeout(LakeTahoeError):
    """A deployment was still not READY when we stopped waiting."""


def parse_model_ref(ref: str, version: int | str | None = None) -> dict:
    """``"iris"`` / ``"iris:2"`` (plus an explicit ``version``) as ``{name, version?}``."""
    match = _MODEL_REF.match(str(ref).strip())
    if not match:
        raise LakeTahoeError(f"model {ref!r}: write NAME or NAME:VERSION, e.g. iris:2")
    out: dict = {"name": match.group("name")}
    if match.group("version") and version is not None and str(version) != match.group("version"):
        raise LakeTahoeError(f"model {ref!r} names version {match.group('version')} but version={version} was given")
    chosen = version if version is not None else match.group("version")
    if chosen is not None:
        try:
            out["version"] = int(chosen)
        except (TypeError, ValueError):
            raise LakeTahoeError(f"version must be a whole number, not {chosen!r}") from None
    return out


def models(client: Client | None = None) -> ModelList:
    """Your registered models, newest first (a list of Model dicts that shows as a table)."""
    return ModelList(client_or_default(client).list_models())


def model(name: str, client: Client | None = None) -> ModelView:
    """One model with its versions, newest first."""
    return ModelView(client_or_default(client).get_model(name))


def register_model(path: str, name: str | None = None, client: Client | None = None) -> dict:
    """Register a saved model folder (what ``save_model`` returned, or its path) as a new version.

    ``path`` is local (absolute or relative to the current directory) and must
    lie under the service's root directory. Returns the ModelVersion.
    """
    c = client_or_default(client)
    return c.register_model(c.to_root_relative(os.fspath(path)), name=name)


def _is_saved_folder(ref) -> bool:
    return isinstance(ref, (str, os.PathLike)) and os.path.isfile(os.path.join(os.fspath(ref), "laketahoe-model.json"))


def deploy(model: str | None = None, version: int | None = None, name: str | None = None, wait: bool = True, *,
           job_id: str | None = None, trial_id: str | int | None = None, replicas: int | None = None,
           monitoring: dict | None = None, timeout: float = 300, client: Client | None = None) -> DeploymentView:
    """Serve a model version behind a deployment ``name``.

    ``model`` is a registered model (``"iris"``, ``"iris:2"``; the latest
    version unless ``version`` says) or a saved model folder, registered first.
    ``deploy(job_id=..., trial_id=None, name=...)`` serves the model a job (or
    one trial of an HPO job) saved. ``name`` defaults to the model's name. With
    ``wait`` (default) this returns once the deployment is READY and raises
    :class:`DeploymentFailed` with the server's reason if it fails.
    """
    c = client_or_default(client)
    if (model is None) == (job_id is None):
        raise LakeTahoeError("deploy: give a model (e.g. 'iris' or 'iris:2') or job_id=..., not both")
    if trial_id is not None and job_id is None:
        raise LakeTahoeError("deploy: trial_id needs job_id")
    if job_id is not None:
        if not name:
            raise LakeTahoeError("deploy: give name=... for a deployment of a job's model")
        source: dict = {"jobId": job_id}
        if trial_id is not None:
            source["trialId"] = str(trial_id)
        deployment = c.create_deployment(name, source=source, replicas=replicas, monitoring=monitoring)
    else:
        if _is_saved_folder(model):
            registered = register_model(model, client=c)
            ref = {"name": registered["name"], "version": registered["version"]}
        else:
            ref = parse_model_ref(model, version)
        deployment = c.create_deployment(name or ref["name"], model=ref, replicas=replicas, monitoring=monitoring)
    if wait:
        deployment = wait_ready(deployment["name"], timeout=timeout, client=c)
    return DeploymentView(deployment)


def _traffic(canary: int | None, shadow: bool) -> dict:
    """``canary``/``shadow`` as the challenger's ``mode`` and ``weight``."""
    if canary is not None and shadow:
        raise LakeTahoeError("give canary=PERCENT or shadow=True, not both")
    if canary is not None:
        if isinstance(canary, bool) or not isinstance(canary, int) or not 0 <= canary <= 100:
            raise LakeTahoeError(f"canary must be a whole percent from 0 to 100, not {canary!r}")
        return {"mode": "canary", "weight": canary}
    return {"mode": "shadow"} if shadow else {}


def add_challenger(name: str, model: str | None = None, version: int | None = None, *, canary: int | None = None,
                   shadow: bool = False, job_id: str | None = None, trial_id: str | int | None = None,
                   wait: bool = False, timeout: float = 300, client: Client | None = None) -> DeploymentView:
    """Serve another version of the deployment's model beside its champion.

    ``model`` is ``"iris:3"`` (or ``version=3``), or ``job_id``/``trial_id`` name
    the run whose saved model is registered first. ``canary=10`` sends 10 % of
    requests to the challenger (the default when neither is given); ``shadow=True``
    sends it a copy of every request and records its answer without returning
    it. With ``wait`` this returns once the challenger is READY.
    """
    # The caller's mistakes are told before the service is looked for (they need none).
    if (model is None) == (job_id is None):
        raise LakeTahoeError("add_challenger: give a model version (e.g. 'iris:3') or job_id=..., not both")
    traffic = _traffic(canary, shadow)
    ref = parse_model_ref(model, version) if job_id is None else None
    c = client_or_default(client)
    if ref is None:
        registered = c.register_job_model(job_id, trial_id=trial_id)
        ref = {"name": registered["name"], "version": registered["version"]}
    deployment = c.update_deployment(name, challenger={"model": ref, **traffic})
    if wait:
        deployment = wait_challenger_ready(name, version=ref.get("version"), timeout=timeout, client=c)
    return DeploymentView(deployment)


def challenger_of(deployment: dict, version: int | None = None) -> dict:
    """The challenger of ``version`` (the newest when None) in a deployment; error when there is none."""
    challengers = deployment.get("challengers") or []
    found = [c for c in challengers if version is None or c["model"]["version"] == version]
    if not found:
        raise LakeTahoeError(f"deployment {deployment.get('name')} has no challenger"
                             + (f" version {version}" if version is not None else ""))
    return found[-1]


def set_traffic(name: str, *, canary: int | None = None, shadow: bool = False, version: int | None = None,
                client: Client | None = None) -> DeploymentView:
    """Change how a challenger gets requests (canary percent or shadow); applies to the next request.

    ``version`` names the challenger; it may be left out when there is only one.
    """
    traffic = _traffic(canary, shadow)
    if not traffic:
        raise LakeTahoeError("set_traffic: give canary=PERCENT or shadow=True")
    c = client_or_default(client)
    if version is not None:
        traffic["model"] = {"name": c.get_deployment(name)["model"]["name"], "version": version}
    return DeploymentView(c.update_deployment(name, challenger=traffic))


def remove_challenger(name: str, version: int | None = None, client: Client | None = None) -> DeploymentView:
    """Stop a challenger (``version``), or all of them (requests in flight finish)."""
    c = client_or_default(client)
    if version is None:
        return DeploymentView(c.update_deployment(name, challenger=None))
    deployment = c.get_deployment(name)
    challenger_of(deployment, version)
    keep = [{"model": ch["model"], "mode": ch["mode"], "weight": ch["weight"]}
            for ch in deployment.get("challengers") or [] if ch["model"]["version"] != version]
    return DeploymentView(c.update_deployment(name, challengers=keep))


def scale(name: str, replicas: int, client: Client | None = None) -> DeploymentView:
    """Set how many model server pods serve each version of a Kubernetes deployment (no restart)."""
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 1:
        raise LakeTahoeError(f"scale: replicas must be a whole number of at least 1, not {replicas!r}")
    return DeploymentView(client_or_default(client).update_deployment(name, replicas=replicas))


def autoscaling_spec(min_replicas: int, max_replicas: int, target_inflight: int | None = None,
                     scale_down_delay: int | None = None, cpu_target: int | None = None) -> dict:
    """The ``autoscaling`` field of a deployment update: within min/max replicas, scale by requests in
    flight, or with ``cpu_target`` by CPU use (percent of each replica's CPU request aimed at)."""
    if cpu_target is not None and target_inflight is not None:
        raise LakeTahoeError("autoscaling follows requests in flight (target_inflight) or CPU (cpu_target), not both")
    spec = {"minReplicas": min_replicas, "maxReplicas": max_replicas}
    if cpu_target is not None:
        spec["metric"] = "cpu"
        spec["targetCpuPercent"] = cpu_target
    if target_inflight is not None:
        spec["targetInflight"] = target_inflight
    if scale_down_delay is not None:
        spec["scaleDownDelaySeconds"] = scale_down_delay
    return spec


def promote(name: str, version: int | None = None, client: Client | None = None) -> DeploymentView:
    """Make a ready challenger (``version``, or the only one) the champion, without a restart or a
    failed request; the other challengers stay beside the new champion."""
    deployment = client_or_default(client).promote_deployment(name, version)
    model = deployment.get("model") or {}
    return DeploymentView(deployment, note=f"Deployment {name} now serves {model.get('name')}:{model.get('version')}.")


def compare(name: str, client: Client | None = None) -> dict:
    """Champion and challengers side by side: requests, errors, latency, predictions, shadow agreement."""
    return client_or_default(client).deployment_versions(name)


def wait_challenger_ready(name: str, timeout: float = 300, interval: float = 0.5,
                          client: Client | None = None, version: int | None = None) -> dict:
    """Poll until the deployment's challenger ``version`` (the newest when None) is READY (the
    deployment is returned) or FAILED (:class:`DeploymentFailed`)."""
    c = client_or_default(client)
    deadline = time.monotonic() + timeout
    while True:
        deployment = c.get_deployment(name)
        try:
            challenger = challenger_of(deployment, version)
        except LakeTahoeError as exc:
            raise DeploymentFailed(str(exc)) from None
        if challenger.get("state") == "READY":
            return deployment
        if challenger.get("state") == "FAILED":
            raise DeploymentFailed(f"challenger of {name} failed: {challenger.get('errorMessage') or 'no reason given'}")
        if time.monotonic() > deadline:
            raise DeploymentTimeout(f"the challenger of {name} is still {challenger.get('state')} after {timeout:g} s")
        time.sleep(interval)


def wait_ready(name: str, timeout: float = 300, interval: float = 0.5, client: Client | None = None) -> dict:
    """Poll a deployment until it is READY (returned) or FAILED (:class:`DeploymentFailed`)."""
    c = client_or_default(client)
    deadline = time.monotonic() + timeout
    while True:
        deployment = c.get_deployment(name)
        state = deployment.get("state")
        if state in DEPLOYED_STATES:
            return deployment
        if state == "FAILED":
            raise DeploymentFailed(f"deployment {name} failed: {deployment.get('errorMessage') or 'no reason given'}")
        if time.monotonic() > deadline:
            raise DeploymentTimeout(f"deployment {name} is still {state} after {timeout:g} s; "
                                    f"check it with laketahoe.deployments()")
        time.sleep(interval)


def deployments(client: Client | None = None) -> DeploymentList:
    """Your deployments (a list of Deployment dicts that shows as a table)."""
    return DeploymentList(client_or_default(client).list_deployments())


def undeploy(name: str, client: Client | None = None) -> DeploymentView:
    """Stop a deployment's model server and remove it (its monitoring data too)."""
    return DeploymentView(client_or_default(client).delete_deployment(name), note=f"Deployment {name} deleted.")


# A model version never changes once registered: its signature is fetched once per service and version.
_signatures: dict[tuple[str, str, int], dict] = {}


def signature_of(deployment: dict, client: Client | None = None) -> dict:
    """The signature of the model version a deployment serves."""
    c = client_or_default(client)
    ref = deployment.get("model") or {}
    key = (c.address, ref["name"], int(ref["version"]))
    if key not in _signatures:
        signature = c.get_model_version(ref["name"], ref["version"]).get("signature")
        if not signature or not signature.get("inputs"):
            raise LakeTahoeError(f"model {ref['name']}:{ref['version']} has no signature to build requests from")
        _signatures[key] = signature
    return _signatures[key]


def predict(name: str, data, client: Client | None = None):
    """Predictions of deployment ``name`` for ``data``.

    ``data``: a pandas DataFrame (columns by name), a numpy array (2-D rows,
    or 1-D: one row) or a list of rows (lists in column order, or dicts). The
    request is built from the served model's signature: columns in its order,
    values converted to its datatypes, categorical columns as text. Returns a
    numpy array, or for a DataFrame a pandas Series (one value per row) or
    DataFrame with the same index. The server's error is raised as is.
    """
    from .signature import SignatureError, _is_dataframe, decode_response, encode_request

    c = client_or_default(client)
    deployment = c.get_deployment(name)
    signature = signature_of(deployment, c)
    try:
        request = encode_request(data, signature)
    except SignatureError as exc:
        raise LakeTahoeError(f"predict: {exc}") from None
    answer = c.infer(name, deployment["model"]["name"], request)
    outputs = signature.get("outputs") or []
    result = decode_response(answer, outputs[0] if outputs else None)
    if _is_dataframe(data):
        import pandas as pd

        if len(result) != len(data):
            raise LakeTahoeError(f"predict: the model server answered {len(result)} rows for {len(data)}")
        if result.ndim == 1:
            return pd.Series(result, index=data.index, name="predict")
        return pd.DataFrame(result, index=data.index)
    return result
