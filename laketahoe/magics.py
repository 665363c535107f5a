"""``%lt`` line magics: submit the current notebook and watch jobs from a kernel.

Load with ``%load_ext laketahoe``. Every subcommand is a thin layer over
:class:`laketahoe.client.Client`; errors become ``UsageError`` so the user sees
one clean message, not a traceback.
"""

from __future__ import annotations

import os
import shlex
import sys

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from .client import TERMINAL_STATES, Client, LakeTahoeError
from .display import JobList, JobView
from .jobspec import PRIORITIES, SCALE_TIERS, notebook_training_input, parse_params

_STATES = ("QUEUED", "PREPARING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLING", "CANCELLED")


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


@magics_class
class LakeTahoeMagics(Magics):
    """``%lt submit|jobs|describe|logs|cancel``."""

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

    @line_magic
    def lt(self, line):
        """Work with LakeTahoe training jobs.

        Usage::

          %lt submit [NOTEBOOK] [--job-id ID] [--scale-tier TIER] [--priority P] [--image URI]
                     [--param NAME=VALUE ...] [--include-folder]
          %lt jobs [--state STATE]
          %lt describe JOB_ID
          %lt logs JOB_ID [--follow]
          %lt cancel JOB_ID

        ``%lt submit`` without NOTEBOOK submits the current notebook (its last saved version).
        """
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"%lt: {exc}") from None
        if not words or words[0] in ("-h", "--help", "help"):
            raise UsageError(self.lt.__doc__.split("\n\n", 1)[1].strip() if self.lt.__doc__ else "%lt")
        command, rest = words[0], line.strip()[len(words[0]):]
        handlers = {"submit": self._submit, "jobs": self._jobs, "list": self._jobs, "describe": self._describe,
                    "logs": self._logs, "cancel": self._cancel}
        handler = handlers.get(command)
        if handler is None:
            raise UsageError(f"%lt: unknown command {command!r}; use submit, jobs, describe, logs or cancel")
        try:
            return handler(rest)
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
        job = client.submit_job(args.job_id, ti)
        return JobView(job, note=f"Submitted {rel} as job {job.get('jobId')}.")

    @magic_arguments()
    @argument("--state", type=str.upper, choices=_STATES, help="only jobs in this state")
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
    @argument("job_id", help="job id")
    @argument("--follow", "-f", action="store_true", help="keep printing until the job ends")
    def _logs(self, rest):
        """%lt logs: print a job's log."""
        args = parse_argstring(self._logs, rest)
        client = self.client
        if not args.follow:
            for line in client.all_logs(args.job_id):
                print(_format_log_line(line))
            return None
        try:
            for event in client.stream_logs(args.job_id):
                if event.event == "log" and isinstance(event.data, dict):
                    print(_format_log_line(event.data))
                    sys.stdout.flush()
                elif event.event == "end" and isinstance(event.data, dict):
                    state = event.data.get("state", "")
                    print(f"Job {args.job_id} ended: {state}")
                    if state == "FAILED" and event.data.get("errorMessage"):
                        print(event.data["errorMessage"].splitlines()[0])
        except KeyboardInterrupt:
            # Interrupting the cell only stops following; the job keeps running.
            print(f"Stopped following job {args.job_id}; it keeps running.")
        return None

    @magic_arguments()
    @argument("job_id", help="job id")
    def _cancel(self, rest):
        """%lt cancel: cancel a queued or running job."""
        args = parse_argstring(self._cancel, rest)
        job = self.client.cancel_job(args.job_id)
        done = job.get("state") in TERMINAL_STATES
        return JobView(job, note=f"Job {args.job_id} {'cancelled' if done else 'is being cancelled'}.")
