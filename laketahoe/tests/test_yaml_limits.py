"""Job and HPO files: YAML aliases are refused, so a tiny file cannot expand to gigabytes."""
import pytest

from laketahoe import hpo, jobspec

# 603 bytes that expand to 9^9 (387 million) strings once aliases are resolved ("billion laughs").
LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
trainingInput:
  notebook: {path: nb.ipynb, parameters: {x: *i}}
"""


def _to_root(p, base):
    return p


def test_job_file_with_aliases_is_refused(tmp_path):
    job = tmp_path / "job.yaml"
    job.write_text(LAUGHS)
    assert len(LAUGHS.encode()) < 700
    # Loading it used to succeed (shared references), and sending it as JSON expanded it.
    with pytest.raises(jobspec.JobSpecError, match=r"aliases \(\*a\) are not allowed"):
        jobspec.load_job_file(str(job), _to_root)


def test_hpo_cell_and_file_with_aliases_are_refused(tmp_path):
    text = "base: &p {parameterName: x, type: DOUBLE, minValue: 0, maxValue: 1}\nparams: [*p]\n"
    with pytest.raises(jobspec.JobSpecError, match="aliases"):
        hpo.parse_hpo_yaml(text, "%%lt hpo")
    f = tmp_path / "hpo.yaml"
    f.write_text(text)
    with pytest.raises(jobspec.JobSpecError, match="aliases"):
        hpo.load_hpo_file(str(f), _to_root)


def test_merge_keys_are_aliases_too(tmp_path):
    job = tmp_path / "job.yaml"
    job.write_text("base: &b {scaleTier: BASIC}\ntrainingInput:\n  <<: *b\n  notebook: {path: nb.ipynb}\n")
    with pytest.raises(jobspec.JobSpecError, match="aliases"):
        jobspec.load_job_file(str(job), _to_root)


def test_plain_files_still_load_and_anchors_alone_are_harmless(tmp_path):
    job = tmp_path / "job.yaml"
    job.write_text("jobId: j1\ntrainingInput: &t\n  scaleTier: BASIC\n  notebook: {path: nb.ipynb}\nlabels: {team: a}\n")
    job_id, ti, labels = jobspec.load_job_file(str(job), _to_root)
    assert job_id == "j1"
    assert ti["scaleTier"] == "BASIC"
    assert labels == {"team": "a"}


def test_oversized_file_is_refused(tmp_path):
    job = tmp_path / "job.yaml"
    job.write_text("trainingInput: {notebook: {path: nb.ipynb}}\n" + "#" * (jobspec.MAX_SPEC_BYTES + 10) + "\n")
    with pytest.raises(jobspec.JobSpecError, match="larger than"):
        jobspec.load_job_file(str(job), _to_root)
