"""Run a parsed ``laketahoe`` command, and the console script's entry point."""

from __future__ import annotations

import os
import sys

from laketahoe.client import Client, LakeTahoeError
from laketahoe.display import jobs_text
from laketahoe.jobspec import JobSpecError

from .definitions import cmd_definitions
from .jobs import (EXIT_BROKEN_PIPE, cmd_delete, cmd_describe, cmd_list_trials, cmd_submit, cmd_update_labels,
                   follow_logs, parse_state_filter)
from .parser import build_parser
from .serving import cmd_deployments, cmd_models, cmd_serving_env


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
        print(jobs_text(client.list_jobs(state=parse_state_filter(args.filter), search=args.search, labels=args.label)))
        return 0
    if args.command == "rerun":
        job = client.rerun_job(args.job_id, args.new_job_id)
        print(f"Job [{job['jobId']}] submitted: a new run of [{args.job_id}] ({job.get('state')}).")
        return follow_logs(client, job["jobId"]) if args.stream_logs else 0
    if args.command == "update":
        return cmd_update_labels(args, client)
    if args.command == "stream-logs":
        return follow_logs(client, args.job_id)
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
