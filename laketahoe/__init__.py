"""LakeTahoe for JupyterLab: submit notebooks as training jobs from JupyterLab, magics or a CLI."""

from ._metrics import report

__version__ = "0.1.0"

__all__ = ["__version__", "report", "load_ipython_extension"]


def _jupyter_labextension_paths():
    """Tell JupyterLab where the prebuilt extension lives."""
    return [{"src": "labextension", "dest": "laketahoe"}]


def load_ipython_extension(ipython):
    """Register the ``%lt`` magics (``%load_ext laketahoe``)."""
    # Imported here so that `import laketahoe` inside a training job stays light.
    from .magics import LakeTahoeMagics

    ipython.register_magics(LakeTahoeMagics)
