"""The suite's own rule: under CI a skipped test is a failure (a skip there would hide a regression)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import child_env

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


def run_pytest(tmp_path, ci: str | None, source: str = SKIPPING) -> subprocess.CompletedProcess:
    (tmp_path / "test_sample.py").write_text(source)
    env = child_env()
    env.pop("CI", None)
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "laketahoe.tests.conftest", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(tmp_path / "test_sample.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


def test_a_skip_fails_under_ci(tmp_path):
    result = run_pytest(tmp_path, "true")
    assert result.returncode == 1, result.stdout
    assert "1 failed, 1 passed, 1 xfailed" in result.stdout
    assert "skipped under CI=true: Skipped: no such part on this machine" in result.stdout


def test_a_skip_stays_a_skip_on_a_developer_machine(tmp_path):
    for ci in (None, "", "false", "0"):
        result = run_pytest(tmp_path, ci)
        assert result.returncode == 0, result.stdout
        assert "1 passed, 1 skipped, 1 xfailed" in result.stdout


def test_a_module_skipped_at_collection_fails_under_ci(tmp_path):
    result = run_pytest(tmp_path, "true", MODULE_SKIPPED)
    # Not 5 ("no tests ran"), which is what a quietly skipped module gives.
    assert result.returncode not in (0, 5), result.stdout
    assert "skipped under CI=true" in result.stdout and "no_such_module_anywhere" in result.stdout
    result = run_pytest(tmp_path, None, MODULE_SKIPPED)
    assert result.returncode == 5 and "1 skipped" in result.stdout, result.stdout
