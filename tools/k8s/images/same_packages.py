#!/usr/bin/env python3
"""Compares `pip freeze` from inside an image with the lock file it was built from.

    same_packages.py LOCK FREEZE [--ignore NAME...]

Exit 0 and "same N packages" when both list the same distributions at the same
versions (names compared as pip normalizes them), else exit 1 and the
differences. The installers' own tools (pip, setuptools, wheel) are left out on
both sides: the lock files do not pin them.
"""

from __future__ import annotations

import argparse
import re
import sys

ALWAYS_IGNORED = {"pip", "setuptools", "wheel"}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str, ignored: set[str]) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        if " @ " in line:
            # A direct reference (pip freeze of a package installed from a folder or wheel).
            name, version = line.split(" @ ", 1)
            version = "@ " + version
        elif "==" in line:
            name, version = line.split("==", 1)
        else:
            raise SystemExit(f"not a pin: {line!r}")
        name = normalize(name.split("[", 1)[0].strip())
        if name not in ignored:
            out[name] = version.split(";", 1)[0].strip()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lock")
    parser.add_argument("freeze")
    parser.add_argument("--ignore", nargs="*", default=[], help="distributions that only one side has on purpose")
    args = parser.parse_args(argv)
    ignored = ALWAYS_IGNORED | {normalize(n) for n in args.ignore}
    with open(args.lock) as f:
        lock = pins(f.read(), ignored)
    with open(args.freeze) as f:
        freeze = pins(f.read(), ignored)
    problems = []
    for name in sorted(set(lock) | set(freeze)):
        if name not in freeze:
            problems.append(f"missing in the image: {name}=={lock[name]}")
        elif name not in lock:
            problems.append(f"only in the image: {name}=={freeze[name]}")
        elif lock[name] != freeze[name]:
            problems.append(f"{name}: lock {lock[name]}, image {freeze[name]}")
    if problems:
        print("\n".join(problems))
        return 1
    print(f"same {len(lock)} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
