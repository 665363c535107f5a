"""The runner's side of the artifact store: what goes into outputs.tar, and how transfers fail."""

import http.server
import io
import json
import os
import tarfile
import threading

import pytest

from laketahoe import _artifacts

from .conftest import run_runner
from .test_runner import _build_package


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers from a script of status codes and keeps what was PUT."""

    script: list = []
    received: dict = {}
    files: dict = {}

    def _answer(self):
        code = self.script.pop(0) if self.script else 200
        if self.command == "PUT":
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if code == 200:
                self.received[self.path] = body
        self.send_response(code)
        payload = self.files.get(self.path, b"snapshot") if self.command == "GET" else b""
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_PUT = do_GET = _answer

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture()
def server():
    _Handler.script = []
    _Handler.received = {}
    _Handler.files = {}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _grant(base):
    names = ["output.ipynb", "output.html", "outputs.tar", "manifest.json"]
    return {"version": 1, "outputs": {n: f"{base}/{n}?X-Amz-Signature=secret" for n in names}}


def test_outputs_tar_holds_what_the_run_wrote_and_nothing_else(tmp_path, server, monkeypatch):
    monkeypatch.setattr(_artifacts.time, "sleep", lambda s: None)
    work = tmp_path / "work"
    (work / "models" / "m").mkdir(parents=True)
    (work / "models" / "m" / "laketahoe-model.json").write_text("{}")
    (work / "result.txt").write_text("mine")
    (work / "input.csv").write_text("from the snapshot")
    (work / "exit.json").write_text("{}")
    (work / "__pycache__").mkdir()
    (work / "__pycache__" / "x.pyc").write_bytes(b"x")
    os.symlink("/etc/passwd", work / "link")
    nb = work / "output.ipynb"
    nb.write_text("{}")
    st = os.stat(work / "input.csv")
    manifest = _artifacts.upload_outputs(_grant(server), str(work), str(nb), None,
                                         {"input.csv": (st.st_size, st.st_mtime_ns)}, 0)
    assert sorted(manifest["files"]) == ["output.ipynb", "outputs.tar"]
    assert manifest["models"] == ["m"]
    # The manifest is the last object written.
    assert list(_Handler.received)[-1] == "/manifest.json?X-Amz-Signature=secret"
    tar_path = tmp_path / "got.tar"
    tar_path.write_bytes(_Handler.received["/outputs.tar?X-Amz-Signature=secret"])
    with tarfile.open(tar_path) as tar:
        assert sorted(tar.getnames()) == ["models/m/laketahoe-model.json", "result.txt"]
    assert json.loads(_Handler.received["/manifest.json?X-Amz-Signature=secret"]) == manifest


def test_a_5xx_is_retried_and_a_4xx_is_not(tmp_path, server, monkeypatch):
    monkeypatch.setattr(_artifacts.time, "sleep", lambda s: None)
    work = tmp_path / "w"
    work.mkdir()
    _Handler.script = [503, 200, 200]  # outputs.tar: one 503 then OK; manifest OK
    _artifacts.upload_outputs(_grant(server), str(work), None, None)
    assert "/manifest.json?X-Amz-Signature=secret" in _Handler.received

    _Handler.script = [403]
    with pytest.raises(_artifacts.TransferError) as exc:
        _artifacts.upload_outputs(_grant(server), str(work), None, None)
    assert str(exc.value) == "outputs.tar: HTTP 403 Forbidden"
    assert "Signature" not in str(exc.value)


def test_a_bad_grant_or_snapshot_is_a_transfer_error(tmp_path, server):
    bad = tmp_path / "grant.json"
    bad.write_text('{"version": 2}')
    with pytest.raises(_artifacts.TransferError, match="is not a version 1 artifact grant"):
        _artifacts.load_grant(str(bad))
    with pytest.raises(_artifacts.TransferError, match="input snapshot: cannot unpack"):
        _artifacts.fetch_inputs({"inputs": f"{server}/inputs.tar"}, str(tmp_path))


def test_module_form_runs_a_package_from_the_input_snapshot_and_uploads(tmp_path, server):
    package = _build_package(tmp_path)
    snapshot = tmp_path / "inputs.tar"
    with tarfile.open(snapshot, "w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(package, arcname=package.name)
    _Handler.files["/inputs.tar"] = snapshot.read_bytes()
    grant = {**_grant(server), "inputs": f"{server}/inputs.tar"}
    (tmp_path / "grant.json").write_text(json.dumps(grant))
    work = tmp_path / "work"
    work.mkdir()
    result = run_runner(["module", "--module", "trainer.task", "--package", str(work / package.name),
                         "--status-file", "exit.json", "--artifacts", str(tmp_path / "grant.json"), "--", "--epochs", "2"],
                        cwd=work, LAKETAHOE_EVENTS_FILE=str(tmp_path / "events.jsonl"))
    assert result.returncode == 0, result.stderr
    assert "epoch 1" in result.stdout
    manifest = json.loads(_Handler.received["/manifest.json?X-Amz-Signature=secret"])
    assert manifest["exitCode"] == 0 and sorted(manifest["files"]) == ["outputs.tar"]
    got = tmp_path / "got.tar"
    got.write_bytes(_Handler.received["/outputs.tar?X-Amz-Signature=secret"])
    with tarfile.open(got) as tar:
        # The package came from the snapshot and was not changed: it is not sent back.
        assert tar.getnames() == []


@pytest.mark.parametrize("without_filter", [False, True])
def test_the_input_snapshot_unpacks_files_and_refuses_links(tmp_path, server, monkeypatch, without_filter):
    if without_filter:
        # Debian 12's Python (3.11.2) has no tarfile extraction filters.
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    good = tmp_path / "good.tar"
    with tarfile.open(good, "w") as tar:
        info = tarfile.TarInfo("data/a.csv")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"1,2"))
    _Handler.files["/good.tar"] = good.read_bytes()
    dest = tmp_path / "dest"
    dest.mkdir()
    unpacked = _artifacts.fetch_inputs({"inputs": f"{server}/good.tar"}, str(dest))
    assert list(unpacked) == [os.path.join("data", "a.csv")]
    assert (dest / "data" / "a.csv").read_text() == "1,2"

    bad = tmp_path / "bad.tar"
    with tarfile.open(bad, "w") as tar:
        link = tarfile.TarInfo("escape")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
        up = tarfile.TarInfo("../outside.txt")
        up.size = 1
        tar.addfile(up, io.BytesIO(b"x"))
    _Handler.files["/bad.tar"] = bad.read_bytes()
    with pytest.raises(_artifacts.TransferError, match="input snapshot: cannot unpack"):
        _artifacts.fetch_inputs({"inputs": f"{server}/bad.tar"}, str(dest))
    assert not (tmp_path / "outside.txt").exists()


def test_a_broken_grant_fails_the_run_with_exit_6_before_it_starts(tmp_path, notebook):
    nb = notebook("nb.ipynb", "open('ran.txt', 'w').write('yes')")
    (tmp_path / "grant.json").write_text("{not json")
    result = run_runner(["notebook", "--input", str(nb), "--output", "output.ipynb", "--status-file", "exit.json",
                         "--artifacts", str(tmp_path / "grant.json")], cwd=tmp_path)
    assert result.returncode == 6
    status = json.loads((tmp_path / "exit.json").read_text())
    assert status["reason"].startswith(f"could not fetch inputs: cannot read the artifact grant {tmp_path / 'grant.json'}")
    assert not (tmp_path / "ran.txt").exists()
