"""Child-side bootstrap of the runner's module form: ``python -m laketahoe._modrun MODULE ARGS...``.

Runs MODULE as ``__main__`` (as ``python -m`` would) and, when it raises,
leaves the exception's name, value and traceback in the file named by
``LAKETAHOE_MODRUN_ERROR`` so the runner can report them as an error record.
"""

from __future__ import annotations

import importlib.util
import json
import os
import runpy
import sys
import traceback


def _write_error(path: str | None, **fields) -> None:
    if not path:
        return
    try:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(fields, fh)
    except OSError:
        pass


def main() -> None:
    """Run the module named in argv[1] with the remaining arguments."""
    error_file = os.environ.pop("LAKETAHOE_MODRUN_ERROR", None)
    module = sys.argv[1]
    sys.argv = [module, *sys.argv[2:]]
    try:
        spec = importlib.util.find_spec(module)
    except ModuleNotFoundError as exc:
        # A missing parent package is "not found"; a failing import inside it is the module's error.
        if exc.name and module.startswith(exc.name):
            spec = None
        else:
            raise
    if spec is None:
        _write_error(error_file, notFound=True, ename="ModuleNotFoundError", evalue=f"No module named {module!r}")
        print(f"laketahoe.runner: module not found: {module}", file=sys.stderr)
        sys.exit(3)
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        if exc.code in (None, 0):
            raise
        _write_error(error_file, ename="SystemExit", evalue=str(exc.code), traceback="")
        raise
    except BaseException as exc:  # noqa: BLE001 - report whatever the module raised
        # Drop our own and runpy's frames: users care about their code only.
        tb = exc.__traceback__
        while tb is not None and (tb.tb_frame.f_code.co_filename == __file__
                                  or "runpy" in tb.tb_frame.f_code.co_filename):
            tb = tb.tb_next
        text = "".join(traceback.format_exception(type(exc), exc, tb))
        _write_error(error_file, ename=type(exc).__name__, evalue=str(exc), traceback=text)
        sys.stderr.write(text)
        sys.exit(1)


if __name__ == "__main__":
    main()
