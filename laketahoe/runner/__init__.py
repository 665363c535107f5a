"""Run one training job: ``python -m laketahoe.runner notebook|module ...``.

The service's local backend (and a training container) starts this process and
reads everything it needs from its stdout/stderr: plain log text, plus
structured ``##laketahoe {json}`` records (started, progress, metric, error,
output). Just before exiting it writes ``--status-file`` so that a service that
did not start it (after a restart) still learns the outcome. See
docs/contracts.md, "Runner protocol", for the fixed interface.

``python -m laketahoe.runner warm`` starts the warm template instead (see laketahoe._warm).
Modules: protocol (records, exit codes, status file), channels (stdout/stderr guards), events
(metric and model records), processes (children and signals), kernel and notebook (the notebook
form), module (the module form), entry (the entry point: main).
"""

from .channels import Output, close_channels, private_channels, strip_ansi
from .events import MODEL_NAME, EventsTailer
from .entry import build_parser, main, parse_args
from .module import run_module
from .notebook import cell_label, html_exporter, run_notebook
from .protocol import (EVENTS_FILE_ENV, EXIT_ARTIFACTS, EXIT_BAD_ARGS, EXIT_CRASH, EXIT_INPUT, EXIT_KERNEL_DIED,
                       EXIT_OK, EXIT_RAISED, EXIT_TERMINATED, MARKER, MARKER_STEM, MODRUN_ERROR_ENV, OUTPUT_DIR_ENV,
                       TERMINATION_LOG_ENV, RunnerError, Terminated, write_status)

__all__ = ["EVENTS_FILE_ENV", "EXIT_ARTIFACTS", "EXIT_BAD_ARGS", "EXIT_CRASH", "EXIT_INPUT", "EXIT_KERNEL_DIED",
           "EXIT_OK", "EXIT_RAISED", "EXIT_TERMINATED", "MARKER", "MARKER_STEM", "MODEL_NAME", "MODRUN_ERROR_ENV",
           "OUTPUT_DIR_ENV", "TERMINATION_LOG_ENV", "EventsTailer", "Output", "RunnerError", "Terminated",
           "build_parser", "cell_label", "close_channels", "html_exporter", "main", "parse_args", "private_channels",
           "run_module", "run_notebook", "strip_ansi", "write_status"]
