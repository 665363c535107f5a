"""``laketahoe definitions ...``: saved job specs, run now or on a cron schedule."""

from __future__ import annotations

import os

from laketahoe.client import Client
from laketahoe.definitions import body_from_args, definition_text, definitions_text, run_action
from laketahoe.jobspec import load_job_file, notebook_training_input, parse_params


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
