"""``%lt`` magics: submit the current notebook as a training or HPO job and watch jobs from a kernel.

Load with ``%load_ext laketahoe``. Every subcommand is a thin layer over
:class:`laketahoe.client.Client` and :mod:`laketahoe.hpo`; errors become
``UsageError`` so the user sees one clean message, not a traceback.

Modules: lt (the magic and its dispatch), jobs and serving (the subcommands), common (what they share).
"""

from .common import current_notebook_path, environment_options
from .jobs import SCHEDULE_ACTIONS
from .lt import LakeTahoeMagics

__all__ = ["SCHEDULE_ACTIONS", "LakeTahoeMagics", "current_notebook_path", "environment_options"]
