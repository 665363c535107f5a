import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { isAbortError } from '../api';
import {
  IDeployment,
  IModelVersion,
  IMonitoring,
  IUpdateDeploymentRequest,
  signatureOf
} from '../wire';
import {
  Baseline,
  baselineFromJson,
  buildInferRequest,
  formatJson,
  parseInferRequest
} from './inference';
import { IServingModel } from '../tokens';
import { ComparisonModel } from './challengers';

/** Tabs of the deployment view. */
export type DeploymentTab = 'overview' | 'test' | 'monitoring';

/** The answer of the last test request. */
export interface ITestResult {
  /** HTTP-level outcome. */
  ok: boolean;
  /** The response JSON (ok) or the server's message (not ok). */
  body: unknown;
  /** Round-trip time measured in the browser, milliseconds. */
  latencyMs: number;
}

/** Options of a deployment detail model. */
export interface IDeploymentDetailOptions {
  /** Deployment name. */
  name: string;
  /** The shared serving model. */
  serving: IServingModel;
  /**
   * Read a saved model's `baseline.json` (path relative to the root);
   * resolves null when there is none.
   */
  loadBaseline?: (artifactDir: string) => Promise<unknown | null>;
  /** Seconds between monitoring reloads while the monitoring tab shows. */
  refreshSeconds?: number;
  /** The clock, replaceable in tests. */
  now?: () => number;
}

/**
 * One deployment shown in the main area: its record (kept current by the
 * serving model), the served version's signature, the test-request form
 * and the monitoring answer, reloaded periodically only while shown.
 */
export class DeploymentDetailModel implements IDisposable {
  /** Create a model. */
  constructor(options: IDeploymentDetailOptions) {
    this.name = options.name;
    this.serving = options.serving;
    this._loadBaseline = options.loadBaseline;
    this._refreshSeconds = options.refreshSeconds ?? 10;
    this._now = options.now ?? (() => performance.now());
    this.serving.deploymentChanged.connect(this._onDeployment, this);
    this.serving.deploymentRemoved.connect((_, name) => {
      if (name === this.name) {
        this._removed = true;
        this._changed.emit();
      }
    }, this);
    this.serving.changed.connect(() => this._changed.emit(), this);
    this.comparison = new ComparisonModel(this.name, this.serving.client);
  }

  /** Champion and challenger side by side, reloaded with the monitoring. */
  readonly comparison: ComparisonModel;

  /** Deployment name. */
  readonly name: string;

  /** The shared serving model. */
  readonly serving: IServingModel;

  /** Emitted on any change of what the view shows. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when a new monitoring answer arrived. */
  get monitoringChanged(): ISignal<this, void> {
    return this._monitoringChanged;
  }

  /** The deployment, once known. */
  get deployment(): IDeployment | null {
    return this.serving.getDeployment(this.name) ?? this._deployment;
  }

  /** Whether the deployment was removed. */
  get removed(): boolean {
    return this._removed;
  }

  /** The served version's record, once loaded. */
  get version(): IModelVersion | null {
    return this._version;
  }

  /** The error of the last load, cleared by a successful one. */
  get error(): Error | null {
    return this._error;
  }

  /** The selected tab. */
  get tab(): DeploymentTab {
    return this._tab;
  }
  set tab(value: DeploymentTab) {
    if (value !== this._tab) {
      this._tab = value;
      this._updatePolling();
      this._changed.emit();
    }
  }

  /** Whether the view is visible (monitoring reloads only then). */
  get visible(): boolean {
    return this._visible;
  }
  set visible(value: boolean) {
    if (value !== this._visible) {
      this._visible = value;
      this._updatePolling();
    }
  }

  /** Seconds between monitoring reloads. */
  get refreshSeconds(): number {
    return this._refreshSeconds;
  }
  set refreshSeconds(value: number) {
    this._refreshSeconds = Math.max(1, value);
    if (this._timer !== null) {
      this._stopPolling();
      this._updatePolling();
    }
  }

  /** The last monitoring answer. */
  get monitoring(): IMonitoring | null {
    return this._monitoring;
  }

  /** The error of the last monitoring load. */
  get monitoringError(): Error | null {
    return this._monitoringError;
  }

  /** The edited test-request body. */
  get requestText(): string {
    return this._requestText;
  }
  set requestText(value: string) {
    this._requestText = value;
    this._changed.emit();
  }

  /** Whether a test request is in flight. */
  get sending(): boolean {
    return this._sending;
  }

  /** The last test request's outcome. */
  get result(): ITestResult | null {
    return this._result;
  }

  /** The training baseline, once loaded (empty without one). */
  get baseline(): Baseline {
    return this._baseline;
  }

  /** Load the deployment and its version; returns at once. */
  start(): void {
    void this.reload();
  }

  /** Reload the deployment and the served version. */
  async reload(): Promise<void> {
    try {
      const deployment = await this.serving.client.getDeployment(this.name);
      this._deployment = deployment;
      this.serving.applyDeployment(deployment);
      this._error = null;
      await this._loadVersion(deployment);
    } catch (error) {
      this._error = error as Error;
      if ((error as { status?: number }).status === 404) {
        this._removed = true;
      }
    }
    this._changed.emit();
  }

  /** Reload the monitoring answer now. */
  async refreshMonitoring(): Promise<void> {
    void this.comparison.refresh();
    this._monitoringAbort?.abort();
    const controller = new AbortController();
    this._monitoringAbort = controller;
    try {
      const monitoring = await this.serving.client.getMonitoring(this.name, {
        signal: controller.signal
      });
      if (controller.signal.aborted || this._isDisposed) {
        return;
      }
      this._monitoring = monitoring;
      this._monitoringError = null;
    } catch (error) {
      if (isAbortError(error) || controller.signal.aborted) {
        return;
      }
      this._monitoringError = error as Error;
    }
    this._monitoringChanged.emit();
    this._changed.emit();
  }

  /** Replace the body with the one built from the signature and baseline. */
  resetRequest(): void {
    const request = buildInferRequest(
      signatureOf(this._version),
      this._baseline
    );
    this._requestText = formatJson(request);
    this._changed.emit();
  }

  /**
   * Send the edited body to the deployment's model and record the answer
   * and the measured round-trip time; errors keep the server's message.
   */
  async send(): Promise<ITestResult | null> {
    const deployment = this.deployment;
    if (!deployment || this._sending) {
      return null;
    }
    const parsed = parseInferRequest(this._requestText);
    if ('error' in parsed) {
      this._result = { ok: false, body: parsed.error, latencyMs: 0 };
      this._changed.emit();
      return this._result;
    }
    this._sending = true;
    this._changed.emit();
    const started = this._now();
    try {
      const body = await this.serving.client.infer(
        deployment.name,
        deployment.model.name,
        this._requestText
      );
      this._result = { ok: true, body, latencyMs: this._now() - started };
    } catch (error) {
      this._result = {
        ok: false,
        body: (error as Error).message,
        latencyMs: this._now() - started
      };
    } finally {
      this._sending = false;
    }
    this._changed.emit();
    return this._result;
  }

  /** Serve another version of the model. */
  async switchVersion(version: number): Promise<void> {
    const deployment = await this.serving.switchVersion(this.name, version);
    this._deployment = deployment;
    this._changed.emit();
  }

  /** Change replicas or autoscaling (PATCH); rejects with the API's error. */
  async scale(
    request: Pick<IUpdateDeploymentRequest, 'replicas' | 'autoscaling'>
  ): Promise<IDeployment> {
    const deployment = await this.serving.client.updateDeployment(
      this.name,
      request
    );
    this._deployment = deployment;
    this.serving.applyDeployment(deployment);
    this._changed.emit();
    return deployment;
  }

  /** Stop polling and listening. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._stopPolling();
    this._monitoringAbort?.abort();
    this.comparison.dispose();
    Signal.clearData(this);
  }

  /** Whether the model is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  private _onDeployment(_: IServingModel, deployment: IDeployment): void {
    if (deployment.name !== this.name) {
      return;
    }
    this._deployment = deployment;
    const version = this._version;
    if (
      !version ||
      version.name !== deployment.model.name ||
      version.version !== deployment.model.version
    ) {
      void this._loadVersion(deployment).then(() => this._changed.emit());
    }
  }

  /** Load the served version and, the first time, prefill the request. */
  private async _loadVersion(deployment: IDeployment): Promise<void> {
    const { name, version } = deployment.model;
    const known = this.serving.getVersion(name, version);
    try {
      this._version =
        known ?? (await this.serving.client.getModelVersion(name, version));
    } catch {
      // The version's details are optional for the view.
      return;
    }
    if (this._version.hasBaseline && this._loadBaseline) {
      try {
        const baseline = await this._loadBaseline(this._version.artifactDir);
        this._baseline = baselineFromJson(baseline);
      } catch {
        this._baseline = new Map();
      }
    }
    if (!this._requestText) {
      this.resetRequest();
    }
  }

  private _updatePolling(): void {
    const active =
      this._visible && this._tab === 'monitoring' && !this._isDisposed;
    if (active && this._timer === null) {
      void this.refreshMonitoring();
      this._timer = setInterval(
        () => void this.refreshMonitoring(),
        this._refreshSeconds * 1000
      );
    } else if (!active) {
      this._stopPolling();
    }
  }

  private _stopPolling(): void {
    if (this._timer !== null) {
      clearInterval(this._timer);
      this._timer = null;
    }
  }

  private _deployment: IDeployment | null = null;
  private _version: IModelVersion | null = null;
  private _baseline: Baseline = new Map();
  private _error: Error | null = null;
  private _removed = false;
  private _tab: DeploymentTab = 'overview';
  private _visible = false;
  private _refreshSeconds: number;
  private _timer: ReturnType<typeof setInterval> | null = null;
  private _monitoring: IMonitoring | null = null;
  private _monitoringError: Error | null = null;
  private _monitoringAbort: AbortController | null = null;
  private _requestText = '';
  private _sending = false;
  private _result: ITestResult | null = null;
  private _loadBaseline?: (artifactDir: string) => Promise<unknown | null>;
  private _now: () => number;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _monitoringChanged = new Signal<this, void>(this);
}
