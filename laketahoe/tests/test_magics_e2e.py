"""%lt magics in a real IPython shell against the real service running real jobs."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import laketahoe
from laketahoe.display import JobList, JobView

from .conftest import lt_shell, write_notebook

pytestmark = pytest.mark.e2e


@pytest.fixture
def shell(use_service, monkeypatch):
    """An IPython shell with the extension loaded, its cwd inside the service root."""
    return lt_shell(use_service.root / "work", monkeypatch)


def test_submit_follow_describe_list(shell, use_service, capsys):
    write_notebook(use_service.root / "work" / "train.ipynb",
                   "import laketahoe\nprint('training with', lr)\nlaketahoe.report(step=1, accuracy=lr * 2)",
                   parameters="lr = 0.1")
    view = shell.run_line_magic("lt", "submit train.ipynb --job-id magic_ok --param lr=0.25 --priority high")
    assert isinstance(view, JobView)
    assert view["jobId"] == "magic_ok"
    ti = view["trainingInput"]
    assert ti["notebook"]["path"] == "work/train.ipynb"
    assert ti["notebook"]["parameters"] == {"lr": 0.25}
    assert ti["priority"] == "high"
    assert "magic_ok" in view._repr_html_() and "Submitted work/train.ipynb" in repr(view)

    capsys.readouterr()
    assert shell.run_line_magic("lt", "logs magic_ok --follow") is None
    out = capsys.readouterr().out
    assert "training with 0.25" in out
    assert "Job magic_ok ended: SUCCEEDED" in out

    job = use_service.wait("magic_ok")
    assert job["state"] == "SUCCEEDED"
    assert use_service.client().metrics("magic_ok")[0]["value"] == 0.5

    described = shell.run_line_magic("lt", "describe magic_ok")
    assert "SUCCEEDED" in described._repr_html_() and "jp-laketahoe-state" in described._repr_html_()
    assert "state:" in repr(described) and "SUCCEEDED" in repr(described)

    listed = shell.run_line_magic("lt", "jobs --state succeeded")
    assert isinstance(listed, JobList)
    assert "magic_ok" in [j["jobId"] for j in listed]
    assert "<table" in listed._repr_html_() and "magic_ok" in repr(listed)

    capsys.readouterr()
    shell.run_line_magic("lt", "logs magic_ok")
    assert "training with 0.25" in capsys.readouterr().out


def test_submit_current_notebook_and_cancel(shell, use_service, monkeypatch):
    write_notebook(use_service.root / "work" / "slow.ipynb", "import time\nprint('started', flush=True)\ntime.sleep(120)")
    with pytest.raises(UsageError, match="cannot tell which notebook"):
        shell.run_line_magic("lt", "submit --job-id magic_nocurrent")
    # Recent jupyter_server gives the kernel the notebook's absolute path.
    monkeypatch.setenv("JPY_SESSION_NAME", str(use_service.root / "work" / "slow.ipynb"))
    view = shell.run_line_magic("lt", "submit --job-id magic_cancel")
    assert view["trainingInput"]["notebook"]["path"] == "work/slow.ipynb"
    use_service.wait("magic_cancel", states={"RUNNING"})
    cancelled = shell.run_line_magic("lt", "cancel magic_cancel")
    assert cancelled["state"] in ("CANCELLING", "CANCELLED")
    assert use_service.wait("magic_cancel", timeout=60)["state"] == "CANCELLED"
    with pytest.raises(UsageError, match=r"^job magic_cancel has already ended \(CANCELLED\)$") as info:
        shell.run_line_magic("lt", "cancel magic_cancel")
    assert "Traceback" not in str(info.value)


def test_delete_jobs(shell, use_service, capsys):
    write_notebook(use_service.root / "work" / "quick.ipynb", "print('quick')")
    use_service.client().submit_job("magic_del", {"notebook": {"path": "work/quick.ipynb"}})
    assert use_service.wait("magic_del")["state"] == "SUCCEEDED"
    capsys.readouterr()
    shell.run_line_magic("lt", "delete magic_del magic_never")
    assert capsys.readouterr().out == "Deleted magic_del.\nKept: job magic_never not found\n"
    assert not (use_service.root / "laketahoe-jobs" / "magic_del").exists()
    with pytest.raises(UsageError, match=r"^%lt delete: job magic_del not found$"):
        shell.run_line_magic("lt", "delete magic_del")


def test_rerun_and_search(shell, use_service):
    write_notebook(use_service.root / "work" / "again.ipynb", "print('again')")
    use_service.client().submit_job("magic_src", {"notebook": {"path": "work/again.ipynb"}}, labels={"exp": "a"})
    assert use_service.wait("magic_src")["state"] == "SUCCEEDED"
    view = shell.run_line_magic("lt", "rerun magic_src --job-id magic_rerun")
    assert isinstance(view, JobView)
    assert view["jobId"] == "magic_rerun" and view["labels"] == {"exp": "a"}
    assert view["trainingInput"]["notebook"]["path"] == "work/again.ipynb"
    assert use_service.wait("magic_rerun")["state"] == "SUCCEEDED"
    listed = shell.run_line_magic("lt", "jobs --search magic_r --label exp=a")
    assert [j["jobId"] for j in listed] == ["magic_rerun"]
    with pytest.raises(UsageError, match=r"^job magic_nope not found$"):
        shell.run_line_magic("lt", "rerun magic_nope")


def test_errors_are_usage_errors(shell, use_service, tmp_path):
    write_notebook(use_service.root / "work" / "dup.ipynb", "1 + 1")
    with pytest.raises(UsageError, match="unknown command"):
        shell.run_line_magic("lt", "frobnicate")
    with pytest.raises(UsageError, match=r"argument --scale-tier: invalid choice: 'ENORMOUS'"):
        shell.run_line_magic("lt", "submit dup.ipynb --scale-tier ENORMOUS")
    with pytest.raises(UsageError, match="--param expects NAME=VALUE"):
        shell.run_line_magic("lt", "submit dup.ipynb --param 1x")
    with pytest.raises(UsageError, match="notebook not found"):
        shell.run_line_magic("lt", "submit missing.ipynb")
    outside = write_notebook(tmp_path / "outside.ipynb", "1")
    with pytest.raises(UsageError, match="outside the LakeTahoe root directory"):
        shell.run_line_magic("lt", f"submit {outside}")
    # Errors from the service carry the blamed field.
    (use_service.root / "work" / "notes.txt").write_text("not a notebook")
    with pytest.raises(UsageError, match=r"\(field: trainingInput\.notebook\.path\)"):
        shell.run_line_magic("lt", "submit notes.txt")
    with pytest.raises(UsageError, match=r"\(field: jobId\)|jobId"):
        shell.run_line_magic("lt", "submit dup.ipynb --job-id 9bad")
    shell.run_line_magic("lt", "submit dup.ipynb --job-id magic_dup")
    with pytest.raises(UsageError, match=r"^job magic_dup already exists \(field: jobId\)$"):
        shell.run_line_magic("lt", "submit dup.ipynb --job-id magic_dup")
    with pytest.raises(UsageError, match=r"^job no_such_job not found$"):
        shell.run_line_magic("lt", "describe no_such_job")
    use_service.wait("magic_dup")


def test_no_service_is_a_clear_usage_error(monkeypatch, tmp_path):
    monkeypatch.delenv("LAKETAHOE_URL", raising=False)
    monkeypatch.setenv("LAKETAHOE_RUNTIME_FILE", str(tmp_path / "absent.json"))
    ip = InteractiveShell.instance()
    laketahoe.load_ipython_extension(ip)
    with pytest.raises(UsageError, match="LakeTahoe service not found: open JupyterLab or run `laketahoe-proxy serve`"):
        ip.run_line_magic("lt", "jobs")
