"""``laketahoe models ...``, ``deployments ...`` and ``serving-env ...``."""

from __future__ import annotations

import json
import sys

from laketahoe.client import Client
from laketahoe.display import (comparison_text, deployment_text, deployments_text, model_text, models_text,
                               version_text)
from laketahoe.jobspec import JobSpecError


def cmd_serving_env(args) -> int:
    """``laketahoe serving-env create|status``."""
    from pathlib import Path

    from laketahoe import serving_env

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
    from laketahoe import serving

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
            spec = serving.autoscaling_spec(args.min_replicas, args.max_replicas, args.target_inflight,
                                            args.scale_down_delay, cpu_target=args.cpu_target)
            client.update_deployment(args.name, autoscaling=spec)
            by = f" by CPU ({args.cpu_target}% of the request)" if args.cpu_target is not None else ""
            print(f"Autoscaling [{args.name}] between {args.min_replicas} and {args.max_replicas} replicas{by}.")
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
