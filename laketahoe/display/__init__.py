"""Text and HTML renderings of jobs, models and deployments for the magics and the CLI.

Modules: tables (badges, aligned columns, HTML tables), jobs, trials (HPO), serving (models and
deployments), views (the objects that show as HTML in notebooks and as text elsewhere).
"""

from .jobs import (format_bytes, hpo_summary_pairs, hyperparameters_text, job_html, job_text, jobs_html, jobs_text,
                   log_line_text, progress_text, trial_counts_text, usage_pairs)
from .serving import (comparison_text, deployment_html, deployment_text, deployments_html, deployments_text,
                      model_html, model_ref, model_text, models_html, models_text, version_text)
from .tables import STATE_COLORS, badge_html
from .trials import params_html, trial_table, trials_csv, trials_html, trials_text
from .views import (ComparisonView, DeploymentList, DeploymentView, HpoView, JobList, JobView, ModelList, ModelView,
                    TrialsView)

__all__ = ["STATE_COLORS", "ComparisonView", "DeploymentList", "DeploymentView", "HpoView", "JobList", "JobView",
           "ModelList", "ModelView", "TrialsView", "badge_html", "comparison_text", "deployment_html",
           "deployment_text", "deployments_html", "deployments_text", "format_bytes", "hpo_summary_pairs",
           "hyperparameters_text", "job_html", "job_text", "jobs_html", "jobs_text", "log_line_text", "model_html",
           "model_ref", "model_text", "models_html", "models_text", "params_html", "progress_text",
           "trial_counts_text", "trial_table", "trials_csv", "trials_html", "trials_text", "usage_pairs",
           "version_text"]
