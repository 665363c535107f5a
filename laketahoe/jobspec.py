"""Build ``trainingInput`` bodies from magic/CLI options and from AI Platform job files."""

from __future__ import annotations

import ast
import os
import re
from typing import Any, Callable

from .client import LakeTahoeError
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class JobSpecError(LakeTahoeError):
    """A job file or option that cannot be turned into a request."""


def parse_value(text: str) -> Any:
    """A Python literal when ``text`` is one (``3``, ``0.1``, ``[1, 2]``, ``'a'``), else the string itself."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def parse_params(items: list[str] | None) -> dict[str, Any]:
    """``["k=v", ...]`` into a dict, values through :func:`parse_value`."""
    params: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise JobSpecError(f"--param expects NAME=VALUE with a Python identifier as NAME, got {item!r}")
        params[key] = parse_value(value)
    return params


def notebook_training_input(path: str, parameters: dict | None = None, scale_tier: str | None = None,
                            priority: str | None = None, image: str | None = None,
                            include_folder: bool = False) -> dict:
    """``trainingInput`` for the notebook form; ``path`` is already root-relative."""
    ti: dict[str, Any] = {"notebook": {"path": path, "parameters": parameters or {}, "includeFolder": include_folder}}
    if scale_tier:
        ti["scaleTier"] = scale_tier
    if priority:
        ti["priority"] = priority
    if image:
        ti["masterConfig"] = {"imageUri": image}
    return ti


def _is_local(uri: str) -> bool:
    return not _SCHEME.match(uri) or uri.startswith("file://")


def _rebase(uri: str, base: str, to_root: Callable[[str, str], str]) -> str:
    """A local path relative to ``base`` made root-relative; remote URIs stay as they are."""
    if not _is_local(uri):
        return uri
    if uri.startswith("file://"):
        uri = uri[len("file://"):]
    return to_root(uri, base)


def rebase_module_args(args: list[str], base: str, to_root: Callable[[str, str], str]) -> list[str]:
    """Rewrite the paths in ``--packages a,b`` / ``--packages=a,b`` (AI Platform args)."""
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = str(args[i])
        if arg == "--packages" and i + 1 < len(args):
            out += [arg, ",".join(_rebase(p, base, to_root) for p in str(args[i + 1]).split(",") if p)]
            i += 2
            continue
        if arg.startswith("--packages="):
            value = arg.split("=", 1)[1]
            arg = "--packages=" + ",".join(_rebase(p, base, to_root) for p in value.split(",") if p)
        out.append(arg)
        i += 1
    return out


#: Largest job or HPO file read, in bytes: a job file is a few hundred bytes of settings.
MAX_SPEC_BYTES = 1024 * 1024


def safe_load_yaml(text: str, source: str):
    """Parse YAML text like ``yaml.safe_load``, refusing aliases (``*name``, ``<<: *name``).

    A few hundred bytes of nested aliases ("billion laughs") expand to gigabytes once loaded and
    exhausted the CLI or the kernel; a job file has no use for them. Raises :class:`JobSpecError`.
    """
    import yaml

    class _NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f"YAML aliases (*{event.anchor}) are not allowed here", event.start_mark)
            return super().compose_node(parent, index)

    if len(text) > MAX_SPEC_BYTES:
        raise JobSpecError(f"{source}: larger than {MAX_SPEC_BYTES} bytes")
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise JobSpecError(f"{source}: not valid YAML: {exc}") from None


def _read_spec_file(path: str, what: str) -> str:
    """The text of a job or HPO file, at most MAX_SPEC_BYTES (read no further)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(MAX_SPEC_BYTES + 1)
    except FileNotFoundError:
        raise JobSpecError(f"{what} not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise JobSpecError(f"cannot read {what} {path}: {exc}") from None
    return text


def load_job_file(path: str, to_root: Callable[[str, str], str]) -> tuple[str | None, dict, dict]:
    """Read an AI Platform job YAML; return (jobId or None, trainingInput, labels).

    Notebook, package and jobDir paths in the file are relative to the file's
    folder; ``to_root(path, base)`` makes them root-relative.
    """
    doc = safe_load_yaml(_read_spec_file(path, "job file"), path)
    if not isinstance(doc, dict) or not isinstance(doc.get("trainingInput", {}), dict):
        raise JobSpecError(f"{path}: expected a mapping with a top-level trainingInput")
    ti = dict(doc.get("trainingInput") or {})
    # `notebook:` is accepted at the top level too, next to trainingInput.
    if "notebook" in doc and "notebook" not in ti:
        ti["notebook"] = doc["notebook"]
    if not ti:
        raise JobSpecError(f"{path}: trainingInput is missing or empty")
    ti = rebase_training_input(ti, os.path.dirname(os.path.abspath(path)), to_root, source=path)
    labels = doc.get("labels") or {}
    return doc.get("jobId"), ti, labels


def rebase_training_input(ti: dict, base: str, to_root: Callable[[str, str], str], source: str = "") -> dict:
    """Make the local paths of a ``trainingInput`` (notebook, packages, args, jobDir) root-relative.

    Paths are relative to ``base`` (a job file's folder, or the cwd); every other
    field, ``hyperparameters`` included, is left as it is.
    """
    ti = dict(ti)
    if "notebook" in ti:
        nb = ti["notebook"]
        if isinstance(nb, str):
            nb = {"path": nb}
        if not isinstance(nb, dict) or not nb.get("path"):
            raise JobSpecError(f"{source + ': ' if source else ''}trainingInput.notebook needs a path")
        nb = dict(nb)
        nb["path"] = _rebase(str(nb["path"]), base, to_root)
        ti["notebook"] = nb
    if ti.get("packageUris"):
        ti["packageUris"] = [_rebase(str(u), base, to_root) for u in ti["packageUris"]]
    if ti.get("args"):
        ti["args"] = rebase_module_args([str(a) for a in ti["args"]], base, to_root)
    if ti.get("jobDir"):
        ti["jobDir"] = _rebase(str(ti["jobDir"]), base, to_root)
    return ti


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def merge_env(existing, values: list[str], secrets: list[str]) -> list[dict]:
    """``trainingInput.env`` from a job file's list plus ``NAME=VALUE`` and ``NAME=SECRET:KEY`` flags.

    A flag replaces the file's entry of the same name. Only the shape is checked here; the service
    decides which names are allowed and whether the secret exists.
    """
    entries: dict[str, dict] = {}
    for item in existing or []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise JobSpecError("trainingInput.env: each entry needs a name")
        entries[item["name"]] = item
    for text in values:
        name, sep, value = text.partition("=")
        if not sep or not _ENV_NAME.match(name):
            raise JobSpecError(f"--env {text!r}: expected NAME=VALUE")
        entries[name] = {"name": name, "value": value}
    for text in secrets:
        name, sep, ref = text.partition("=")
        secret, colon, key = ref.partition(":")
        if not sep or not colon or not _ENV_NAME.match(name) or not secret or not key:
            raise JobSpecError(f"--secret-env {text!r}: expected NAME=SECRET:KEY")
        entries[name] = {"name": name, "secretKeyRef": {"name": secret, "key": key}}
    return list(entries.values())
