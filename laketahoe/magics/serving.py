"""``%lt`` subcommands for serving: models, deploy, promote, scale, compare, deployments, undeploy."""

from __future__ import annotations

from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from laketahoe import serving
from laketahoe.display import ComparisonView, DeploymentView


class ServingMagics:
    """The serving part of :class:`laketahoe.magics.LakeTahoeMagics` (``self.client`` is the service client)."""

    @magic_arguments()
    def _models(self, rest):
        """%lt models: your registered models, newest first."""
        parse_argstring(self._models, rest)
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
        return serving.promote(args.name, version=args.version, client=self.client)

    @magic_arguments()
    @argument("name", help="deployment name")
    @argument("--replicas", type=int, help="model server pods per served version")
    @argument("--min", type=int, dest="min_replicas", help="autoscale from this many replicas (0: scale to zero)")
    @argument("--max", type=int, dest="max_replicas", help="with --min: at most this many replicas")
    @argument("--target-inflight", type=int, help="with --min: requests in flight per replica (default 4)")
    @argument("--cpu-target", type=int, metavar="PERCENT",
              help="with --min: scale by CPU use instead, this percent of each replica's CPU request")
    @argument("--no-autoscaling", action="store_true", help="stop autoscaling; the replicas stay")
    def _scale(self, rest):
        """%lt scale: set a Kubernetes deployment's replicas, or autoscale it by requests in flight or CPU."""
        args = parse_argstring(self._scale, rest)
        chosen = [args.replicas is not None, args.min_replicas is not None, args.no_autoscaling]
        if sum(chosen) != 1:
            raise UsageError("%lt scale: give exactly one of --replicas N, --min N --max N or --no-autoscaling")
        if args.min_replicas is not None:
            if args.max_replicas is None:
                raise UsageError("%lt scale: --min needs --max")
            if args.target_inflight is not None and args.cpu_target is not None:
                raise UsageError("%lt scale: --target-inflight or --cpu-target, not both")
            spec = serving.autoscaling_spec(args.min_replicas, args.max_replicas, args.target_inflight,
                                            cpu_target=args.cpu_target)
            return DeploymentView(self.client.update_deployment(args.name, autoscaling=spec))
        if args.no_autoscaling:
            return DeploymentView(self.client.update_deployment(args.name, autoscaling=None))
        return serving.scale(args.name, args.replicas, client=self.client)

    @magic_arguments()
    @argument("name", help="deployment name")
    def _compare(self, rest):
        """%lt compare: champion and challenger side by side (requests, errors, latency, agreement)."""
        args = parse_argstring(self._compare, rest)
        return ComparisonView(serving.compare(args.name, client=self.client))

    @magic_arguments()
    def _deployments(self, rest):
        """%lt deployments: your deployments and their state."""
        parse_argstring(self._deployments, rest)
        return serving.deployments(client=self.client)

    @magic_arguments()
    @argument("name", help="deployment name")
    def _undeploy(self, rest):
        """%lt undeploy: stop a deployment's model server and remove it."""
        args = parse_argstring(self._undeploy, rest)
        return serving.undeploy(args.name, client=self.client)
