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
  laketahoe deployments scale NAME --replicas N | --min N --max N [--target-inflight N] [--scale-down-delay S]
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
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tarfile

from . import __version__
from .client import Client, LakeTahoeError, NotFound
from .display import (comparison_text, deployment_text, deployments_text, job_text, jobs_text, model_text, models_text, trials_csv,
                      trials_text, version_text)
from .hpo import check_hyperparameters, hpo_spec, is_hpo_job
from ._wire import JOB_STATES, PRIORITIES, SCALE_TIERS
from .definitions import add_schedule_options, body_from_args, definition_text, definitions_text, run_action
from .jobspec import JobSpecError, load_job_file, merge_env, notebook_training_input, parse_params


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line, like every other error of this command."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``laketahoe`` argument parser."""
    parser = _Parser(prog="laketahoe", description="Submit and manage LakeTahoe training jobs, models and deployments.")
    parser.add_argument("--version", action="version", version=f"laketahoe {__version__}")
    groups = parser.add_subparsers(dest="group", required=True, parser_class=_Parser)
    jobs = groups.add_parser("jobs", help="training jobs")
    cmds = jobs.add_subparsers(dest="command", required=True, parser_class=_Parser)

    submit = cmds.add_parser("submit", help="submit a job")
    kinds = submit.add_subparsers(dest="kind", required=True, parser_class=_Parser)
    training = kinds.add_parser("training", help="submit a training job",
                                description="Arguments after `--` are passed to the training module.")
    training.add_argument("job_id", metavar="JOB_ID")
    training.add_argument("--config", help="job file: AI Platform YAML with trainingInput (and notebook)")
    training.add_argument("--scale-tier", type=str.upper, choices=SCALE_TIERS)
    training.add_argument("--priority", type=str.lower, choices=PRIORITIES)
    training.add_argument("--master-image-uri", help="container image (recorded; the local backend uses this Python)")
    training.add_argument("--module-name", help="Python module to run, e.g. trainer.task")
    training.add_argument("--package-path", help="local package directory (e.g. trainer/) to ship with the job")
    training.add_argument("--packages", help="comma-separated local .tar.gz packages")
    training.add_argument("--job-dir", help="output directory for the job, inside the root directory")
    training.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                          help="environment variable of the job (repeatable)")
    training.add_argument("--secret-env", action="append", default=[], metavar="NAME=SECRET:KEY",
                          help="variable set from a secret: a Kubernetes Secret in your namespace, or an entry of "
                               "your local secrets file; the value is never sent (repeatable)")
    training.add_argument("--kernel", help="kernelspec to run the notebook on (default: the notebook's own)")
    training.add_argument("--kernel-fallback", help="kernelspec to use when the chosen one is not installed")
    training.add_argument("--stream-logs", action="store_true",
                          help="follow the job's log after submitting; exit with its outcome as stream-logs does")

    describe = cmds.add_parser("describe", help="show a job")
    describe.add_argument("job_id", metavar="JOB_ID")
    describe.add_argument("--summarize", action="store_true", help="a short summary instead of the full job")

    listing = cmds.add_parser("list", help="list jobs, newest first")
    listing.add_argument("--filter", help="state=STATE")
    listing.add_argument("--search", help="text in the job id or notebook path (any case)")
    listing.add_argument("--label", action="append", default=[], metavar="KEY[=VALUE]",
                         help="only jobs with this label (and value); repeat for several, all must match")

    rerun = cmds.add_parser("rerun", help="submit a finished job again with the same spec, parameters and labels")
    rerun.add_argument("job_id", metavar="JOB_ID")
    rerun.add_argument("--job-id", dest="new_job_id", help="the new job's id; the service picks one when omitted")
    rerun.add_argument("--stream-logs", action="store_true", help="then print the new job's log until it ends")

    update = cmds.add_parser("update", help="change a job's labels (the owner only)")
    update.add_argument("job_id", metavar="JOB_ID")
    update.add_argument("--update-labels", default="", metavar="KEY=VALUE,...", help="labels to add or change")
    update.add_argument("--remove-labels", default="", metavar="KEY,...", help="labels to remove")
    update.add_argument("--clear-labels", action="store_true", help="remove every label first")

    logs = cmds.add_parser("stream-logs", help="print a job's log until it ends; exit 0 SUCCEEDED, 1 FAILED, 3 CANCELLED")
    logs.add_argument("job_id", metavar="JOB_ID")

    cancel = cmds.add_parser("cancel", help="cancel a job")
    cancel.add_argument("job_id", metavar="JOB_ID")

    delete = cmds.add_parser("delete", help="delete jobs with their outputs, logs, metrics and trials "
                             "(running ones are cancelled first); exit 1 when any is kept")
    delete.add_argument("job_ids", metavar="JOB_ID", nargs="+")
    delete.add_argument("--quiet", "-q", action="store_true", help="do not ask for confirmation on a terminal")

    stop = cmds.add_parser("stop", help="stop an HPO job: no new trials; running trials finish")
    stop.add_argument("job_id", metavar="JOB_ID")

    trials = cmds.add_parser("list-trials", help="list the trials of an HPO job")
    trials.add_argument("job_id", metavar="JOB_ID")
    trials.add_argument("--sort-by", help="objective (best first for the goal), trialId (default) or another column")
    trials.add_argument("--filter", help="state=STATE")
    trials.add_argument("--format", choices=("table", "csv"), default="table", help="output format")

    _add_definitions_parser(groups)

    models = groups.add_parser("models", help="registered models")
    model_cmds = models.add_subparsers(dest="command", required=True, parser_class=_Parser)
    model_cmds.add_parser("list", help="list models, newest first")
    describe_model = model_cmds.add_parser("describe", help="show a model and its versions, or one version")
    describe_model.add_argument("model", metavar="MODEL")
    describe_model.add_argument("--version", type=int, help="show this version: source, signature")

    deployments = groups.add_parser("deployments", help="model deployments")
    dep_cmds = deployments.add_subparsers(dest="command", required=True, parser_class=_Parser)
    create = dep_cmds.add_parser("create", help="serve a model version (or a job's model) behind a deployment")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--model", metavar="MODEL[:VERSION]", help="registered model; latest version unless given")
    create.add_argument("--job", metavar="JOB_ID", help="the model this job saved (registered if needed)")
    create.add_argument("--trial", help="with --job: the HPO trial whose model to serve")
    create.add_argument("--replicas", type=int, help="how many model servers")
    create.add_argument("--wait", action="store_true", help="return once the deployment is READY")
    create.add_argument("--canary", type=int, metavar="PERCENT",
                        help="add the model as challenger of the existing deployment NAME with this share of requests")
    create.add_argument("--shadow", action="store_true",
                        help="add the model as shadow challenger of NAME: a copy of every request, answers recorded")
    traffic = dep_cmds.add_parser("traffic", help="change or remove a deployment's challengers")
    traffic.add_argument("name", metavar="NAME")
    traffic.add_argument("--version", type=int, help="which challenger (needed when there are several)")
    how = traffic.add_mutually_exclusive_group(required=True)
    how.add_argument("--canary", type=int, metavar="PERCENT", help="percent of requests the challenger answers")
    how.add_argument("--shadow", action="store_true", help="copy every request to the challenger")
    how.add_argument("--remove", action="store_true", help="stop the challenger (--version), or all of them")
    scale = dep_cmds.add_parser("scale", help="set the model server pods of a Kubernetes deployment")
    scale.add_argument("name", metavar="NAME")
    scale_how = scale.add_mutually_exclusive_group(required=True)
    scale_how.add_argument("--replicas", type=int, help="pods per served version (at least 1)")
    scale_how.add_argument("--min", type=int, dest="min_replicas",
                           help="autoscale by requests in flight from this many replicas (0: scale to zero)")
    scale_how.add_argument("--no-autoscaling", action="store_true", help="stop autoscaling; the replicas stay")
    scale.add_argument("--max", type=int, dest="max_replicas", help="with --min: at most this many replicas")
    scale.add_argument("--target-inflight", type=int, help="with --min: requests in flight per replica (default 4)")
    scale.add_argument("--scale-down-delay", type=int, metavar="SECONDS",
                       help="with --min: how long a lower load lasts before replicas go (default 60)")
    dep_cmds.add_parser("list", help="list deployments")
    for command, text in (("describe", "show a deployment"), ("delete", "stop and remove a deployment"),
                          ("promote", "make a challenger the champion (the others stay)"),
                          ("compare", "champion and challengers side by side")):
        sub = dep_cmds.add_parser(command, help=text)
        sub.add_argument("name", metavar="NAME")
        if command == "promote":
            sub.add_argument("--version", type=int, help="which challenger (needed when there are several)")
    predict = dep_cmds.add_parser("predict", help="send an inference request to a deployment")
    predict.add_argument("name", metavar="NAME")
    predict.add_argument("--json-request", required=True, metavar="FILE",
                         help="Open Inference Protocol v2 request body (JSON); - reads stdin")

    serving_env = groups.add_parser("serving-env", help="MLServer's own environment, used by deployments")
    env_cmds = serving_env.add_subparsers(dest="command", required=True, parser_class=_Parser)
    env_create = env_cmds.add_parser("create", help="build it from the pinned lock shipped with laketahoe")
    env_status = env_cmds.add_parser("status", help="say where it is and whether it is installed")
    for sub in (env_create, env_status):
        sub.add_argument("--path", metavar="DIR",
                         help="its folder (default: $LAKETAHOE_SERVING_VENV, else ~/.local/share/laketahoe/serving-venv); "
                              "the service looks there only by default")
    env_create.add_argument("--python", metavar="PY", help="interpreter to build it from (default: this one)")
    env_create.add_argument("--force", action="store_true", help="reinstall even when it is up to date")
    env_create.add_argument("--verbose", action="store_true", help="show pip's output")
    return parser


def _add_definitions_parser(groups) -> None:
    """``laketahoe definitions ...``: saved job specs, run now or on a cron schedule."""
    definitions = groups.add_parser("definitions", help="job definitions: saved job specs run now or on a schedule")
    def_cmds = definitions.add_subparsers(dest="command", required=True, parser_class=_Parser)
    create = def_cmds.add_parser("create", help="save a job spec (a job file or a notebook) as a definition")
    create.add_argument("definition_id", metavar="DEFINITION_ID")
    what = create.add_mutually_exclusive_group(required=True)
    what.add_argument("--config", help="job file: AI Platform YAML with trainingInput (training or HPO)")
    what.add_argument("--notebook", help="notebook to run")
    create.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE", help="notebook parameter")
    add_schedule_options(create)
    def_cmds.add_parser("list", help="list definitions with their schedule and next run")
    for command, text in (("describe", "show a definition, its next runs and its recent runs"),
                          ("runs", "list a definition's runs (scheduled, missed, skipped, run now), newest first"),
                          ("run", "submit a run of a definition now"), ("pause", "pause a definition's schedule"),
                          ("resume", "resume a definition's schedule from now"),
                          ("delete", "delete a definition and its run history (its jobs stay)")):
        def_cmds.add_parser(command, help=text).add_argument("definition_id", metavar="DEFINITION_ID")
    preview = def_cmds.add_parser("preview", help="the next times a cron schedule fires")
    preview.add_argument("cron", metavar="CRON")
    preview.add_argument("--time-zone", default="UTC", metavar="TZ")
    preview.add_argument("--count", type=int, default=5)


def cmd_definitions(args, client: Client) -> int:
    """``definitions ...``."""
    if args.command == "create":
        cwd = os.getcwd()
        if args.config:
            _, ti, labels = load_job_file(args.config, lambda path, base: client.to_root_relative(path, cwd=base))
        else:
            ti, labels = notebook_training_input(client.to_root_relative(args.notebook, cwd=cwd), parse_params(args.param)), {}
        body = body_from_args(args, ti, labels or None)
        body["definitionId"] = args.definition_id
        print(definition_text(client.create_definition(body)))
    elif args.command == "list":
        print(definitions_text(client.list_definitions()))
    elif args.command == "preview":
        print("\n".join(client.schedule_preview(args.cron, args.time_zone, args.count)))
    else:
        print(run_action(client, args.command, args.definition_id))
    return 0


def cmd_serving_env(args) -> int:
    """``laketahoe serving-env create|status``."""
    from pathlib import Path

    from . import serving_env

    venv = Path(args.path).expanduser().resolve() if args.path else None
    if args.command == "create":
        serving_env.create(venv, python=args.python, force=args.force, quiet=not args.verbose)
        if venv is not None and venv != serving_env.serving_venv_dir():
            print(f"the service finds it with LAKETAHOE_SERVING_VENV={venv} (or --mlserver {serving_env.mlserver_path(venv)})")
        return 0
    info = serving_env.status(venv)
    state = "up to date" if info["current"] else ("installed from another lock" if info["installed"] else "missing")
    print(f"{info['path']}: {state}")
    print(f"mlserver: {info['mlserver']}")
    return 0 if info["current"] else 1


def _parse_filter(text: str | None) -> str | None:
    if not text:
        return None
    m = re.fullmatch(r"\s*state\s*[=:]\s*([A-Za-z]+)\s*", text)
    if not m or m.group(1).upper() not in JOB_STATES:
        raise JobSpecError(f"unsupported --filter {text!r}; use state=" + "|".join(JOB_STATES))
    return m.group(1).upper()


def _pack_directory(package_dir: str, root_dir: str, job_id: str) -> str:
    """Tar a package source folder into the root (where the service may read it); return the archive path.

    The folder goes in under a ``name-0/`` prefix, the layout of an sdist, so
    ``trainer/`` unpacks to an importable ``trainer`` package.
    """
    src = os.path.abspath(package_dir)
    if not os.path.isdir(src):
        raise JobSpecError(f"--package-path is not a directory: {package_dir}")
    name = os.path.basename(src.rstrip(os.sep))
    # Not in the service's data folder (.laketahoe/): the service takes no inputs from there.
    staging = os.path.join(root_dir, ".laketahoe-packages")
    os.makedirs(staging, exist_ok=True)
    archive = os.path.join(staging, f"{job_id}-{name}.tar.gz")

    def skip(info):
        base = os.path.basename(info.name)
        return None if base in ("__pycache__", ".git") or base.endswith(".pyc") else info

    # A package that is an installable project (has setup.py/pyproject) ships as is.
    marker = any(os.path.exists(os.path.join(src, f)) for f in ("setup.py", "pyproject.toml"))
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(src, arcname=f"{name}-0" if marker else f"{name}-0/{name}", filter=skip)
    return archive


def _print_log_line(line: dict) -> None:
    text = line.get("text", "")
    print(f"[{line['stream']}] {text}" if line.get("stream") == "system" else text, flush=True)


# Exit codes of the commands that follow a job to its end, so CI scripts can tell the outcome.
EXIT_FAILED = 1
EXIT_CANCELLED = 3
_END_EXIT = {"SUCCEEDED": 0, "FAILED": EXIT_FAILED, "CANCELLED": EXIT_CANCELLED}
# What a shell reports for a process killed by SIGPIPE (128 + 13): the reader of our output went away.
EXIT_BROKEN_PIPE = 141


def _stream(client: Client, job_id: str) -> int:
    """Print a job's log until it ends; exit 0 for SUCCEEDED, 1 for FAILED, 3 for CANCELLED."""
    for event in client.stream_logs(job_id):
        if event.event == "log" and isinstance(event.data, dict):
            _print_log_line(event.data)
        elif event.event == "end" and isinstance(event.data, dict):
            state = event.data.get("state")
            message = event.data.get("errorMessage")
            detail = f" ({message.splitlines()[0]})" if state == "FAILED" and message else ""
            print(f"Job [{job_id}] ended: {state}{detail}", file=sys.stderr)
            return _END_EXIT.get(state, EXIT_FAILED)
    return 0


def cmd_submit(args, client: Client) -> int:
    """``jobs submit training``."""
    root = client.root_dir

    def to_root(path: str, base: str) -> str:
        return client.to_root_relative(path, cwd=base)

    if args.config:
        file_job_id, ti, labels = load_job_file(args.config, to_root)
    else:
        file_job_id, ti, labels = None, {}, {}
    cwd = os.getcwd()
    if args.scale_tier:
        ti["scaleTier"] = args.scale_tier
    if args.priority:
        ti["priority"] = args.priority
    if args.master_image_uri:
        ti.setdefault("masterConfig", {})["imageUri"] = args.master_image_uri
    if args.job_dir:
        ti["jobDir"] = to_root(args.job_dir, cwd)
    if args.env or args.secret_env:
        ti["env"] = merge_env(ti.get("env"), args.env, args.secret_env)
    if args.kernel:
        ti["kernelName"] = args.kernel
    if args.kernel_fallback:
        ti["kernelFallback"] = args.kernel_fallback
    packages = list(ti.get("packageUris") or [])
    if args.packages:
        packages += [to_root(p, cwd) if "://" not in p else p for p in args.packages.split(",") if p]
    if args.package_path:
        packages.append(to_root(_pack_directory(args.package_path, root, args.job_id), cwd))
    if packages:
        ti["packageUris"] = packages
    if args.module_name:
        ti["pythonModule"] = args.module_name
    if args.module_args:
        ti["args"] = args.module_args
    if not ti:
        raise JobSpecError("nothing to run: give --config with a trainingInput, or --module-name")
    if "hyperparameters" in ti:
        # Shape checks only, so mistakes name their field before anything is sent; values go as written.
        ti["hyperparameters"] = check_hyperparameters(ti["hyperparameters"], source=args.config or "")

    job = client.submit_job(args.job_id or file_job_id, ti, labels=labels or None)
    job_id = job.get("jobId", args.job_id)
    print(f"Job [{job_id}] submitted successfully.")
    if args.stream_logs:
        return _stream(client, job_id)
    print("Your job is still active. You may view the status of your job with the command\n\n"
          f"  $ laketahoe jobs describe {job_id}\n\n"
          "or continue streaming the logs with the command\n\n"
          f"  $ laketahoe jobs stream-logs {job_id}")
    if "hyperparameters" in ti:
        print(f"\nFollow its trials with\n\n  $ laketahoe jobs list-trials {job_id} --sort-by objective\n")
    print(f"jobId: {job_id}\nstate: {job.get('state')}")
    return 0


def cmd_describe(args, client: Client) -> int:
    """``jobs describe``: the full job as YAML, or a summary; an HPO job's summary adds trials and the best one."""
    job = client.get_job(args.job_id)
    trials = None
    out = job.get("trainingOutput") or {}
    if args.summarize and is_hpo_job(job) and not (out.get("trialCounts") and out.get("bestTrial")):
        # The service's trainingOutput normally has the counts and the best trial; fetch trials only when not.
        trials = client.trials(args.job_id)
    usage = None
    if args.summarize and not is_hpo_job(job):
        try:
            usage = client.usage(args.job_id, max_points=2)
        except NotFound:
            # A service from before usage was measured has no such route: the summary goes without it.
            pass
    print(job_text(job, summarize=args.summarize, trials=trials, usage=usage))
    return 0


def cmd_list_trials(args, client: Client) -> int:
    """``jobs list-trials``: one line (or CSV row) per trial."""
    job = client.get_job(args.job_id)
    if not is_hpo_job(job):
        raise JobSpecError(f"job {args.job_id} is not a hyperparameter tuning job: it has no trials")
    trials = client.trials(args.job_id, state=_parse_filter(args.filter))
    spec = hpo_spec(job)
    print(trials_csv(trials, spec, args.sort_by) if args.format == "csv" else trials_text(trials, spec, args.sort_by))
    return 0


def cmd_models(args, client: Client) -> int:
    """``models list|describe``."""
    if args.command == "list":
        print(models_text(client.list_models()))
    elif args.version is not None:
        print(version_text(client.get_model_version(args.model, args.version)))
    else:
        print(model_text(client.get_model(args.model)))
    return 0


def _read_json_request(path: str) -> dict:
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    except OSError as exc:
        raise JobSpecError(f"--json-request: cannot read {path}: {exc.strerror}") from None
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise JobSpecError(f"--json-request: {path} is not JSON: {exc}") from None
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        raise JobSpecError(f"--json-request: {path} must be an inference request object with an \"inputs\" list")
    return body


def cmd_deployments(args, client: Client) -> int:
    """``deployments create|list|describe|delete|predict``."""
    from . import serving

    if args.command == "create":
        if bool(args.model) == bool(args.job):
            raise JobSpecError("give --model MODEL[:VERSION] or --job JOB_ID")
        if args.trial and not args.job:
            raise JobSpecError("--trial needs --job")
        if args.canary is not None or args.shadow:
            deployment = serving.add_challenger(args.name, args.model, canary=args.canary, shadow=args.shadow,
                                                job_id=args.job, trial_id=args.trial, wait=args.wait, client=client)
            ch = serving.challenger_of(deployment)
            how = f"canary {ch['weight']}%" if ch["mode"] == "canary" else "shadow"
            print(f"Challenger {ch['model']['name']}:{ch['model']['version']} of [{args.name}] ({how}): {ch['state']}.")
            return 0
        if args.replicas is not None and args.replicas < 1:
            raise JobSpecError("--replicas must be at least 1")
        deployment = serving.deploy(args.model, name=args.name, wait=False, job_id=args.job, trial_id=args.trial,
                                    replicas=args.replicas, client=client)
        print(f"Created deployment [{deployment['name']}] ({deployment.get('state')}).")
        if args.wait:
            deployment = serving.wait_ready(deployment["name"], client=client)
            print(f"Deployment [{deployment['name']}] is {deployment.get('state')}.")
        print(deployment_text(deployment))
    elif args.command == "list":
        print(deployments_text(client.list_deployments()))
    elif args.command == "describe":
        print(deployment_text(client.get_deployment(args.name)))
    elif args.command == "delete":
        client.delete_deployment(args.name)
        print(f"Deleted deployment [{args.name}].")
    elif args.command == "traffic":
        if args.remove:
            serving.remove_challenger(args.name, version=args.version, client=client)
            which = f"challenger version {args.version}" if args.version is not None else "challengers"
            print(f"Removed the {which} of [{args.name}].")
        else:
            deployment = serving.set_traffic(args.name, canary=args.canary, shadow=args.shadow, version=args.version,
                                             client=client)
            ch = serving.challenger_of(deployment, args.version)
            how = f"canary {ch['weight']}%" if ch["mode"] == "canary" else "shadow"
            print(f"Challenger {ch['model']['version']} of [{args.name}]: {how}.")
    elif args.command == "scale":
        if args.min_replicas is not None:
            if args.max_replicas is None:
                raise JobSpecError("--min needs --max")
            spec = {"minReplicas": args.min_replicas, "maxReplicas": args.max_replicas}
            if args.target_inflight is not None:
                spec["targetInflight"] = args.target_inflight
            if args.scale_down_delay is not None:
                spec["scaleDownDelaySeconds"] = args.scale_down_delay
            client.update_deployment(args.name, autoscaling=spec)
            print(f"Autoscaling [{args.name}] between {args.min_replicas} and {args.max_replicas} replicas.")
        elif args.no_autoscaling:
            replicas = client.update_deployment(args.name, autoscaling=None)["replicas"]
            print(f"Stopped autoscaling [{args.name}]; it keeps {replicas} replica{'s' if replicas != 1 else ''}.")
        else:
            if args.replicas < 1:
                raise JobSpecError("--replicas must be at least 1")
            replicas = serving.scale(args.name, args.replicas, client=client)["replicas"]
            print(f"Scaled [{args.name}] to {replicas} replica{'s' if replicas != 1 else ''}.")
    elif args.command == "promote":
        model = serving.promote(args.name, version=args.version, client=client)["model"]
        print(f"Promoted: [{args.name}] now serves {model['name']}:{model['version']}.")
    elif args.command == "compare":
        print(comparison_text(serving.compare(args.name, client=client)))
    elif args.command == "predict":
        body = _read_json_request(args.json_request)
        deployment = client.get_deployment(args.name)
        print(json.dumps(client.infer(args.name, deployment["model"]["name"], body), indent=2))
    return 0


def run(args, client_factory=Client.from_environment) -> int:
    """Dispatch parsed arguments; raises ``LakeTahoeError`` on failure."""
    if args.group == "serving-env":
        return cmd_serving_env(args)
    client = client_factory()
    if args.group == "models":
        return cmd_models(args, client)
    if args.group == "deployments":
        return cmd_deployments(args, client)
    if args.group == "definitions":
        return cmd_definitions(args, client)
    if args.command == "submit":
        return cmd_submit(args, client)
    if args.command == "describe":
        return cmd_describe(args, client)
    if args.command == "list":
        print(jobs_text(client.list_jobs(state=_parse_filter(args.filter), search=args.search, labels=args.label)))
        return 0
    if args.command == "rerun":
        job = client.rerun_job(args.job_id, args.new_job_id)
        print(f"Job [{job['jobId']}] submitted: a new run of [{args.job_id}] ({job.get('state')}).")
        return _stream(client, job["jobId"]) if args.stream_logs else 0
    if args.command == "update":
        return cmd_update_labels(args, client)
    if args.command == "stream-logs":
        return _stream(client, args.job_id)
    if args.command == "cancel":
        job = client.cancel_job(args.job_id)
        print(f"Cancelled job [{args.job_id}]." if job.get("state") == "CANCELLED"
              else f"Cancelling job [{args.job_id}] ({job.get('state')}).")
        return 0
    if args.command == "delete":
        return cmd_delete(args, client)
    if args.command == "stop":
        job = client.stop_job(args.job_id)
        print(f"Stopping job [{args.job_id}]: no new trials start; running trials finish ({job.get('state')}).")
        return 0
    if args.command == "list-trials":
        return cmd_list_trials(args, client)
    raise JobSpecError(f"unknown command {args.command}")


def cmd_update_labels(args, client) -> int:
    """``jobs update``: the job's labels, changed as gcloud's ``--update-labels``/``--remove-labels`` do."""
    updates = {}
    for pair in filter(None, (p.strip() for p in args.update_labels.split(","))):
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise JobSpecError(f"--update-labels: expected KEY=VALUE, got {pair!r}")
        updates[key] = value
    removed = {k.strip() for k in args.remove_labels.split(",") if k.strip()}
    if not (updates or removed or args.clear_labels):
        raise JobSpecError("nothing to change: give --update-labels, --remove-labels or --clear-labels")
    labels = {} if args.clear_labels else dict(client.get_job(args.job_id).get("labels") or {})
    labels = {k: v for k, v in {**labels, **updates}.items() if k not in removed}
    job = client.set_labels(args.job_id, labels)
    shown = ", ".join(f"{k}={v}" for k, v in sorted(job.get("labels", {}).items())) or "none"
    print(f"Updated job [{args.job_id}]: labels {shown}.")
    return 0


def cmd_delete(args, client) -> int:
    """``jobs delete``: asks first on a terminal (as gcloud does, ``--quiet`` skips it); 1 when any job is kept."""
    if not args.quiet and sys.stdin.isatty():
        answer = input(f"Delete {len(args.job_ids)} job(s) ({', '.join(args.job_ids)}) with their outputs, logs and "
                       "trials? Running ones are cancelled first. (y/N) ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing deleted.")
            return 1
    kept = 0
    for result in client.delete_jobs(args.job_ids):
        if result["deleted"]:
            print(f"Deleted job [{result['jobId']}].")
        else:
            kept += 1
            print(f"ERROR: (laketahoe) {result['error']['message']}", file=sys.stderr)
    return 1 if kept else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``laketahoe`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    module_args: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, module_args = argv[:i], argv[i + 1:]
    args = build_parser().parse_args(argv)
    args.module_args = module_args
    try:
        code = run(args)
        # Flushed here, not at interpreter exit, so a closed pipe is caught below.
        sys.stdout.flush()
        return code
    except LakeTahoeError as exc:
        print(f"ERROR: (laketahoe) {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `laketahoe ... | head`: the reader has all it wanted. Point stdout at /dev/null so that the
        # interpreter's own flush at exit does not raise again, and end quietly as a piped tool does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
