"""Hyperparameter tuning (HPO) jobs on the kernel and CLI side.

Two modules, both free of IPython so that they are unit-testable:

* spec: reading an HPO spec from YAML, in either of two forms (see :func:`parse_hpo_document`), and the
  options of ``%lt hpo`` on top of it;
* trials: turning trials (the service's ``Trial`` objects) into rows, a pandas DataFrame, and the best
  trial, and the plain functions behind ``laketahoe.trials()`` and ``laketahoe.best_trial()``.
"""

from .spec import (ALGORITHMS, EARLY_STOPPING_KINDS, GOALS, METRIC_SELECTIONS, PARAM_KEYS, PARAM_TYPES, SCALE_TYPES,
                   SPEC_KEYS, SpecFieldError, apply_hpo_options, check_hyperparameters, goal_of, load_hpo_file,
                   needs_notebook, parse_hpo_document, parse_hpo_yaml, tuned_names)
from .trials import (FIXED_COLUMNS, best_of_job, best_trial_of, column_name, hpo_spec, is_hpo_job, objective,
                     param_columns, pick_best, sort_trials, trial_records, trials_dataframe, trials_frame)

__all__ = ["ALGORITHMS", "EARLY_STOPPING_KINDS", "FIXED_COLUMNS", "GOALS", "METRIC_SELECTIONS", "PARAM_KEYS",
           "PARAM_TYPES", "SCALE_TYPES", "SPEC_KEYS", "SpecFieldError", "apply_hpo_options", "best_of_job",
           "best_trial_of", "check_hyperparameters", "column_name", "goal_of", "hpo_spec", "is_hpo_job",
           "load_hpo_file", "needs_notebook", "objective", "param_columns", "parse_hpo_document", "parse_hpo_yaml",
           "pick_best", "sort_trials", "trial_records", "trials_dataframe", "trials_frame", "tuned_names"]
