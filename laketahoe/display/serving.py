"""Renderings of registered models, deployments and the comparison of a champion with its challenger."""

from __future__ import annotations

import html

from .jobs import hyperparameters_text
from .tables import badge_html, html_table, pairs_html, pairs_text, text_table


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
    return text_table(rows)


def models_html(models: list[dict]) -> str:
    """The caller's models as an HTML table."""
    if not models:
        return "<p>No LakeTahoe models.</p>"
    rows = [[f"<code>{html.escape(m.get('name', ''))}</code>", html.escape(str(m.get("latestVersion", ""))),
             html.escape(m.get("updateTime") or m.get("createTime") or "")] for m in models]
    return html_table("jp-laketahoe-models", ("Model", "Latest version", "Updated"), rows)


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
        lines += ["", text_table([_VERSION_HEADER, *(_version_row(v) for v in versions)])]
    return "\n".join(lines)


def model_html(model: dict) -> str:
    """One model and its versions as HTML."""
    rows = [[html.escape(str(c)) for c in _version_row(v)] for v in model.get("versions") or []]
    title = f"<p>Model <code>{html.escape(model.get('name', ''))}</code></p>"
    return title + html_table("jp-laketahoe-model-versions", tuple(h.capitalize() for h in _VERSION_HEADER), rows)


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
    return pairs_text([(k, str(v)) for k, v in pairs if v not in ("", None)])


def deployments_text(deployments: list[dict]) -> str:
    """gcloud-like columns: NAME STATE MODEL REPLICAS ENDPOINT."""
    if not deployments:
        return "Listed 0 items."
    rows = [("NAME", "STATE", "MODEL", "REPLICAS", "ENDPOINT")]
    rows += [(d.get("name", ""), d.get("state", ""), model_ref(d.get("model")), d.get("replicas", ""),
              d.get("endpoint", "")) for d in deployments]
    return text_table(rows)


def deployments_html(deployments: list[dict]) -> str:
    """Deployments as an HTML table with state badges."""
    if not deployments:
        return "<p>No LakeTahoe deployments.</p>"
    rows = [[f"<code>{html.escape(d.get('name', ''))}</code>", badge_html(d.get("state", "")),
             html.escape(model_ref(d.get("model"))), html.escape(str(d.get("replicas", ""))),
             f"<code>{html.escape(d.get('endpoint', ''))}</code>"] for d in deployments]
    return html_table("jp-laketahoe-deployments", ("Deployment", "State", "Model", "Replicas", "Endpoint"), rows)


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
    if not rows:
        return "No requests compared yet: versions are compared while a challenger serves beside the champion."
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
    return pairs_text(_deployment_pairs(d))


def deployment_html(d: dict) -> str:
    """One deployment as a definition table with a state badge."""
    return pairs_html(_deployment_pairs(d), "jp-laketahoe-deployment")
