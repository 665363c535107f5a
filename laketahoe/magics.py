"""``%lt`` magics: submit the current notebook as a training or HPO job and watch jobs from a kernel.

Load with ``%load_ext laketahoe``. Every subcommand is a thin layer over
:class:`laketahoe.client.Client` and :mod:`laketahoe.hpo`; errors become
``UsageError`` so the user sees one clean message, not a traceback.
"""

from __future__ import annotations

import os
import shlex
import sys

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from .client import TERMINAL_STATES, Client, LakeTahoeError
from .display import DeploymentView, HpoView, JobList, JobView, TrialsView
from .hpo import apply_hpo_options, goal_of, load_hpo_file, needs_notebook, parse_hpo_yaml
from ._wire import JOB_STATES, PRIORITIES, SCALE_TIERS
from .definitions import (MISSED_POLICIES, definition_body, definition_id_for, definition_text, definitions_text,
                          run_action)
from .jobspec import JobSpecError, merge_env, notebook_training_input, parse_params, rebase_training_input

#: ``%lt schedule`` actions on an existing definition.
SCHEDULE_ACTIONS = ("run", "pause", "resume", "runs", "describe", "delete")


class _Text(str):
    """Plain text a magic returns: shown as written, without quotes."""

    def __repr__(self) -> str:
        return str(self)


def current_notebook_path(env: dict | None = None, root_dir: str | None = None) -> str | None:
    """The notebook this kernel belongs to, as a local path, when Jupyter Server told us.

    ``JPY_SESSION_NAME`` is absolute in recent jupyter_server and root-relative
    in older ones.
    """
    env = os.environ if env is None else env
    name = env.get("JPY_SESSION_NAME")
    if not name or not name.endswith(".ipynb"):
        return None
    if os.path.isabs(name):
        return name if os.path.isfile(name) else None
    for base in filter(None, (root_dir, os.getcwd())):
        candidate = os.path.join(base, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def _format_log_line(line: dict) -> str:
    text = line.get("text", "")
    return f"[{line.get('stream')}] {text}" if line.get("stream") == "system" else text


def _environment_options(args, existing=None) -> dict:
    """``env``, ``kernelName`` and ``kernelFallback`` of ``trainingInput`` from the magic's flags."""
    try:
        ti = {"env": merge_env(existing, args.env, args.secret_env)} if (args.env or args.secret_env) else {}
    except JobSpecError as exc:
        raise UsageError(str(exc)) from None
    if getattr(args, "kernel", None):
        ti["kernelName"] = args.kernel
    if getattr(args, "kernel_fallback", None):
        ti["kernelFallback"] = args.kernel_fallback
    return ti


@magics_class
class LakeTahoeMagics(Magics):
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
          %lt jobs [--state STATE]
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
          %lt scale NAME --replicas N | --min N --max N [--target-inflight N] | --no-autoscaling   (Kubernetes)
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
                    "compare": self._compare, "scale": self._scale, "schedule": self._schedule}
        handler = handlers.get(command)
        if handler is None:
            raise UsageError(f"%lt: unknown command {command!r}; use submit, hpo, jobs, describe, trials, logs, "
                             "stop, cancel, delete, schedule, models, deploy, deployments, compare, promote, scale or undeploy")
        if cell is not None and command != "hpo":
            raise UsageError(f"%%lt {command}: only %%lt hpo takes a cell body (the HPO YAML); use %lt {command}")
        try:
            return handler(rest, cell) if command == "hpo" else handler(rest)
        except LakeTahoeError as exc:
            raise UsageError(str(exc)) from None

    # Each subcommand parses with its own magic_arguments parser.

    @magic_arguments()
    @argument("notebook", nargs="?", help="notebook to submit (default: the current notebook)")
    @argument("--job-id", help="job id; the service generates one when omitted")
    @argument("--scale-tier", type=str.upper, choices=SCALE_TIERS, help="machine size")
    @argument("--priority", type=str.lower, choices=PRIORITIES, help="queue priority")
    @argument("--image", help="container image URI (recorded; the local backend uses this Python)")
    @argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
              help="notebook parameter; VALUE is a Python literal when it parses as one")
    @argument("--include-folder", action="store_true", help="also snapshot the notebook's folder")
    @argument("--env", "-e", action="append", default=[], metavar="NAME=VALUE", help="environment variable of the job")
    @argument("--secret-env", action="append", default=[], metavar="NAME=SECRET:KEY",
              help="variable set from a secret (Kubernetes Secret, or your local secrets file); never sent")
    @argument("--kernel", help="kernelspec to run on (default: the notebook's own)")
    @argument("--kernel-fallback", help="kernelspec to use when the chosen one is not installed")
    def _submit(self, rest):
        """%lt submit: submit a notebook as a training job."""
        args = parse_argstring(self._submit, rest)
        client = self.client
        path = args.notebook
        if not path:
            path = current_notebook_path(root_dir=client.root_dir)
            if not path:
                raise UsageError("%lt submit: cannot tell which notebook this is; give its path, "
                                 "e.g. %lt submit train.ipynb")
        elif not os.path.isfile(os.path.expanduser(path)):
            raise UsageError(f"%lt submit: notebook not found: {path}")
        rel = client.to_root_relative(path)
        ti = notebook_training_input(rel, parse_params(args.param), args.scale_tier, args.priority, args.image,
                                     args.include_folder)
        ti.update(_environment_options(args))
        job = client.submit_job(args.job_id, ti)
        return JobView(job, note=f"Submitted {rel} as job {job.get('jobId')}.")

    @magic_arguments()
    @argument("notebook", nargs="?", help="notebook the trials run (default: the spec's, else the current notebook)")
    @argument("--config", "-c", help="HPO YAML file (line magic); %%%%lt hpo reads the cell body instead")
    @argument("--job-id", help="job id; the service generates one when omitted")
    @argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
              help="fixed (not tuned) notebook parameter; VALUE is a Python literal when it parses as one")
    @argument("--max-trials", type=int, help="maxTrials: how many trials in all")
    @argument("--parallel", type=int, help="maxParallelTrials: how many trials at once")
    @argument("--scale-tier", type=str.upper, choices=SCALE_TIERS, help="machine size of each trial")
    @argument("--priority", type=str.lower, choices=PRIORITIES, help="queue priority")
    @argument("--env", "-e", action="append", default=[], metavar="NAME=VALUE", help="environment variable of the job")
    @argument("--secret-env", action="append", default=[], metavar="NAME=SECRET:KEY",
              help="variable set from a secret (Kubernetes Secret, or your local secrets file); never sent")
    def _hpo(self, rest, cell=None):
        """%lt hpo / %%lt hpo: submit a hyperparameter tuning job whose trials run a notebook."""
        args = parse_argstring(self._hpo, rest)
        client = self.client

        def to_root(path: str, base: str) -> str:
            return client.to_root_relative(path, cwd=base)

        if cell is not None:
            if args.config:
                raise UsageError("%%lt hpo: the cell body is the HPO spec; drop --config (or use %lt hpo --config)")
            if not cell.strip():
                raise UsageError("%%lt hpo: the cell body is empty; write the HPO YAML there")
            job_id, ti, labels = parse_hpo_yaml(cell, "%%lt hpo")
            # A spec in a cell has no file to be relative to: its paths are relative to the kernel's cwd.
            ti = rebase_training_input(ti, os.getcwd(), to_root, source="%%lt hpo")
        else:
            if not args.config:
                raise UsageError("%lt hpo: give --config HPO.yaml, or write the spec as the body of a %%lt hpo cell")
            job_id, ti, labels = load_hpo_file(os.path.expanduser(args.config), to_root)

        notebook = None
        if args.notebook:
            if not os.path.isfile(os.path.expanduser(args.notebook)):
                raise UsageError(f"%lt hpo: notebook not found: {args.notebook}")
            notebook = client.to_root_relative(args.notebook)
        elif needs_notebook(ti):
            path = current_notebook_path(root_dir=client.root_dir)
            if not path:
                raise UsageError("%lt hpo: cannot tell which notebook the trials run; give its path, "
                                 "e.g. %lt hpo --config hpo.yaml train.ipynb")
            notebook = client.to_root_relative(path)
        ti = apply_hpo_options(ti, notebook, parse_params(args.param), args.max_trials, args.parallel,
                               args.scale_tier, args.priority)
        ti.update(_environment_options(args, ti.get("env")))
        job = client.submit_job(args.job_id or job_id, ti, labels=labels or None)
        spec = ti["hyperparameters"]
        runs = (ti.get("notebook") or {}).get("path") or ti.get("pythonModule") or "the module"
        note = (f"Submitted HPO job {job.get('jobId')}: {spec.get('maxTrials', 1)} trials of {runs}, "
                f"{spec.get('maxParallelTrials', 1)} at a time, to {goal_of(spec).lower()} "
                f"{spec.get('hyperparameterMetricTag') or 'the objective'}. "
                f"Watch them with %lt trials {job.get('jobId')}.")
        return HpoView(job, note=note)

    @magic_arguments()
    @argument("--state", type=str.upper, choices=JOB_STATES, help="only jobs in this state")
    def _jobs(self, rest):
        """%lt jobs: list your jobs, newest first."""
        args = parse_argstring(self._jobs, rest)
        return JobList(self.client.list_jobs(state=args.state))

    @magic_arguments()
    @argument("job_id", help="job id")
    def _describe(self, rest):
        """%lt describe: show one job."""
        args = parse_argstring(self._describe, rest)
        return JobView(self.client.get_job(args.job_id))

    @magic_arguments()
    @argument("job_id", help="HPO job id")
    @argument("--state", type=str.upper, choices=JOB_STATES, help="only trials in this state")
    def _trials(self, rest):
        """%lt trials: the trials of an HPO job, best first; ``.frame`` of the result is a DataFrame."""
        args = parse_argstring(self._trials, rest)
        client = self.client
        job = client.get_job(args.job_id)
        return TrialsView(job, client.trials(args.job_id, state=args.state))

    @magic_arguments()
    @argument("job_id", help="job id")
    @argument("--trial", "-t", help="an HPO job's trial id: print that trial's log")
    @argument("--follow", "-f", action="store_true", help="keep printing until the job (or trial) ends")
    def _logs(self, rest):
        """%lt logs: print a job's (or one trial's) log."""
        args = parse_argstring(self._logs, rest)
        client = self.client
        what = f"Trial {args.trial} of job {args.job_id}" if args.trial else f"Job {args.job_id}"
        if not args.follow:
            lines = (client.all_trial_logs(args.job_id, args.trial) if args.trial
                     else client.all_logs(args.job_id))
            for line in lines:
                print(_format_log_line(line))
            return None
        try:
            events = (client.stream_trial_logs(args.job_id, args.trial) if args.trial
                      else client.stream_logs(args.job_id))
            for event in events:
                if event.event == "log" and isinstance(event.data, dict):
                    print(_format_log_line(event.data))
                    sys.stdout.flush()
                elif event.event == "end" and isinstance(event.data, dict):
                    state = event.data.get("state", "")
                    print(f"{what} ended: {state}")
                    if state == "FAILED" and event.data.get("errorMessage"):
                        print(event.data["errorMessage"].splitlines()[0])
        except KeyboardInterrupt:
            # Interrupting the cell only stops following; the job keeps running.
            print(f"Stopped following {what[0].lower() + what[1:]}; it keeps running.")
        return None

    @magic_arguments()
    @argument("job_id", help="HPO job id")
    def _stop(self, rest):
        """%lt stop: start no new trials of an HPO job; running trials finish and are kept."""
        args = parse_argstring(self._stop, rest)
        job = self.client.stop_job(args.job_id)
        return JobView(job, note=f"Job {args.job_id} is stopping: no new trials start, running trials finish.")

    @magic_arguments()
    @argument("job_id", help="job id")
    def _cancel(self, rest):
        """%lt cancel: cancel a queued or running job."""
        args = parse_argstring(self._cancel, rest)
        job = self.client.cancel_job(args.job_id)
        done = job.get("state") in TERMINAL_STATES
        return JobView(job, note=f"Job {args.job_id} {'cancelled' if done else 'is being cancelled'}.")

    @magic_arguments()
    @argument("job_ids", nargs="+", help="job ids")
    def _delete(self, rest):
        """%lt delete: delete jobs with their outputs, logs, metrics and trials; running ones are cancelled first."""
        args = parse_argstring(self._delete, rest)
        results = self.client.delete_jobs(args.job_ids)
        kept = [r for r in results if not r["deleted"]]
        deleted = [r["jobId"] for r in results if r["deleted"]]
        if kept and not deleted:
            raise UsageError("%lt delete: " + "; ".join(r["error"]["message"] for r in kept))
        lines = [f"Deleted {', '.join(deleted)}."] + [f"Kept: {r['error']['message']}" for r in kept]
        print("\n".join(lines))

    # -- definitions and schedules -------------------------------------------

    @magic_arguments()
    @argument("notebook", nargs="?", help="notebook to run (default: the current notebook)")
    @argument("--cron", help='cron schedule, five fields, e.g. "0 6 * * 1-5"; none saves a run-on-demand definition')
    @argument("--tz", "--time-zone", dest="time_zone", help="IANA time zone of the schedule (default UTC)")
    @argument("--id", dest="definition_id", help="definition id (default: from the notebook's name)")
    @argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE", help="notebook parameter")
    @argument("--scale-tier", type=str.upper, choices=SCALE_TIERS, help="machine size")
    @argument("--missed", choices=sorted(MISSED_POLICIES), help="a tick missed while the service was down")
    @argument("--keep-last", type=int, help="retention: keep the last N finished runs")
    @argument("--delete-after-days", type=float, help="retention: delete runs finished D days ago")
    @argument("--webhook", help="POST Slack-compatible JSON here when a run ends")
    @argument("--paused", action="store_true", help="save it paused")
    def _schedule(self, rest):
        """%lt schedule: save a notebook as a job definition, or act on one (list, run, pause, resume, runs, delete)."""
        words = shlex.split(rest)
        client = self.client
        if words and words[0] == "list":
            return _Text(definitions_text(client.list_definitions()))
        if words and words[0] in SCHEDULE_ACTIONS:
            if len(words) != 2:
                raise UsageError(f"%lt schedule {words[0]} DEFINITION_ID")
            return _Text(run_action(client, words[0], words[1]))
        # Parsed from shell words: a cron expression is quoted and holds spaces and `*`.
        args = self._schedule.parser.parse_args(words)
        path = args.notebook or current_notebook_path(root_dir=client.root_dir)
        if not path:
            raise UsageError("%lt schedule: cannot tell which notebook this is; give its path")
        if not os.path.isfile(os.path.expanduser(path)):
            raise UsageError(f"%lt schedule: notebook not found: {path}")
        rel = client.to_root_relative(path)
        ti = notebook_training_input(rel, parse_params(args.param), args.scale_tier)
        body = definition_body(ti, cron=args.cron, time_zone=args.time_zone, paused=args.paused, missed=args.missed,
                               keep_last_runs=args.keep_last, delete_after_days=args.delete_after_days,
                               webhook_url=args.webhook)
        body["definitionId"] = args.definition_id or definition_id_for(rel)
        return _Text(definition_text(client.create_definition(body)))

    # -- models and deployments ----------------------------------------------

    @magic_arguments()
    def _models(self, rest):
        """%lt models: your registered models, newest first."""
        parse_argstring(self._models, rest)
        from . import serving

        return serving.models(client=self.client)

    @magic_arguments()
    @argument("model", nargs="?", metavar="MODEL[:VERSION]", help="registered model (latest version unless given)")
    @argument("--name", "-n", help="deployment name (default: the model's name)")
    @argument("--job", "-j", metavar="JOB_ID", help="deploy the model this job saved instead")
    @argument("--trial", "-t", help="with --job: the HPO trial whose model to deploy")
    @argument("--replicas", type=int, help="how many model servers")
    @argument("--wait", "-w", action="store_true", help="return once the deployment is READY")
    @argument("--canary", type=int, metavar="PERCENT",
              help="serve the model as challenger of deployment --name with this percent of requests")
    @argument("--shadow", action="store_true",
              help="serve the model as shadow challenger of --name: a copy of every request, answers recorded")
    def _deploy(self, rest):
        """%lt deploy: serve a registered model, or the model a job saved, behind a deployment."""
        args = parse_argstring(self._deploy, rest)
        from . import serving

        if args.model and args.job:
            raise UsageError("%lt deploy: give MODEL[:VERSION] or --job JOB_ID, not both")
        if not args.model and not args.job:
            raise UsageError("%lt deploy: give MODEL[:VERSION] (e.g. %lt deploy iris:2 --name iris) "
                             "or --job JOB_ID --name NAME")
        if args.trial and not args.job:
            raise UsageError("%lt deploy: --trial needs --job")
        if args.job and not args.name:
            raise UsageError("%lt deploy --job: give the deployment a --name")
        if args.replicas is not None and args.replicas < 1:
            raise UsageError("%lt deploy: --replicas must be at least 1")
        if args.canary is not None or args.shadow:
            return self._deploy_challenger(args)
        deployment = serving.deploy(args.model, name=args.name, wait=args.wait, job_id=args.job,
                                    trial_id=args.trial, replicas=args.replicas, client=self.client)
        if args.job:
            what = f"the model of job {args.job}" + (f" trial {args.trial}" if args.trial else "")
        else:
            what = args.model
        state = deployment.get("state")
        note = (f"Deployment {deployment.get('name')} serves {what}: {state}." if state == "READY" else
                f"Deploying {what} as {deployment.get('name')} ({state}); "
                f"%lt deployments shows when it is READY.")
        return DeploymentView(deployment, note=note)

    def _deploy_challenger(self, args):
        """%lt deploy ... --canary N | --shadow: a challenger beside the champion of deployment --name."""
        from . import serving

        if args.canary is not None and args.shadow:
            raise UsageError("%lt deploy: give --canary PERCENT or --shadow, not both")
        if args.canary is not None and not 0 <= args.canary <= 100:
            raise UsageError("%lt deploy: --canary is a percent from 0 to 100")
        if args.replicas is not None:
            raise UsageError("%lt deploy: a challenger runs one model server; leave out --replicas")
        name = args.name or (serving.parse_model_ref(args.model)["name"] if args.model else None)
        deployment = serving.add_challenger(name, args.model, canary=args.canary, shadow=args.shadow,
                                            job_id=args.job, trial_id=args.trial, wait=args.wait, client=self.client)
        ch = serving.challenger_of(deployment)
        how = f"{ch['weight']}% of requests" if ch["mode"] == "canary" else "a shadow copy of every request"
        note = (f"Challenger {ch['model']['name']}:{ch['model']['version']} of {name} gets {how} ({ch['state']}); "
                f"%lt compare {name} shows the versions side by side, %lt promote {name} --version {ch['model']['version']} makes it the champion.")
        return DeploymentView(deployment, note=note)

    @magic_arguments()
    @argument("name", help="deployment name")
    @argument("--version", type=int, help="which challenger (needed when there are several)")
    def _promote(self, rest):
        """%lt promote: make a deployment's ready challenger its champion (the other challengers stay)."""
        args = parse_argstring(self._promote, rest)
        from . import serving

        return serving.promote(args.name, version=args.version, client=self.client)

    @magic_arguments()
    @argument("name", help="deployment name")
    @argument("--replicas", type=int, help="model server pods per served version")
    @argument("--min", type=int, dest="min_replicas", help="autoscale from this many replicas (0: scale to zero)")
    @argument("--max", type=int, dest="max_replicas", help="with --min: at most this many replicas")
    @argument("--target-inflight", type=int, help="with --min: requests in flight per replica (default 4)")
    @argument("--no-autoscaling", action="store_true", help="stop autoscaling; the replicas stay")
    def _scale(self, rest):
        """%lt scale: set a Kubernetes deployment's replicas, or autoscale it by requests in flight."""
        args = parse_argstring(self._scale, rest)
        chosen = [args.replicas is not None, args.min_replicas is not None, args.no_autoscaling]
        if sum(chosen) != 1:
            raise UsageError("%lt scale: give exactly one of --replicas N, --min N --max N or --no-autoscaling")
        if args.min_replicas is not None:
            if args.max_replicas is None:
                raise UsageError("%lt scale: --min needs --max")
            spec = {"minReplicas": args.min_replicas, "maxReplicas": args.max_replicas}
            if args.target_inflight is not None:
                spec["targetInflight"] = args.target_inflight
            return DeploymentView(self.client.update_deployment(args.name, autoscaling=spec))
        if args.no_autoscaling:
            return DeploymentView(self.client.update_deployment(args.name, autoscaling=None))
        from . import serving

        return serving.scale(args.name, args.replicas, client=self.client)

    @magic_arguments()
    @argument("name", help="deployment name")
    def _compare(self, rest):
        """%lt compare: champion and challenger side by side (requests, errors, latency, agreement)."""
        args = parse_argstring(self._compare, rest)
        from . import serving
        from .display import ComparisonView

        return ComparisonView(serving.compare(args.name, client=self.client))

    @magic_arguments()
    def _deployments(self, rest):
        """%lt deployments: your deployments and their state."""
        parse_argstring(self._deployments, rest)
        from . import serving

        return serving.deployments(client=self.client)

    @magic_arguments()
    @argument("name", help="deployment name")
    def _undeploy(self, rest):
        """%lt undeploy: stop a deployment's model server and remove it."""
        args = parse_argstring(self._undeploy, rest)
        from . import serving

        return serving.undeploy(args.name, client=self.client)
