"""The helpers that build the Kubernetes test node's images (tools/k8s/images/).

The images themselves are built and run by tools/k8s/node-test.sh (root, a real
node); these tests pin down the two pieces of logic that test relies on: turning
a build step into a layer and layers into an OCI archive, and comparing
`pip freeze` with a lock file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tarfile
from pathlib import Path

import pytest

IMAGES = Path(__file__).resolve().parents[2] / "tools" / "k8s" / "images"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"k8s_images_{name}", IMAGES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


oci = _load("oci")
same_packages = _load("same_packages")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _names(layer: Path) -> set[str]:
    with tarfile.open(layer) as tar:
        return {m.name.removeprefix("./") for m in tar.getmembers()}


def test_diff_takes_only_what_a_step_added_or_changed(tmp_path):
    root = tmp_path / "root"
    _write(root / "usr/lib/keep.txt", "unchanged")
    _write(root / "etc/passwd", "root:x:0:0")
    _write(root / "tmp/scratch", "never in a layer")
    snap = tmp_path / "snap.json"
    oci.snapshot(str(root), str(snap))

    _write(root / "opt/venv/lib/site-packages/pkg/__init__.py", "x = 1")
    _write(root / "etc/passwd", "root:x:0:0\nrunner:x:1000:1000")
    _write(root / "tmp/more-scratch", "still never")
    os.utime(root / "etc/passwd", ns=(1, 1))  # a change of content is seen even with an old mtime
    layer = tmp_path / "layer.tar"
    oci.diff(str(root), str(snap), str(layer))

    names = _names(layer)
    assert "opt/venv/lib/site-packages/pkg/__init__.py" in names
    # Parent directories travel along, so the layer applies on any base.
    assert {"opt", "opt/venv", "opt/venv/lib/site-packages/pkg"} <= names
    assert "etc/passwd" in names
    assert "usr/lib/keep.txt" not in names
    assert not any(n.startswith("tmp") for n in names)


def test_diff_refuses_deletions(tmp_path):
    root = tmp_path / "root"
    _write(root / "usr/bin/tool", "x")
    snap = tmp_path / "snap.json"
    oci.snapshot(str(root), str(snap))
    (root / "usr/bin/tool").unlink()
    with pytest.raises(SystemExit, match="deleted"):
        oci.diff(str(root), str(snap), str(tmp_path / "layer.tar"))


def test_pack_writes_an_oci_archive_that_names_the_image(tmp_path):
    layers = []
    for i in range(2):
        src = tmp_path / f"src{i}"
        _write(src / f"file{i}", f"content {i}")
        layer = tmp_path / f"layer{i}.tar"
        with tarfile.open(layer, "w") as tar:
            tar.add(src / f"file{i}", arcname=f"file{i}")
        layers.append(layer)
    out = tmp_path / "image.oci.tar"
    oci.pack(str(out), "localhost/laketahoe/runner:abc123", json.dumps({"User": "1000"}), [str(p) for p in layers])

    with tarfile.open(out) as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    assert json.loads(files["oci-layout"]) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads(files["index.json"])
    entry = index["manifests"][0]
    assert entry["annotations"] == {
        "io.containerd.image.name": "localhost/laketahoe/runner:abc123",
        "org.opencontainers.image.ref.name": "abc123",
    }
    # Every blob is stored under its own digest, and the manifest and config point at the layers.
    for name, data in files.items():
        if name.startswith("blobs/sha256/"):
            assert hashlib.sha256(data).hexdigest() == name.rsplit("/", 1)[1]
    manifest = json.loads(files["blobs/sha256/" + entry["digest"].split(":")[1]])
    config = json.loads(files["blobs/sha256/" + manifest["config"]["digest"].split(":")[1]])
    layer_digests = ["sha256:" + hashlib.sha256(p.read_bytes()).hexdigest() for p in layers]
    assert [layer["digest"] for layer in manifest["layers"]] == layer_digests
    assert config["rootfs"]["diff_ids"] == layer_digests
    assert config["config"] == {"User": "1000"}
    # The digest of a large layer is cached beside it.
    assert (tmp_path / "layer0.tar.sha256").read_text().strip() == layer_digests[0]


def _compare(tmp_path, lock: str, freeze: str, *extra: str) -> int:
    (tmp_path / "lock.txt").write_text(lock)
    (tmp_path / "freeze.txt").write_text(freeze)
    return same_packages.main([str(tmp_path / "lock.txt"), str(tmp_path / "freeze.txt"), *extra])


def test_same_packages_normalizes_names_and_ignores_the_installers(tmp_path, capsys):
    lock = "# comment\nPyYAML==6.0.4\njupyter_server==2.21.1\n"
    freeze = "pyyaml==6.0.4\njupyter-server==2.21.1\npip==23.2.1\nsetuptools==65.5.0\n"
    assert _compare(tmp_path, lock, freeze) == 0
    assert "same 2 packages" in capsys.readouterr().out


def test_same_packages_reports_every_difference(tmp_path, capsys):
    lock = "numpy==2.4.6\nscipy==1.17.1\n"
    freeze = "numpy==2.4.5\nextra==1.0\n"
    assert _compare(tmp_path, lock, freeze) == 1
    out = capsys.readouterr().out
    assert "numpy: lock 2.4.6, image 2.4.5" in out
    assert "missing in the image: scipy==1.17.1" in out
    assert "only in the image: extra==1.0" in out


def test_same_packages_reads_direct_references_and_ignores_on_request(tmp_path):
    freeze = "numpy==2.4.6\nlaketahoe @ file:///tmp/in/src\n"
    assert _compare(tmp_path, "numpy==2.4.6\n", freeze) == 1
    assert _compare(tmp_path, "numpy==2.4.6\n", freeze, "--ignore", "laketahoe") == 0
