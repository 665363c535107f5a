"""Champion and challenger from a kernel and the shell, against the real service and real MLServer processes.

``%lt deploy ... --canary N`` / ``--shadow``, ``%lt compare``, ``%lt promote``, ``laketahoe deployments
traffic|compare|promote`` and the plain functions behind them. The traffic split itself (1,000
requests, zero failures) is asserted in the service's own tests (server-proxy/test/api/champion.test.ts).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from IPython.core.error import UsageError
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import laketahoe
from laketahoe import serving
from laketahoe.client import LakeTahoeError
from laketahoe.display import ComparisonView, DeploymentView, comparison_text

from .conftest import child_env, lt_shell, mlserver_path, require_routes

pytestmark = pytest.mark.e2e


@pytest.fixture
def shell(use_service, monkeypatch):
    """An IPython shell with the extension loaded, its cwd inside the service root."""
    return lt_shell(use_service.root / "challenger", monkeypatch)


def cli(service, *args, cwd):
    env = child_env(LAKETAHOE_RUNTIME_FILE=str(service.runtime_file))
    env.pop("LAKETAHOE_URL", None)
    return subprocess.run([sys.executable, "-m", "laketahoe.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize("line, message", [
    ("deploy iris:2 --name x --canary 10 --shadow", "--canary PERCENT or --shadow, not both"),
    ("deploy iris:2 --name x --canary 101", "--canary is a percent from 0 to 100"),
    ("deploy iris:2 --name x --shadow --replicas 2", "leave out --replicas"),
    ("promote", "the following arguments are required: name"),
    ("scale x", "exactly one of --replicas N, --min N --max N or --no-autoscaling"),
    ("scale x --replicas 2 --no-autoscaling", "exactly one of"),
    ("scale x --min 0", "--min needs --max"),
    ("scale x --min 1 --max 2 --target-inflight 2 --cpu-target 50", "--target-inflight or --cpu-target, not both"),
    ("compare", "the following arguments are required: name"),
])
def test_magic_argument_mistakes(shell, line, message):
    with pytest.raises(UsageError, match=message):
        shell.run_line_magic("lt", line)


def test_plain_function_mistakes_need_no_service():
    with pytest.raises(LakeTahoeError, match="not both"):
        laketahoe.add_challenger("x", "iris:2", canary=10, shadow=True)
    with pytest.raises(LakeTahoeError, match="whole percent"):
        laketahoe.add_challenger("x", "iris:2", canary=150)
    with pytest.raises(LakeTahoeError, match="give a model version"):
        laketahoe.add_challenger("x")
    with pytest.raises(LakeTahoeError, match="at least 1, not 0"):
        serving.scale("x", 0)


def test_comparison_text_lists_versions_and_agreement():
    text = comparison_text({
        "versions": [
            {"role": "champion", "model": "iris", "version": 1, "requests": 10, "returned": 10, "errorRate": 0,
             "latencyMs": {"p50": 1.5, "p95": 2, "p99": 3}, "predictions": [{"value": "0", "count": 7}]},
            {"role": "challenger", "model": "iris", "version": 2, "requests": 10, "returned": 0, "errorRate": 0.1,
             "latencyMs": {"p50": None, "p95": None, "p99": None}, "predictions": [],
             "agreement": {"compared": 10, "agreed": 9, "rate": 0.9}},
            {"role": "challenger", "model": "iris", "version": 3, "requests": 4, "returned": 4, "errorRate": 0,
             "latencyMs": {"p50": 1, "p95": 1, "p99": 1}, "predictions": [],
             "agreement": {"compared": 0, "agreed": 0, "rate": None}},
        ],
        "agreement": {"compared": 10, "agreed": 9, "rate": 0.9},
        "predictionDrift": 0.25,
    })
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["ROLE", "VERSION", "REQUESTS"]
    assert lines[1].split()[:5] == ["champion", "iris:1", "10", "10", "0.0%"]
    assert lines[1].split()[8] == "-"
    assert lines[2].split()[:9] == ["challenger", "iris:2", "10", "0", "10.0%", "-", "-", "-", "90.0%"]
    assert lines[3].split()[:2] == ["challenger", "iris:3"] and lines[3].split()[8] == "-"
    assert "shadow agreement: 90.0% of 10 requests" in text and "0.250" in text


def test_comparison_text_without_versions_says_why():
    empty = {"versions": [], "agreement": {"compared": 0, "agreed": 0, "rate": None}, "predictionDrift": None}
    assert comparison_text(empty) == (
        "No requests compared yet: versions are compared while a challenger serves beside the champion.")


def test_canary_shadow_compare_promote(use_service, shell, tmp_path):
    require_routes(use_service, "/api/v1/deployments/{name}/promote", "/api/v1/deployments/{name}/monitoring/versions")
    if not mlserver_path().is_file():
        pytest.fail(f"{mlserver_path()} is missing: build the serving environment (.venv-serving)")
    X, y = load_iris(return_X_y=True, as_frame=True)
    first = laketahoe.register_model(laketahoe.save_model(LogisticRegression(max_iter=300).fit(X, y), "ab-iris", X, y))
    second = laketahoe.register_model(
        laketahoe.save_model(LogisticRegression(C=0.01, max_iter=300).fit(X, y), "ab-iris", X, y))
    v1, v2 = first["version"], second["version"]
    laketahoe.deploy(f"ab-iris:{v1}", name="ab", wait=True)
    try:
        with pytest.raises(UsageError, match="no challenger to promote"):
            shell.run_line_magic("lt", "promote ab")

        view = shell.run_line_magic("lt", f"deploy ab-iris:{v2} --name ab --canary 30 --wait")
        assert isinstance(view, DeploymentView)
        assert view["challenger"] == {**view["challenger"], "mode": "canary", "weight": 30, "state": "READY",
                                      "model": {"name": "ab-iris", "version": v2}}
        rows = X.iloc[:3]
        for _ in range(60):
            laketahoe.predict("ab", rows)
        compared = shell.run_line_magic("lt", "compare ab")
        assert isinstance(compared, ComparisonView)
        by_role = {v["role"]: v for v in compared["versions"]}
        assert by_role["champion"]["requests"] + by_role["challenger"]["requests"] == 60
        assert by_role["challenger"]["requests"] > 0 and "challenger" in repr(compared)

        out = cli(use_service, "deployments", "traffic", "ab", "--shadow", cwd=tmp_path)
        assert out.returncode == 0 and f"Challenger {v2} of [ab]: shadow." in out.stdout, out.stderr
        for _ in range(20):
            laketahoe.predict("ab", rows)
        out = cli(use_service, "deployments", "compare", "ab", cwd=tmp_path)
        assert out.returncode == 0 and "ROLE" in out.stdout and "shadow agreement:" in out.stdout, out.stdout
        out = cli(use_service, "deployments", "describe", "ab", cwd=tmp_path)
        assert f"challenger: ab-iris:{v2} (shadow, READY)" in out.stdout

        # One model server is all the local backend runs: the service says so, naming the field.
        out = cli(use_service, "deployments", "scale", "ab", "--replicas", "2", cwd=tmp_path)
        assert out.returncode != 0 and "the local backend runs exactly one model server" in out.stderr, out.stderr
        out = cli(use_service, "deployments", "scale", "ab", "--replicas", "1", cwd=tmp_path)
        assert out.returncode == 0 and "Scaled [ab] to 1 replica." in out.stdout, out.stderr
        out = cli(use_service, "deployments", "scale", "ab", "--min", "0", "--max", "2", cwd=tmp_path)
        assert out.returncode != 0 and "autoscaling applies to the Kubernetes backend only" in out.stderr, out.stderr
        out = cli(use_service, "deployments", "scale", "ab", "--min", "1", cwd=tmp_path)
        assert out.returncode != 0 and "--min needs --max" in out.stderr, out.stderr
        out = cli(use_service, "deployments", "scale", "ab", "--min", "1", "--max", "2", "--cpu-target", "95", cwd=tmp_path)
        assert out.returncode != 0 and "autoscaling.targetCpuPercent" in out.stderr, out.stderr
        out = cli(use_service, "deployments", "scale", "ab", "--min", "1", "--max", "2", "--cpu-target", "50",
                  "--target-inflight", "2", cwd=tmp_path)
        assert out.returncode != 0 and "not allowed with argument" in out.stderr, out.stderr
        with pytest.raises(UsageError, match="the local backend runs exactly one model server"):
            shell.run_line_magic("lt", "scale ab --replicas 3")
        assert shell.run_line_magic("lt", "scale ab --replicas 1")["replicas"] == 1

        # A second challenger beside the first (create --canary on an existing deployment adds one).
        v3 = laketahoe.register_model(laketahoe.save_model(LogisticRegression(C=0.1, max_iter=300).fit(X, y), "ab-iris",
                                                           X, y))["version"]
        out = cli(use_service, "deployments", "create", "ab", "--model", f"ab-iris:{v3}", "--canary", "5", "--wait",
                  cwd=tmp_path)
        assert out.returncode == 0 and f"Challenger ab-iris:{v3} of [ab] (canary 5%): READY" in out.stdout, out.stderr
        out = cli(use_service, "deployments", "describe", "ab", cwd=tmp_path)
        assert f"challenger: ab-iris:{v2} (shadow, READY)" in out.stdout
        assert f"challenger: ab-iris:{v3} (canary 5%, READY)" in out.stdout
        with pytest.raises(UsageError, match="say which"):
            shell.run_line_magic("lt", "promote ab")
        out = cli(use_service, "deployments", "traffic", "ab", "--canary", "20", cwd=tmp_path)
        assert out.returncode != 0 and "say which" in out.stderr, out.stderr
        out = cli(use_service, "deployments", "traffic", "ab", "--canary", "20", "--version", str(v3), cwd=tmp_path)
        assert out.returncode == 0 and f"Challenger {v3} of [ab]: canary 20%." in out.stdout, out.stderr

        out = cli(use_service, "deployments", "promote", "ab", "--version", str(v2), cwd=tmp_path)
        assert out.returncode == 0 and f"now serves ab-iris:{v2}" in out.stdout, out.stderr
        deployment = use_service.client().get_deployment("ab")
        assert deployment["model"]["version"] == v2
        assert [(c["model"]["version"], c["weight"]) for c in deployment["challengers"]] == [(v3, 20)]

        # Removing one challenger by version; the last one with --remove alone.
        out = cli(use_service, "deployments", "create", "ab", "--model", f"ab-iris:{v1}", "--shadow", cwd=tmp_path)
        assert out.returncode == 0 and f"Challenger ab-iris:{v1} of [ab] (shadow)" in out.stdout, out.stderr
        out = cli(use_service, "deployments", "traffic", "ab", "--remove", "--version", str(v3), cwd=tmp_path)
        assert out.returncode == 0 and f"Removed the challenger version {v3} of [ab]" in out.stdout, out.stderr
        assert [c["model"]["version"] for c in use_service.client().get_deployment("ab")["challengers"]] == [v1]
        out = cli(use_service, "deployments", "traffic", "ab", "--remove", cwd=tmp_path)
        assert out.returncode == 0 and "Removed the challengers" in out.stdout
        deployment = use_service.client().get_deployment("ab")
        assert "challenger" not in deployment and "challengers" not in deployment
    finally:
        laketahoe.undeploy("ab")


def test_autoscaling_spec_names_only_what_was_given():
    from laketahoe.serving import autoscaling_spec

    assert autoscaling_spec(0, 3) == {"minReplicas": 0, "maxReplicas": 3}
    assert autoscaling_spec(1, 4, 8, 30) == {"minReplicas": 1, "maxReplicas": 4, "targetInflight": 8,
                                             "scaleDownDelaySeconds": 30}
    assert autoscaling_spec(1, 3, cpu_target=60) == {"minReplicas": 1, "maxReplicas": 3, "metric": "cpu",
                                                     "targetCpuPercent": 60}
    with pytest.raises(LakeTahoeError, match="not both"):
        autoscaling_spec(1, 3, 4, cpu_target=60)
