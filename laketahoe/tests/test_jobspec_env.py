"""``--env`` / ``--secret-env`` / ``--kernel`` of ``laketahoe jobs submit`` and the magics, as sent to the service."""

from __future__ import annotations

import pytest

from laketahoe import cli
from laketahoe.jobspec import JobSpecError, merge_env


def test_flags_add_to_and_replace_the_job_files_entries():
    env = merge_env([{"name": "MODE", "value": "slow"}, {"name": "KEEP", "value": "1"}],
                    ["MODE=fast", "EMPTY=", "URL=http://x/?a=b"], ["DB_PASSWORD=db:password"])
    assert env == [
        {"name": "MODE", "value": "fast"},
        {"name": "KEEP", "value": "1"},
        {"name": "EMPTY", "value": ""},
        {"name": "URL", "value": "http://x/?a=b"},
        {"name": "DB_PASSWORD", "secretKeyRef": {"name": "db", "key": "password"}},
    ]


@pytest.mark.parametrize("flag, values, secrets", [
    ("--env", ["NOVALUE"], []),
    ("--env", ["1BAD=x"], []),
    ("--secret-env", [], ["PW=db"]),
    ("--secret-env", [], ["PW=:key"]),
])
def test_malformed_flags_name_the_flag(flag, values, secrets):
    with pytest.raises(JobSpecError, match=flag):
        merge_env(None, values, secrets)


def test_submit_sends_env_and_kernel(monkeypatch, tmp_path):
    sent = {}

    class FakeClient:
        root_dir = str(tmp_path)

        def to_root_relative(self, path, cwd=None):
            return path

        def submit_job(self, job_id, ti, labels=None):
            sent.update(ti)
            return {"jobId": job_id, "state": "QUEUED"}

    args = cli.build_parser().parse_args([
        "jobs", "submit", "training", "j1", "--module-name", "trainer.task", "--env", "MODE=fast",
        "--secret-env", "TOKEN=api:token", "--kernel", "torch", "--kernel-fallback", "python3"])
    args.module_args = []
    assert cli.cmd_submit(args, FakeClient()) == 0
    assert sent["env"] == [{"name": "MODE", "value": "fast"}, {"name": "TOKEN", "secretKeyRef": {"name": "api", "key": "token"}}]
    assert sent["kernelName"] == "torch" and sent["kernelFallback"] == "python3"


def test_magic_flags_become_training_input_fields():
    from IPython.core.error import UsageError
    from IPython.core.magic_arguments import parse_argstring

    from laketahoe.magics import LakeTahoeMagics, environment_options

    args = parse_argstring(LakeTahoeMagics._submit,
                           "nb.ipynb -e MODE=fast --secret-env PW=db:password --kernel torch --kernel-fallback python3")
    assert environment_options(args) == {
        "env": [{"name": "MODE", "value": "fast"}, {"name": "PW", "secretKeyRef": {"name": "db", "key": "password"}}],
        "kernelName": "torch", "kernelFallback": "python3"}
    hpo = parse_argstring(LakeTahoeMagics._hpo, "--config h.yaml --env MODE=slow")
    assert environment_options(hpo, [{"name": "KEEP", "value": "1"}])["env"] == [
        {"name": "KEEP", "value": "1"}, {"name": "MODE", "value": "slow"}]
    with pytest.raises(UsageError, match="--secret-env"):
        environment_options(parse_argstring(LakeTahoeMagics._submit, "--secret-env PW"))
