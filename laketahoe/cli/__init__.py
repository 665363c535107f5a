"""``laketahoe`` command line, shaped like ``gcloud ai-platform jobs``.

::

  laketahoe jobs submit training JOB_ID --config job.yaml [--scale-tier T] [--module-name M]
                                        [--package-path DIR] [--packages A,B] [--stream-logs] [-- ARGS...]
  laketahoe jobs describe JOB_ID [--summarize]
  laketahoe jobs list [--filter state=RUNNING]
  laketahoe jobs stream-logs JOB_ID
  laketahoe jobs cancel JOB_ID
  laketahoe jobs delete JOB_ID [JOB_ID...] [--quiet]
  laketahoe jobs stop JOB_ID
  laketahoe jobs list-trials JOB_ID [--sort-by objective] [--filter state=SUCCEEDED] [--format table|csv]

  laketahoe definitions create DEF_ID --config job.yaml | --notebook NB [-p NAME=VALUE] [--schedule CRON]
                                [--time-zone TZ] [--missed run-once|skip] [--keep-last N] [--delete-after-days D]
                                [--webhook URL] [--paused]
  laketahoe definitions list | describe DEF_ID | runs DEF_ID | run DEF_ID | pause DEF_ID | resume DEF_ID
  laketahoe definitions delete DEF_ID
  laketahoe definitions preview CRON [--time-zone TZ] [--count N]

  laketahoe models list
  laketahoe models describe MODEL [--version N]
  laketahoe deployments create NAME --model MODEL[:VERSION] | --job JOB_ID [--trial N] [--replicas N] [--wait]
  laketahoe deployments list
  laketahoe deployments describe NAME
  laketahoe deployments delete NAME
  laketahoe deployments predict NAME --json-request FILE
  laketahoe deployments create NAME --model MODEL:VERSION | --job JOB_ID [--trial N] --canary PERCENT | --shadow
  laketahoe deployments traffic NAME --canary PERCENT | --shadow | --remove
  laketahoe deployments compare NAME
  laketahoe deployments promote NAME [--version N]
  laketahoe deployments scale NAME --replicas N | --min N --max N [--target-inflight N | --cpu-target PERCENT] [--scale-down-delay S]
  laketahoe deployments scale NAME --no-autoscaling

  laketahoe serving-env create [--path DIR] [--python PY] [--force] [--verbose]
  laketahoe serving-env status [--path DIR]
  laketahoe --version

A job file with ``trainingInput.hyperparameters`` submits an HPO job; the spec
goes to the service as written. ``predict --json-request`` sends an Open
Inference Protocol v2 request body as is and prints the answer as JSON.

``stream-logs`` and ``submit --stream-logs`` exit with the job's outcome: 0
SUCCEEDED, 1 FAILED, 3 CANCELLED (1 also for any error talking to the service).
Output piped into a reader that stops early (``| head``) ends the command quietly.

``serving-env`` builds MLServer's own environment (see ``laketahoe.serving_env``)
and needs no running service.

Modules: parser, jobs, definitions, serving (models, deployments, serving-env), dispatch (``run`` and ``main``).
"""

from .definitions import cmd_definitions
from .dispatch import main, run
from .jobs import (EXIT_BROKEN_PIPE, EXIT_CANCELLED, EXIT_FAILED, _pack_directory, cmd_delete, cmd_describe,
                   cmd_list_trials, cmd_submit, cmd_update_labels)
from .parser import build_parser
from .serving import cmd_deployments, cmd_models, cmd_serving_env

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_CANCELLED", "EXIT_FAILED", "build_parser", "cmd_definitions", "cmd_delete",
           "cmd_deployments", "cmd_describe", "cmd_list_trials", "cmd_models", "cmd_serving_env", "cmd_submit",
           "cmd_update_labels", "main", "run"]
