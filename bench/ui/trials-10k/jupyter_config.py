"""Jupyter Server configuration of the trials bench: galata's test settings, the bench's own root folder."""

import os

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 - `c` is injected by Jupyter's config loader
c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.ServerApp.root_dir = os.environ["LAKETAHOE_BENCH_ROOT"]  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821
c.ServerApp.log_level = "WARN"  # noqa: F821
