"""Job files, parameter parsing, renderings and the jupyter-server-proxy entry point."""

from __future__ import annotations

import os
import sys
import tarfile

import pytest

from laketahoe import cli, display, jobspec, proxy
from laketahoe.client import PathOutsideRoot, root_relative


def test_parse_params_literals_and_strings():
    assert jobspec.parse_params(["a=3", "b=0.5", "c=[1, 2]", "d=hello", "e='x y'", "f=True", "g="]) == {
        "a": 3, "b": 0.5, "c": [1, 2], "d": "hello", "e": "x y", "f": True, "g": ""}
    with pytest.raises(jobspec.JobSpecError):
        jobspec.parse_params(["novalue"])


def test_job_file_paths_are_relative_to_the_file(tmp_path):
    root = tmp_path
    (root / "proj").mkdir()
    job = root / "proj" / "job.yaml"
    job.write_text(
        "trainingInput:\n"
        "  scaleTier: BASIC_GPU\n"
        "  args: ['--module-name', 'trainer.task', '--packages', 'dist/a.tar.gz,hdfs://nn/b.tar.gz', '--lr', '0.1']\n"
        "  packageUris: ['file://pk/c.tar.gz']\n"
        "labels: {team: vision}\n"
    )

    def to_root(path, base):
        return root_relative(path, str(root), cwd=base)

    job_id, ti, labels = jobspec.load_job_file(str(job), to_root)
    assert job_id is None and labels == {"team": "vision"}
    assert ti["args"] == ["--module-name", "trainer.task", "--packages", "proj/dist/a.tar.gz,hdfs://nn/b.tar.gz",
                          "--lr", "0.1"]
    assert ti["packageUris"] == ["proj/pk/c.tar.gz"]

    nb_job = root / "proj" / "nb.yaml"
    nb_job.write_text("trainingInput:\n  scaleTier: BASIC\nnotebook:\n  path: ../demo.ipynb\n  parameters: {n: 3}\n")
    _, ti, _ = jobspec.load_job_file(str(nb_job), to_root)
    assert ti["notebook"] == {"path": "demo.ipynb", "parameters": {"n": 3}}

    escape = root / "proj" / "escape.yaml"
    escape.write_text("trainingInput:\n  notebook: {path: ../../x.ipynb}\n")
    with pytest.raises(PathOutsideRoot):
        jobspec.load_job_file(str(escape), to_root)
    (root / "list.yaml").write_text("- 1\n")
    with pytest.raises(jobspec.JobSpecError, match="top-level trainingInput"):
        jobspec.load_job_file(str(root / "list.yaml"), to_root)


def test_pack_directory_makes_an_importable_sdist_layout(tmp_path):
    (tmp_path / "trainer" / "__pycache__").mkdir(parents=True)
    (tmp_path / "trainer" / "task.py").write_text("print(1)")
    (tmp_path / "trainer" / "__pycache__" / "task.cpython-311.pyc").write_bytes(b"x")
    archive = cli._pack_directory(str(tmp_path / "trainer"), str(tmp_path), "job1")
    assert archive == str(tmp_path / ".laketahoe-packages" / "job1-trainer.tar.gz")
    with tarfile.open(archive) as tf:
        names = tf.getnames()
    assert "trainer-0/trainer/task.py" in names and not any("__pycache__" in n for n in names)


def test_renderings():
    job = {"jobId": "j1", "state": "FAILED", "owner": "me", "createTime": "2026-01-01T00:00:00Z",
           "startTime": "2026-01-01T00:00:00Z", "endTime": "2026-01-01T00:01:05Z",
           "errorMessage": "Cell 2 raised ValueError: <bad>\ntrace",
           "trainingInput": {"scaleTier": "BASIC", "notebook": {"path": "a.ipynb", "parameters": {"x": 1}}},
           "trainingOutput": {"completedCells": 2, "totalCells": 5, "latestMetrics": {"acc": 0.5}}}
    html = display.jobs_html([job])
    assert "FAILED" in html and display.STATE_COLORS["FAILED"] in html and "0:01:05" in html and "2/5 cells" in html
    text = display.jobs_text([job])
    assert text.splitlines()[1].split()[:2] == ["j1", "FAILED"]
    assert "&lt;bad&gt;" in display.job_html(job)
    summary = display.job_text(job)
    assert "errorMessage: Cell 2 raised ValueError: <bad>" in summary and "metrics:" in summary
    assert display.jobs_text([]) == "Listed 0 items."


def test_proxy_config(monkeypatch, tmp_path):
    entry = tmp_path / "main.js"
    entry.write_text("")
    monkeypatch.setenv("LAKETAHOE_PROXY_ENTRY", str(entry))
    monkeypatch.setenv("LAKETAHOE_NODE", "/opt/node/bin/node")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "rt"))
    monkeypatch.delenv("LAKETAHOE_RUNTIME_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    cfg = proxy.setup_laketahoe()
    # The keeper holds the port and hands it to the service, which it starts again if it dies.
    assert cfg["command"] == [sys.executable, "-m", "laketahoe._keeper", "{port}", "--",
                              "/opt/node/bin/node", str(entry), "serve",
                              "--root-dir", str(tmp_path), "--python", sys.executable]
    token = cfg["environment"]["LAKETAHOE_TOKEN"]
    assert len(token) >= 32
    assert cfg["request_headers_override"] == {"Authorization": f"Bearer {token}"}
    assert cfg["environment"]["LAKETAHOE_RUNTIME_FILE"] == str(tmp_path / "rt" / "laketahoe-proxy.json")
    assert cfg["timeout"] == 30 and cfg["absolute_url"] is False and cfg["launcher_entry"] == {"enabled": False}
    # A fresh token every time the server starts the service.
    assert proxy.setup_laketahoe()["environment"]["LAKETAHOE_TOKEN"] != token

    monkeypatch.setenv("LAKETAHOE_PROXY_ENTRY", str(tmp_path / "missing.js"))
    with pytest.raises(proxy.ServiceEntryNotFound, match="missing"):
        proxy.setup_laketahoe()
    monkeypatch.delenv("LAKETAHOE_PROXY_ENTRY")
    monkeypatch.delenv("LAKETAHOE_NODE")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(proxy, "_wheel_node", lambda: None)
    with pytest.raises(proxy.ServiceEntryNotFound, match="Node.js not found"):
        proxy.setup_laketahoe()


def test_proxy_entry_point_is_registered():
    import tomllib

    with open(os.path.join(os.path.dirname(proxy.__file__), "..", "pyproject.toml"), "rb") as fh:
        meta = tomllib.load(fh)
    assert meta["project"]["entry-points"]["jupyter_serverproxy_servers"]["laketahoe"] == "laketahoe.proxy:setup_laketahoe"
    assert meta["project"]["scripts"]["laketahoe"] == "laketahoe.cli:main"
