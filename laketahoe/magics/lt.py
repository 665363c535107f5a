"""The ``%lt`` line and cell magic: parses the subcommand and hands it to its handler."""

from __future__ import annotations

import shlex

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class

from laketahoe.client import Client, LakeTahoeError

from .jobs import JobMagics
from .serving import ServingMagics


@magics_class
class LakeTahoeMagics(JobMagics, ServingMagics, Magics):
    """``%lt submit|hpo|jobs|describe|trials|logs|stop|cancel|models|deploy|deployments|undeploy``, ``%%lt hpo``."""

    def __init__(self, shell=None, client_factory=None):
        super().__init__(shell)
        self._client_factory = client_factory or Client.from_environment
        self._client = None

    @property
    def client(self) -> Client:
        """The service client, found lazily so that loading the extension never fails."""
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    @line_cell_magic
    def lt(self, line, cell=None):
        """Work with LakeTahoe training and HPO jobs.

        Usage::

          %lt submit [NOTEBOOK] [--job-id ID] [--scale-tier TIER] [--priority P] [--image URI]
                     [--param NAME=VALUE ...] [--include-folder]
          %lt hpo --config HPO.yaml [NOTEBOOK] [--job-id ID] [--param NAME=VALUE ...]
                  [--max-trials N] [--parallel N] [--scale-tier TIER] [--priority P]
          %%lt hpo [NOTEBOOK] [--job-id ID] ...     (the cell body is the HPO YAML)
          %lt jobs [--state STATE] [--search TEXT] [--label KEY[=VALUE] ...]
          %lt rerun JOB_ID [--job-id NEW_ID]        (a finished job again: same spec, parameters, labels)
          %lt describe JOB_ID
          %lt trials JOB_ID [--state STATE]
          %lt logs JOB_ID [--trial N] [--follow]
          %lt stop JOB_ID
          %lt cancel JOB_ID
          %lt delete JOB_ID [JOB_ID...]             (running jobs are cancelled first)
          %lt schedule [NOTEBOOK] --cron "0 6 * * *" [--tz Europe/Berlin] [--id ID] [--param NAME=VALUE ...]
                       [--missed run-once|skip] [--keep-last N] [--delete-after-days D] [--webhook URL] [--paused]
          %lt schedule list | run ID | pause ID | resume ID | runs ID | describe ID | delete ID
          %lt models
          %lt deploy MODEL[:VERSION] [--name NAME] [--wait]
          %lt deploy --job JOB_ID [--trial N] --name NAME [--wait]
          %lt deploy MODEL:VERSION --name NAME --canary PERCENT | --shadow   (challenger beside the champion)
          %lt deploy --job JOB_ID --trial N --name NAME --canary PERCENT | --shadow
          %lt deployments
          %lt compare NAME
          %lt promote NAME [--version N]
          %lt scale NAME --replicas N | --min N --max N [--target-inflight N | --cpu-target PERCENT] | --no-autoscaling   (Kubernetes)
          %lt undeploy NAME

        ``%lt submit`` without NOTEBOOK submits the current notebook (its last saved version);
        so does ``%lt hpo`` when neither NOTEBOOK nor the spec names what to run.
        The HPO YAML is either a full job document (``trainingInput:`` with ``hyperparameters:``)
        or just the hyperparameters spec (``goal``, ``hyperparameterMetricTag``, ``params``, ...),
        bare or under a ``hyperparameters:`` key.
        """
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"%lt: {exc}") from None
        if not words or words[0] in ("-h", "--help", "help"):
            raise UsageError(self.lt.__doc__.split("\n\n", 1)[1].strip() if self.lt.__doc__ else "%lt")
        command, rest = words[0], line.strip()[len(words[0]):]
        handlers = {"submit": self._submit, "hpo": self._hpo, "jobs": self._jobs, "list": self._jobs,
                    "describe": self._describe, "trials": self._trials, "logs": self._logs, "stop": self._stop,
                    "cancel": self._cancel, "delete": self._delete, "models": self._models, "deploy": self._deploy,
                    "deployments": self._deployments, "undeploy": self._undeploy, "promote": self._promote,
                    "compare": self._compare, "scale": self._scale, "schedule": self._schedule,
                    "rerun": self._rerun}
        handler = handlers.get(command)
        if handler is None:
            raise UsageError(f"%lt: unknown command {command!r}; use submit, hpo, jobs, describe, trials, logs, "
                             "stop, cancel, delete, rerun, schedule, models, deploy, deployments, compare, promote, scale or undeploy")
        if cell is not None and command != "hpo":
            raise UsageError(f"%%lt {command}: only %%lt hpo takes a cell body (the HPO YAML); use %lt {command}")
        try:
            return handler(rest, cell) if command == "hpo" else handler(rest)
        except LakeTahoeError as exc:
            raise UsageError(str(exc)) from None
