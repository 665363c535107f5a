"""The runner's secret variables and kernel choice, run as the service runs it (child process, real kernel)."""

from __future__ import annotations

import json
import os
import sys

import pytest

from laketahoe._secrets import MASK, Masker, SecretError, load_secret_env

from .conftest import records, run_runner

SECRET = "hunter2-Correct-Horse"


def _secrets_file(tmp_path, mode=0o600):
    path = tmp_path / "alice.json"
    path.write_text(json.dumps({"db": {"password": SECRET}}))
    path.chmod(mode)
    return path


def test_masker_masks_values_split_across_chunks_and_their_escaped_forms():
    m = Masker(["ab<c\"defg", "xyz"])
    out = m.feed("one ab<c") + m.feed('"de') + m.feed("fg two") + m.flush()
    assert out == f"one {MASK} two"
    # Too short to mask without masking ordinary text.
    assert m.mask("xyz") == "xyz"
    assert m.mask(json.dumps({"v": 'ab<c"defg'})) == json.dumps({"v": MASK})
    assert m.mask("ab&lt;c&quot;defg") == MASK
    # A held prefix that does not complete the secret is written unchanged.
    assert m.feed("ab<") + m.feed("q") + m.flush() == "ab<q"


def test_load_reads_the_file_only_when_private_and_hides_the_pointers(tmp_path):
    path = _secrets_file(tmp_path)
    env = {"LAKETAHOE_SECRETS_FILE": str(path), "LAKETAHOE_SECRET_REFS": json.dumps({"PW": {"name": "db", "key": "password"}})}
    assert load_secret_env(env) == [SECRET]
    assert env == {"PW": SECRET}
    path.chmod(0o640)
    env = {"LAKETAHOE_SECRETS_FILE": str(path), "LAKETAHOE_SECRET_REFS": json.dumps({"PW": {"name": "db", "key": "password"}})}
    with pytest.raises(SecretError, match=r"read or written by others \(mode 640\)") as err:
        load_secret_env(env)
    assert SECRET not in str(err.value)
    # On Kubernetes the kubelet set the variable; the runner only learns which ones to mask.
    assert load_secret_env({"LAKETAHOE_SECRET_ENV": "A,B", "A": "from-a-secret", "B": ""}) == ["from-a-secret"]


def test_a_job_that_prints_its_secret_has_it_masked_in_log_records_notebook_and_html(tmp_path, notebook):
    path = _secrets_file(tmp_path)
    notebook("nb.ipynb",
             "import os\nprint('pw', os.environ['PW'])\nos.environ['PW']",
             "raise RuntimeError('leaked ' + os.environ['PW'])")
    result = run_runner(
        ["notebook", "--input", "nb.ipynb", "--output", "output.ipynb", "--html", "output.html",
         "--status-file", "exit.json", "--kernel", "python3"],
        cwd=tmp_path, LAKETAHOE_SECRETS_FILE=str(path),
        LAKETAHOE_SECRET_REFS=json.dumps({"PW": {"name": "db", "key": "password"}}),
    )
    assert result.returncode == 1, result.stderr
    assert f"pw {MASK}" in result.stdout
    recs = records(result.stdout)
    assert {"type": "kernel", "name": "python3"} in recs
    error = next(r for r in recs if r["type"] == "error")
    assert error["evalue"] == f"leaked {MASK}"
    for text in (result.stdout, result.stderr, *(
            (tmp_path / f).read_text() for f in ("output.ipynb", "output.html", "exit.json"))):
        assert SECRET not in text
    assert MASK in (tmp_path / "output.ipynb").read_text()
    assert MASK in json.loads((tmp_path / "exit.json").read_text())["reason"]


def test_a_secrets_file_others_can_read_stops_the_job_before_it_runs(tmp_path, notebook):
    path = _secrets_file(tmp_path, 0o644)
    notebook("nb.ipynb", "print('ran')")
    result = run_runner(
        ["notebook", "--input", "nb.ipynb", "--output", "output.ipynb", "--status-file", "exit.json"],
        cwd=tmp_path, LAKETAHOE_SECRETS_FILE=str(path),
        LAKETAHOE_SECRET_REFS=json.dumps({"PW": {"name": "db", "key": "password"}}),
    )
    assert result.returncode == 3
    assert "ran" not in result.stdout
    assert "chmod 600" in json.loads((tmp_path / "exit.json").read_text())["reason"]


def test_a_named_kernel_runs_when_installed_and_a_missing_one_falls_back_or_fails(tmp_path, notebook):
    kernels = tmp_path / "share" / "jupyter" / "kernels" / "other-py"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Other Python", "language": "python", "env": {"FROM_OTHER_KERNEL": "yes"}}))
    notebook("nb.ipynb", "import os\nprint('other', os.environ.get('FROM_OTHER_KERNEL'))")
    jupyter_path = {"JUPYTER_PATH": str(tmp_path / "share" / "jupyter")}
    base = ["notebook", "--input", "nb.ipynb", "--output", "output.ipynb", "--status-file", "exit.json"]

    named = run_runner([*base, "--kernel", "other-py"], cwd=tmp_path, **jupyter_path)
    assert named.returncode == 0, named.stderr
    assert "other yes" in named.stdout
    assert {"type": "kernel", "name": "other-py"} in records(named.stdout)

    fallback = run_runner([*base, "--kernel", "gone", "--kernel-fallback", "other-py"], cwd=tmp_path, **jupyter_path)
    assert fallback.returncode == 0, fallback.stderr
    assert {"type": "kernel", "name": "other-py", "requested": "gone"} in records(fallback.stdout)

    missing = run_runner([*base, "--kernel", "gone"], cwd=tmp_path, **jupyter_path)
    assert missing.returncode == 3
    assert "kernel 'gone' is not installed here" in json.loads((tmp_path / "exit.json").read_text())["reason"]
    assert os.path.exists(tmp_path / "exit.json")


def test_a_module_job_gets_the_secret_with_its_output_masked(tmp_path):
    path = _secrets_file(tmp_path)
    (tmp_path / "leaky.py").write_text(
        "import os, sys\nprint('out', os.environ['PW'])\nprint('err', os.environ['PW'], file=sys.stderr)\n"
        "raise SystemExit('bye ' + os.environ['PW'])\n")
    result = run_runner(
        ["module", "--module", "leaky", "--cwd", str(tmp_path), "--status-file", "exit.json"],
        cwd=tmp_path, LAKETAHOE_SECRETS_FILE=str(path),
        LAKETAHOE_SECRET_REFS=json.dumps({"PW": {"name": "db", "key": "password"}}),
    )
    assert f"out {MASK}" in result.stdout
    assert f"err {MASK}" in result.stderr
    for text in (result.stdout, result.stderr, (tmp_path / "exit.json").read_text()):
        assert SECRET not in text
