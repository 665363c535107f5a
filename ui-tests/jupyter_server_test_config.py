"""Jupyter Server configuration for the UI tests: galata's test settings plus a fixed root folder."""

import os
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

# The tests upload their notebooks into this folder; the LakeTahoe service (started by
# jupyter-server-proxy) resolves notebook paths against the same root.
root = Path(__file__).parent / ".jupyter-root"
root.mkdir(exist_ok=True)
os.environ.setdefault("JUPYTERLAB_GALATA_ROOT_DIR", str(root))
# The service's runtime file (its address and token, read by kernels) of this server alone: the one in
# Jupyter's runtime folder belongs to whatever JupyterLab (`make demo`) runs beside the tests.
runtime = root / ".laketahoe-runtime"
runtime.mkdir(exist_ok=True)
os.environ["LAKETAHOE_RUNTIME_FILE"] = str(runtime / "service.json")
# Usage sampled every second, so a job of a few seconds has a chart.
os.environ["LAKETAHOE_USAGE_INTERVAL_MS"] = "1000"

configure_jupyter_server(c)  # noqa: F821 - `c` is injected by Jupyter's config loader
c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.ServerApp.log_level = "INFO"  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821 - CI machines run the tests as root
