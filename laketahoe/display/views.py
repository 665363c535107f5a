"""Objects that show as HTML tables in notebooks and as text elsewhere (what the magics return)."""

from __future__ import annotations

import html

from .jobs import hpo_summary_pairs, job_html, job_text, jobs_html, jobs_text
from .serving import (comparison_text, deployment_html, deployment_text, deployments_html, deployments_text,
                      model_html, model_text, models_html, models_text)
from .tables import badge_html
from .trials import params_html, trials_html, trials_text


class JobList:
    """A list of jobs that renders as a table in notebooks and as text elsewhere."""

    def __init__(self, jobs: list[dict]):
        self.jobs = jobs

    def _repr_html_(self) -> str:
        return jobs_html(self.jobs)

    def __repr__(self) -> str:
        return jobs_text(self.jobs)

    def __len__(self) -> int:
        return len(self.jobs)

    def __getitem__(self, i):
        return self.jobs[i]


class JobView:
    """One job; ``.job`` holds the decoded API object."""

    def __init__(self, job: dict, note: str = ""):
        self.job = job
        self.note = note

    def _repr_html_(self) -> str:
        note = f"<p>{html.escape(self.note)}</p>" if self.note else ""
        return note + job_html(self.job)

    def __repr__(self) -> str:
        return (self.note + "\n" if self.note else "") + job_text(self.job)

    def __getitem__(self, key):
        return self.job[key]


class HpoView(JobView):
    """An HPO job: the job summary plus its search space."""

    def _repr_html_(self) -> str:
        spec = (self.job.get("trainingInput") or {}).get("hyperparameters") or {}
        return super()._repr_html_() + "<p><b>Search space</b></p>" + params_html(spec)


class TrialsView:
    """The trials of an HPO job: an HTML table (best first, best highlighted) in notebooks, text elsewhere.

    ``.trials`` holds the decoded Trial objects; ``.frame`` builds the pandas DataFrame.
    """

    def __init__(self, job: dict, trials: list[dict]):
        self.job = job
        self.trials = trials

    @property
    def spec(self) -> dict:
        """The job's ``hyperparameters`` spec."""
        return (self.job.get("trainingInput") or {}).get("hyperparameters") or {}

    @property
    def frame(self):
        """The trials as a DataFrame, as ``laketahoe.trials()`` returns it."""
        from laketahoe.hpo import trials_frame

        return trials_frame(self.trials, self.spec)

    def _best_id(self) -> str | None:
        from laketahoe.hpo import best_of_job

        best = best_of_job(self.job, self.trials)
        return str(best["trialId"]) if best else None

    def _repr_html_(self) -> str:
        summary = "; ".join(f"{k}: {html.escape(v)}" for k, v in hpo_summary_pairs(self.job, self.trials)
                            if k in ("goal", "trials", "bestTrial"))
        return (f"<p>Job <code>{html.escape(self.job.get('jobId', ''))}</code> {badge_html(self.job.get('state', ''))}"
                f" {summary}</p>" + trials_html(self.trials, self.spec, self._best_id()))

    def __repr__(self) -> str:
        return trials_text(self.trials, self.spec, sort_by="objective")

    def __len__(self) -> int:
        return len(self.trials)

    def __getitem__(self, i):
        return self.trials[i]


class ModelList(list):
    """Models (dicts): a plain list that renders as a table in notebooks."""

    def _repr_html_(self) -> str:
        return models_html(self)

    def __repr__(self) -> str:
        return models_text(self)


class DeploymentList(list):
    """Deployments (dicts): a plain list that renders as a table in notebooks."""

    def _repr_html_(self) -> str:
        return deployments_html(self)

    def __repr__(self) -> str:
        return deployments_text(self)


class DeploymentView(dict):
    """One deployment (the API object, as a dict) that renders as a table; ``note`` is shown above it."""

    def __init__(self, deployment: dict, note: str = ""):
        super().__init__(deployment)
        self.note = note

    def _repr_html_(self) -> str:
        note = f"<p>{html.escape(self.note)}</p>" if self.note else ""
        return note + deployment_html(self)

    def __repr__(self) -> str:
        return (self.note + "\n" if self.note else "") + deployment_text(self)


class ModelView(dict):
    """One model with its versions (the API object, as a dict) that renders as a table."""

    def _repr_html_(self) -> str:
        return model_html(self)

    def __repr__(self) -> str:
        return model_text(self)


class ComparisonView(dict):
    """The champion/challenger comparison: a dict that shows as a table."""

    def _repr_html_(self) -> str:
        return "<pre class=\"jp-laketahoe-comparison\">" + html.escape(comparison_text(self)) + "</pre>"

    def __repr__(self) -> str:
        return comparison_text(self)
