"""The ``laketahoe`` argument parser."""

from __future__ import annotations

import argparse

from laketahoe import __version__
from laketahoe._wire import PRIORITIES, SCALE_TIERS
from laketahoe.definitions import add_schedule_options


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
                           help="autoscale from this many replicas (0: scale to zero, by requests in flight only)")
    scale_how.add_argument("--no-autoscaling", action="store_true", help="stop autoscaling; the replicas stay")
    scale.add_argument("--max", type=int, dest="max_replicas", help="with --min: at most this many replicas")
    scale_metric = scale.add_mutually_exclusive_group()
    scale_metric.add_argument("--target-inflight", type=int,
                              help="with --min: scale by requests in flight, this many per replica (the default, 4)")
    scale_metric.add_argument("--cpu-target", type=int, metavar="PERCENT",
                              help="with --min: scale by CPU use, this percent of each replica's CPU request")
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
