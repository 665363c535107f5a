"""The suite's own rule: under CI a skipped test is a failure (a skip there would hide a regression)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import child_env, under_ci

SKIPPING = '''
import pytest

def test_skips():
    pytest.skip("no such part on this machine")

def test_passes():
    assert True

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False
'''

MODULE_SKIPPED = '''
import pytest

pytest.importorskip("no_such_module_anywhere")


def test_never_collected():
    assert True
'''


def run_pytest(tmp_path, ci: str | None) -> subprocess.CompletedProcess:
    """pytest with this suite's conftest over a test that skips and a module skipped while collected."""
    (tmp_path / "test_sample.py").write_text(SKIPPING)
    (tmp_path / "test_module_skip.py").write_text(MODULE_SKIPPED)
    env = child_env()
    env.pop("CI", None)
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "laketahoe.tests.conftest", "-p", "no:cacheprovider",
         "--continue-on-collection-errors", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


def test_a_skip_fails_under_ci(tmp_path):
    result = run_pytest(tmp_path, "true")
    assert result.returncode == 1, result.stdout
    assert "1 failed, 1 passed, 1 xfailed, 1 error" in result.stdout
    assert "skipped under CI=true: Skipped: no such part on this machine" in result.stdout
    # A module skipped at collection (a module-level importorskip) is an error, not a quiet "no tests".
    assert "skipped under CI=true" in result.stdout and "no_such_module_anywhere" in result.stdout


def test_a_skip_stays_a_skip_on_a_developer_machine(tmp_path):
    result = run_pytest(tmp_path, None)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 2 skipped, 1 xfailed" in result.stdout


@pytest.mark.parametrize(("value", "ci"), [(None, False), ("", False), ("0", False), ("false", False), ("no", False),
                                           ("true", True), ("1", True), ("yes", True), ("TRUE", True)])
def test_what_counts_as_ci(monkeypatch, value, ci):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert under_ci() is ci
