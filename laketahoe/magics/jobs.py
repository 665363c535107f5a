"""``%lt`` subcommands for jobs: submit, hpo, jobs, rerun, describe, trials, logs, stop, cancel, delete, schedule."""

from __future__ import annotations

import os
import shlex
import sys

from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from laketahoe._wire import JOB_STATES, PRIORITIES, SCALE_TIERS
from laketahoe.client import TERMINAL_STATES
from laketahoe.definitions import (MISSED_POLICIES, definition_body, definition_id_for, definition_text,
                                   definitions_text, run_action)
from laketahoe.display import HpoView, JobList, JobView, TrialsView, log_line_text
from laketahoe.hpo import apply_hpo_options, goal_of, load_hpo_file, needs_notebook, parse_hpo_yaml
from laketahoe.jobspec import notebook_training_input, parse_params, rebase_training_input

from .common import Text, current_notebook_path, environment_options

#: ``%lt schedule`` actions on an existing definition.
SCHEDULE_ACTIONS = ("run", "pause", "resume", "runs", "describe", "delete")


class JobMagics:
    """The jobs part of :class:`laketahoe.magics.LakeTahoeMagics` (``self.client`` is the service client)."""

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
        ti.update(environment_options(args))
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
        ti.update(environment_options(args, ti.get("env")))
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
    @argument("--search", help="text in the job id or notebook path (any case)")
    @argument("--label", action="append", default=[], metavar="KEY[=VALUE]",
              help="only jobs with this label (and value); repeat for several")
    def _jobs(self, rest):
        """%lt jobs: list your jobs, newest first."""
        args = parse_argstring(self._jobs, rest)
        return JobList(self.client.list_jobs(state=args.state, search=args.search, labels=args.label))

    @magic_arguments()
    @argument("job_id", help="the finished job to run again")
    @argument("--job-id", dest="new_job_id", help="the new job's id; the service picks one when omitted")
    def _rerun(self, rest):
        """%lt rerun: submit a finished job again with the same spec, parameters and labels."""
        args = parse_argstring(self._rerun, rest)
        job = self.client.rerun_job(args.job_id, args.new_job_id)
        return JobView(job, note=f"Submitted {job['jobId']}, a new run of {args.job_id}.")

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
                print(log_line_text(line))
            return None
        try:
            events = (client.stream_trial_logs(args.job_id, args.trial) if args.trial
                      else client.stream_logs(args.job_id))
            for event in events:
                if event.event == "log" and isinstance(event.data, dict):
                    print(log_line_text(event.data))
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
            return Text(definitions_text(client.list_definitions()))
        if words and words[0] in SCHEDULE_ACTIONS:
            if len(words) != 2:
                raise UsageError(f"%lt schedule {words[0]} DEFINITION_ID")
            return Text(run_action(client, words[0], words[1]))
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
        return Text(definition_text(client.create_definition(body)))
