"""LakeTahoe for JupyterLab: submit notebooks as training and HPO jobs from JupyterLab, magics or a CLI."""

from ._metrics import report

# Before `def models` below: importing the submodule `laketahoe.models` binds that name to the module,
# and the function must win. The module itself imports nothing heavy until a model is saved.
from .models import save_model



def _version() -> str:
    """The version from its one source, the root package.json: read directly in a checkout, else the
    ``_version.py`` that the package build writes from it."""
    import json
    import os

    checkout = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "package.json")
    try:
        with open(checkout, encoding="utf-8") as f:
            meta = json.load(f)
        if meta.get("name") == "laketahoe":
            return meta["version"]
    except (OSError, ValueError, KeyError):
        pass
    try:
        from ._version import __version__ as built
    except ImportError:
        return "0+unknown"
    return built


__version__ = _version()

__all__ = ["__version__", "report", "trials", "best_trial", "save_model", "models", "register_model", "deploy",
           "deployments", "undeploy", "predict", "add_challenger", "promote", "compare", "load_ipython_extension"]


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


def models(client=None):
    """Your registered models, newest first: a list of Model dicts that shows as a table in notebooks."""
    from . import serving

    return serving.models(client=client)


def register_model(path, name: str | None = None, client=None) -> dict:
    """Register a saved model folder (what ``save_model`` returned) as a new model version; returns it."""
    from . import serving

    return serving.register_model(path, name=name, client=client)


def deploy(model: str | None = None, version: int | None = None, name: str | None = None, wait: bool = True, *,
           job_id: str | None = None, trial_id=None, replicas: int | None = None, monitoring: dict | None = None,
           timeout: float = 300, client=None):
    """Serve a model: ``deploy("iris", name="iris-prod")``, ``deploy("iris:2", ...)``, or a job's model with
    ``deploy(job_id="train_1", trial_id=None, name=...)``. Waits until READY unless ``wait=False``.
    See :func:`laketahoe.serving.deploy`.
    """
    from . import serving

    return serving.deploy(model, version, name, wait, job_id=job_id, trial_id=trial_id, replicas=replicas,
                          monitoring=monitoring, timeout=timeout, client=client)


def deployments(client=None):
    """Your deployments: a list of Deployment dicts that shows as a table in notebooks."""
    from . import serving

    return serving.deployments(client=client)


def undeploy(name: str, client=None):
    """Stop and remove deployment ``name``; returns the removed Deployment."""
    from . import serving

    return serving.undeploy(name, client=client)


def add_challenger(name: str, model=None, version=None, *, canary=None, shadow=False, job_id=None, trial_id=None,
                   wait=False, client=None):
    """Serve another version beside deployment ``name``'s champion: ``canary=10`` (percent) or ``shadow=True``.

    See :func:`laketahoe.serving.add_challenger`.
    """
    from . import serving

    return serving.add_challenger(name, model, version, canary=canary, shadow=shadow, job_id=job_id,
                                  trial_id=trial_id, wait=wait, client=client)


def promote(name: str, client=None):
    """Make deployment ``name``'s ready challenger its champion (no restart, no failed request)."""
    from . import serving

    return serving.promote(name, client=client)


def compare(name: str, client=None):
    """Champion and challenger of deployment ``name`` side by side (a dict that shows as a table)."""
    from . import serving
    from .display import ComparisonView

    return ComparisonView(serving.compare(name, client=client))


def predict(name: str, data, client=None):
    """Predictions of deployment ``name`` for a DataFrame, a numpy array or a list of rows.

    Returns a numpy array (a pandas Series or DataFrame for a DataFrame). See
    :func:`laketahoe.serving.predict`.
    """
    from . import serving

    return serving.predict(name, data, client=client)


def _jupyter_labextension_paths():
    """Tell JupyterLab where the prebuilt extension lives."""
    return [{"src": "labextension", "dest": "laketahoe"}]


def load_ipython_extension(ipython):
    """Register the ``%lt`` magics (``%load_ext laketahoe``)."""
    # Imported here so that `import laketahoe` inside a training job stays light.
    from .magics import LakeTahoeMagics

    ipython.register_magics(LakeTahoeMagics)
