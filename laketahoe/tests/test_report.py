"""laketahoe.report() inside and outside a job."""

from __future__ import annotations

import json
import warnings

import pytest

import laketahoe
from laketahoe import _metrics


@pytest.fixture(autouse=True)
def _fresh_warning_state(monkeypatch):
    monkeypatch.setattr(_metrics, "_warned", False)


def test_outside_a_job_is_a_noop_that_warns_once(monkeypatch, tmp_path):
    monkeypatch.delenv("LAKETAHOE_EVENTS_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert laketahoe.report(accuracy=0.5) is None
        laketahoe.report(step=2, accuracy=0.6)
    assert len(caught) == 1
    assert "outside a LakeTahoe job" in str(caught[0].message)
    assert list(tmp_path.iterdir()) == []


def test_inside_a_job_appends_records(monkeypatch, tmp_path):
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv("LAKETAHOE_EVENTS_FILE", str(events))
    laketahoe.report(step=3, accuracy=0.9, loss=1)
    laketahoe.report(auc=0.75)
    lines = [json.loads(line) for line in events.read_text().splitlines()]
    assert lines[0]["type"] == "metric" and lines[0]["step"] == 3
    assert lines[0]["values"] == {"accuracy": 0.9, "loss": 1}
    assert lines[1]["step"] is None and lines[1]["values"] == {"auc": 0.75}


def test_rejects_non_numbers(monkeypatch, tmp_path):
    monkeypatch.setenv("LAKETAHOE_EVENTS_FILE", str(tmp_path / "e.jsonl"))
    with pytest.raises(TypeError):
        laketahoe.report(accuracy="high")
    with pytest.raises(TypeError):
        laketahoe.report(step=1)
    assert not (tmp_path / "e.jsonl").exists()


def test_labextension_paths():
    assert laketahoe._jupyter_labextension_paths() == [{"src": "labextension", "dest": "laketahoe"}]


def test_non_finite_values_are_sent_apart_with_a_warning_not_raised(monkeypatch, tmp_path):
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv("LAKETAHOE_EVENTS_FILE", str(events))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        laketahoe.report(step=3, loss=float("nan"), acc=0.5, grad=float("-inf"))
        laketahoe.report(step=4, loss=float("inf"))
    (first, second) = [json.loads(line) for line in events.read_text().splitlines()]
    assert first["values"] == {"acc": 0.5}
    assert first["nonFinite"] == {"loss": "NaN", "grad": "-Infinity"}
    assert second["values"] == {} and second["nonFinite"] == {"loss": "Infinity"}
    # Every line is strict JSON (no NaN tokens), as the service parses it.
    for line in events.read_text().splitlines():
        json.loads(line, parse_constant=lambda token: pytest.fail(f"{token} in {line}"))
    assert [w.category for w in caught] == [RuntimeWarning, RuntimeWarning]
    assert "loss=NaN, grad=-Infinity at step 3 is not a finite number" in str(caught[0].message)
