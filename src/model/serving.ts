import { ISignal, Signal } from '@lumino/signaling';

import { LakeTahoeClient } from '../api';
import { IServerSentEvent } from '../sse';
import {
  IAlert,
  ICreateDeploymentRequest,
  IDeployment,
  IJob,
  IModel,
  IModelVersion
} from '../wire';
import { IJobsModel, IServingModel } from '../tokens';
import { toError } from './errors';

/**
 * The caller's models and deployments, and the alerts that fire on them.
 *
 * It shares the jobs model's event stream: `deployment` and `alert` events
 * patch it, every (re)connection reloads it, and a job that succeeds
 * reloads the models (its saved models are registered then).
 */
export class ServingModel implements IServingModel {
  /**
   * Create a model.
   * @param jobs the jobs model whose event stream is shared
   */
  constructor(jobs: IJobsModel) {
    this.jobs = jobs;
    this.client = jobs.client;
    jobs.events.otherEventReceived.connect(
      (_, event) => this.handleEvent(event),
      this
    );
    jobs.events.connected.connect(() => void this.refresh(), this);
    jobs.jobChanged.connect((_, job) => this._onJob(job), this);
  }

  /** The shared jobs model. */
  readonly jobs: IJobsModel;

  /** The API client. */
  readonly client: LakeTahoeClient;

  /** Emitted whenever models, deployments or alerts change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted with every deployment that was added or updated. */
  get deploymentChanged(): ISignal<this, IDeployment> {
    return this._deploymentChanged;
  }

  /** Emitted with the name of every deployment that was removed. */
  get deploymentRemoved(): ISignal<this, string> {
    return this._deploymentRemoved;
  }

  /** Emitted with every pushed alert (firing or resolved). */
  get alertReceived(): ISignal<this, IAlert> {
    return this._alertReceived;
  }

  /** Models with their versions, newest first. */
  get models(): readonly IModel[] {
    return this._models;
  }

  /** Deployments by name. */
  get deployments(): readonly IDeployment[] {
    return [...this._deployments.values()].sort((a, b) =>
      a.name.localeCompare(b.name)
    );
  }

  /** Whether a reload is running. */
  get loading(): boolean {
    return this._loading;
  }

  /** The error of the last reload, cleared by a successful one. */
  get error(): Error | null {
    return this._error;
  }

  /** Whether the model is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** A deployment by name. */
  getDeployment(name: string): IDeployment | undefined {
    return this._deployments.get(name);
  }

  /** A model version, when loaded. */
  getVersion(name: string, version: number): IModelVersion | undefined {
    const model = this._models.find(m => m.name === name);
    return model?.versions?.find(v => v.version === version);
  }

  /** Versions registered from a job (or from one of its trials). */
  versionsFromJob(jobId: string, trialId?: string): IModelVersion[] {
    const found: IModelVersion[] = [];
    for (const model of this._models) {
      for (const version of model.versions ?? []) {
        if (
          version.source?.jobId === jobId &&
          (trialId === undefined || version.source.trialId === trialId)
        ) {
          found.push(version);
        }
      }
    }
    return found;
  }

  /** Alerts firing now, of one deployment or of all. */
  firingAlerts(deployment?: string): IAlert[] {
    return [...this._alerts.values()].filter(
      alert =>
        alert.state === 'firing' &&
        (deployment === undefined || alert.deployment === deployment)
    );
  }

  /** Reload models (with versions), deployments and their firing alerts. */
  async refresh(): Promise<void> {
    const token = ++this._refreshToken;
    this._loading = true;
    this._changed.emit();
    try {
      const [list, deployments] = await Promise.all([
        this.client.listModels(),
        this.client.listDeployments()
      ]);
      const models = await Promise.all(
        list.map(model => this.client.getModel(model.name))
      );
      const alertLists = await Promise.all(
        deployments.map(d => this.client.listAlerts(d.name).catch(() => []))
      );
      if (token !== this._refreshToken || this._isDisposed) {
        return;
      }
      this._models = models;
      this._deployments = new Map(deployments.map(d => [d.name, d]));
      this._alerts = new Map(alertLists.flat().map(a => [a.id, a]));
      this._error = null;
    } catch (error) {
      if (token === this._refreshToken) {
        this._error = toError(error);
      }
    } finally {
      if (token === this._refreshToken && !this._isDisposed) {
        this._loading = false;
        this._changed.emit();
      }
    }
  }

  /** Apply one `deployment` or `alert` event of the shared stream. */
  handleEvent(event: IServerSentEvent): void {
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (event.event === 'deployment' && isDeployment(data)) {
      this.applyDeployment(data);
    } else if (event.event === 'alert' && isAlert(data)) {
      this.applyAlert(data);
    }
  }

  /** Add or replace a deployment, from an event or an answer. */
  applyDeployment(deployment: IDeployment): void {
    if (this._isDisposed) {
      return;
    }
    // A late event of a deployment already removed must not bring it back.
    if (
      deployment.state === 'DELETING' &&
      !this._deployments.has(deployment.name)
    ) {
      return;
    }
    // An answer that predates a pushed update of the same deployment must not undo it.
    const held = this._deployments.get(deployment.name);
    if (
      held &&
      held.createTime === deployment.createTime &&
      held.updateTime > deployment.updateTime
    ) {
      return;
    }
    this._deployments.set(deployment.name, deployment);
    this._deploymentChanged.emit(deployment);
    this._changed.emit();
  }

  /** Record a pushed alert. */
  applyAlert(alert: IAlert): void {
    if (this._isDisposed) {
      return;
    }
    this._alerts.set(alert.id, alert);
    this._alertReceived.emit(alert);
    this._changed.emit();
  }

  /**
   * Create a deployment; when it serves a job's model, the models are
   * reloaded since the service may have registered a new version.
   */
  async deploy(request: ICreateDeploymentRequest): Promise<IDeployment> {
    const deployment = await this.client.createDeployment(request);
    this.applyDeployment(deployment);
    if (request.source) {
      void this.refreshModels();
    }
    return deployment;
  }

  /** Serve another version of the deployment's model. */
  async switchVersion(name: string, version: number): Promise<IDeployment> {
    const current = this._deployments.get(name);
    const model = current?.model.name;
    if (!model) {
      throw new Error(`Unknown deployment ${name}`);
    }
    const deployment = await this.client.updateDeployment(name, {
      model: { name: model, version }
    });
    this.applyDeployment(deployment);
    return deployment;
  }

  /** Remove a deployment (its model server stops). */
  async undeploy(name: string): Promise<void> {
    await this.client.deleteDeployment(name);
    this._deployments.delete(name);
    for (const [id, alert] of this._alerts) {
      if (alert.deployment === name) {
        this._alerts.delete(id);
      }
    }
    this._deploymentRemoved.emit(name);
    this._changed.emit();
  }

  /** Reload only the models (with versions). */
  async refreshModels(): Promise<void> {
    try {
      const list = await this.client.listModels();
      const models = await Promise.all(
        list.map(model => this.client.getModel(model.name))
      );
      if (!this._isDisposed) {
        this._models = models;
        this._changed.emit();
      }
    } catch {
      // The next reconnection or job success retries.
    }
  }

  /** Stop listening. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  /** A job that succeeds may have registered models. */
  private _onJob(job: IJob): void {
    if (job.state === 'SUCCEEDED' && !this._succeeded.has(job.jobId)) {
      this._succeeded.add(job.jobId);
      void this.refreshModels();
    }
  }

  private _models: IModel[] = [];
  private _deployments = new Map<string, IDeployment>();
  private _alerts = new Map<string, IAlert>();
  private _succeeded = new Set<string>();
  private _loading = false;
  private _error: Error | null = null;
  private _refreshToken = 0;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _deploymentChanged = new Signal<this, IDeployment>(this);
  private _deploymentRemoved = new Signal<this, string>(this);
  private _alertReceived = new Signal<this, IAlert>(this);
}

/** Whether a parsed event payload looks like a deployment. */
export function isDeployment(value: unknown): value is IDeployment {
  const d = value as IDeployment | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.name === 'string' &&
    typeof d.state === 'string' &&
    typeof d.model === 'object' &&
    d.model !== null
  );
}

/** Whether a parsed event payload looks like an alert. */
export function isAlert(value: unknown): value is IAlert {
  const a = value as IAlert | null;
  return (
    typeof a === 'object' &&
    a !== null &&
    typeof a.id === 'string' &&
    typeof a.deployment === 'string' &&
    (a.state === 'firing' || a.state === 'resolved')
  );
}
