#!/usr/bin/env python3
"""Layers and OCI archives for the test node's images, without a container engine.

images.sh builds a root filesystem step by step in a plain directory; this
script turns each step into an image layer and the layers into an OCI image
archive that ``ctr images import`` reads.

    oci.py snapshot ROOT SNAP          record every path's metadata under ROOT
    oci.py diff ROOT SNAP LAYER.tar    tar what is new or changed since SNAP
    oci.py pack OUT.tar --ref NAME:TAG --config JSON LAYER.tar...

Layers are uncompressed tars (the archives stay on this machine; compressing
them would cost minutes of CPU for nothing). A layer's digest is cached next to
it in LAYER.tar.sha256, since hashing a gigabyte takes seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import tarfile
import tempfile

# Never part of a layer: mount points of the build and scratch space.
EXCLUDED = ("dev", "proc", "sys", "run", "tmp", "root/.cache", "var/cache/apt", "var/lib/apt/lists")


def _excluded(rel: str) -> bool:
    return any(rel == e or rel.startswith(e + "/") for e in EXCLUDED)


def walk(root: str) -> dict[str, list]:
    """Metadata of every path under ROOT (relative), enough to see a change."""
    out: dict[str, list] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir
        keep = []
        for name in dirnames:
            rel = os.path.join(rel_dir, name)
            if not _excluded(rel):
                keep.append(name)
        dirnames[:] = keep
        for name in dirnames + filenames:
            rel = os.path.join(rel_dir, name)
            if _excluded(rel):
                continue
            st = os.lstat(os.path.join(root, rel))
            link = os.readlink(os.path.join(root, rel)) if stat.S_ISLNK(st.st_mode) else ""
            # Directories change mtime whenever an entry is added; only their mode and owner matter.
            mtime = 0 if stat.S_ISDIR(st.st_mode) else st.st_mtime_ns
            size = 0 if stat.S_ISDIR(st.st_mode) else st.st_size
            out[rel] = [st.st_mode, st.st_uid, st.st_gid, size, mtime, link]
    return out


def snapshot(root: str, snap: str) -> None:
    with open(snap, "w") as f:
        json.dump(walk(root), f)


def diff(root: str, snap: str, layer: str) -> None:
    """Writes the entries added or changed since SNAP as a layer tar.

    Deleted entries would need whiteout files; the build steps only add (a
    venv, packages), so a deletion is reported as an error instead of being
    silently carried over.
    """
    with open(snap) as f:
        before = json.load(f)
    after = walk(root)
    deleted = sorted(set(before) - set(after))
    if deleted:
        sys.exit(f"oci.py diff: {len(deleted)} paths were deleted (first: {deleted[0]}); layers here only add")
    changed = {p for p, meta in after.items() if before.get(p) != meta}
    # Parent directories come along so the layer applies to any base.
    for p in list(changed):
        parent = os.path.dirname(p)
        while parent and parent not in changed:
            changed.add(parent)
            parent = os.path.dirname(parent)
    with tempfile.NamedTemporaryFile("wb", delete=False) as lst:
        for p in sorted(changed):
            lst.write(b"./" + os.fsencode(p) + b"\0")
    try:
        subprocess.run(
            ["tar", "-C", root, "--null", "--no-recursion", "--numeric-owner", "--xattrs",
             "-cf", layer, "-T", lst.name],
            check=True,
        )
    finally:
        os.unlink(lst.name)
    print(f"layer {os.path.basename(layer)}: {len(changed)} entries", file=sys.stderr)


def digest(path: str) -> str:
    """sha256 of a file, cached next to it (layers are large and immutable once written)."""
    cached = path + ".sha256"
    if os.path.exists(cached) and os.path.getmtime(cached) >= os.path.getmtime(path):
        with open(cached) as f:
            return f.read().strip()
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    value = "sha256:" + h.hexdigest()
    with open(cached, "w") as f:
        f.write(value + "\n")
    return value


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def pack(out: str, ref: str, config_json: str, layers: list[str]) -> None:
    """Writes an OCI image layout as a tar: what `ctr images import` reads.

    The full name goes into the `io.containerd.image.name` annotation, so the
    import needs no --base-name; the tag alone goes into the OCI ref name.
    """
    image_config = json.loads(config_json)
    layer_digests = [digest(layer) for layer in layers]
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": image_config,
        "rootfs": {"type": "layers", "diff_ids": layer_digests},
        "history": [{"created_by": f"tools/k8s/images.sh layer {i}"} for i in range(len(layers))],
    }
    config_bytes = json.dumps(config, sort_keys=True).encode()
    config_digest = "sha256:" + hashlib.sha256(config_bytes).hexdigest()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": config_digest,
            "size": len(config_bytes),
        },
        "layers": [
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar",
                "digest": d,
                "size": os.path.getsize(layer),
            }
            for d, layer in zip(layer_digests, layers)
        ],
    }
    manifest_bytes = json.dumps(manifest, sort_keys=True).encode()
    manifest_digest = "sha256:" + hashlib.sha256(manifest_bytes).hexdigest()
    tag = ref.rsplit(":", 1)[1]
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": manifest_digest,
                "size": len(manifest_bytes),
                "platform": {"architecture": "amd64", "os": "linux"},
                "annotations": {
                    "io.containerd.image.name": ref,
                    "org.opencontainers.image.ref.name": tag,
                },
            }
        ],
    }
    tmp = out + ".partial"
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
        _add_bytes(tar, "oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        _add_bytes(tar, "index.json", json.dumps(index, sort_keys=True).encode())
        _add_bytes(tar, "blobs/sha256/" + config_digest.split(":")[1], config_bytes)
        _add_bytes(tar, "blobs/sha256/" + manifest_digest.split(":")[1], manifest_bytes)
        for d, layer in zip(layer_digests, layers):
            info = tar.gettarinfo(layer, arcname="blobs/sha256/" + d.split(":")[1])
            info.mode, info.uid, info.gid, info.uname, info.gname = 0o644, 0, 0, "", ""
            with open(layer, "rb") as f:
                tar.addfile(info, f)
    os.replace(tmp, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("snapshot")
    s.add_argument("root")
    s.add_argument("snap")
    d = sub.add_parser("diff")
    d.add_argument("root")
    d.add_argument("snap")
    d.add_argument("layer")
    p = sub.add_parser("pack")
    p.add_argument("out")
    p.add_argument("--ref", required=True, help="full image name with tag")
    p.add_argument("--config", required=True, help="OCI image config (Env, Cmd, WorkingDir, User) as JSON")
    p.add_argument("layers", nargs="+")
    args = parser.parse_args(argv)
    if args.cmd == "snapshot":
        snapshot(args.root, args.snap)
    elif args.cmd == "diff":
        diff(args.root, args.snap, args.layer)
    else:
        pack(args.out, args.ref, args.config, args.layers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
