"""``laketahoe jobs ...``: submit, describe, list trials, follow logs, change labels, delete."""

from __future__ import annotations

import os
import re
import sys
import tarfile

from laketahoe._wire import JOB_STATES
from laketahoe.client import Client, NotFound
from laketahoe.display import job_text, log_line_text, trials_csv, trials_text
from laketahoe.hpo import check_hyperparameters, hpo_spec, is_hpo_job
from laketahoe.jobspec import JobSpecError, load_job_file, merge_env


def parse_state_filter(text: str | None) -> str | None:
    """The state in `--filter state=RUNNING`, checked against the job states."""
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


# Exit codes of the commands that follow a job to its end, so CI scripts can tell the outcome.
EXIT_FAILED = 1
EXIT_CANCELLED = 3
_END_EXIT = {"SUCCEEDED": 0, "FAILED": EXIT_FAILED, "CANCELLED": EXIT_CANCELLED}
# What a shell reports for a process killed by SIGPIPE (128 + 13): the reader of our output went away.
EXIT_BROKEN_PIPE = 141


def follow_logs(client: Client, job_id: str) -> int:
    """Print a job's log until it ends; exit 0 for SUCCEEDED, 1 for FAILED, 3 for CANCELLED."""
    for event in client.stream_logs(job_id):
        if event.event == "log" and isinstance(event.data, dict):
            print(log_line_text(event.data), flush=True)
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
        return follow_logs(client, job_id)
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
    trials = client.trials(args.job_id, state=parse_state_filter(args.filter))
    spec = hpo_spec(job)
    print(trials_csv(trials, spec, args.sort_by) if args.format == "csv" else trials_text(trials, spec, args.sort_by))
    return 0


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
