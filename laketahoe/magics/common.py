"""What the ``%lt`` subcommands share: plain-text results, the current notebook, job environment flags."""

from __future__ import annotations

import os

from IPython.core.error import UsageError

from laketahoe.jobspec import JobSpecError, merge_env


class Text(str):
    """Plain text a magic returns: shown as written, without quotes."""

    def __repr__(self) -> str:
        return str(self)


def current_notebook_path(env: dict | None = None, root_dir: str | None = None) -> str | None:
    """The notebook this kernel belongs to, as a local path, when Jupyter Server told us.

    ``JPY_SESSION_NAME`` is absolute in recent jupyter_server and root-relative
    in older ones.
    """
    env = os.environ if env is None else env
    name = env.get("JPY_SESSION_NAME")
    if not name or not name.endswith(".ipynb"):
        return None
    if os.path.isabs(name):
        return name if os.path.isfile(name) else None
    for base in filter(None, (root_dir, os.getcwd())):
        candidate = os.path.join(base, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def environment_options(args, existing=None) -> dict:
    """``env``, ``kernelName`` and ``kernelFallback`` of ``trainingInput`` from the magic's flags."""
    try:
        ti = {"env": merge_env(existing, args.env, args.secret_env)} if (args.env or args.secret_env) else {}
    except JobSpecError as exc:
        raise UsageError(str(exc)) from None
    if getattr(args, "kernel", None):
        ti["kernelName"] = args.kernel
    if getattr(args, "kernel_fallback", None):
        ti["kernelFallback"] = args.kernel_fallback
    return ti
