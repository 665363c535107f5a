"""LakeTahoe for JupyterLab: submit notebooks as training and HPO jobs from JupyterLab, magics or a CLI."""

from ._metrics import report

__version__ = "0.1.0"

__all__ = ["__version__", "report", "trials", "best_trial", "load_ipython_extension"]


def trials(job_id: str, state: str | None = None, client=None):
    """All trials of an HPO job as a pandas DataFrame, one row per trial, indexed by trial id.

    Columns: state, objective (the final value of the job's metric tag, NaN
    while unknown), trainingStep, isTrialStoppedEarly, startTime, endTime,
    duration, then one column per hyperparameter. ``state`` keeps only trials in
    that state. Needs pandas; ``Client.trials()`` gives the same as plain dicts.
    """
    # Imported here so that `import laketahoe` inside a training job stays light.
    from .hpo import trials_dataframe

    return trials_dataframe(job_id, state=state, client=client)


def best_trial(job_id: str, client=None) -> dict | None:
    """The best finished trial of an HPO job for its goal (a Trial dict), or None while there is none."""
    from .hpo import best_trial_of

    return best_trial_of(job_id, client=client)


def _jupyter_labextension_paths():
    """Tell JupyterLab where the prebuilt extension lives."""
    return [{"src": "labextension", "dest": "laketahoe"}]


def load_ipython_extension(ipython):
    """Register the ``%lt`` magics (``%load_ext laketahoe``)."""
    # Imported here so that `import laketahoe` inside a training job stays light.
    from .magics import LakeTahoeMagics

    ipython.register_magics(LakeTahoeMagics)
