/**
 * One Kubernetes deployment played by the browser's network layer.
 *
 * The UI suite's service runs the local backend (one model server, no scaling form), and a real cluster
 * with an object store is more than a UI test should start. So GET and PATCH of one deployment answer
 * from a record held here. Each PATCH is checked as the service checks it, with the service's own
 * built code: its request schema (compiled with the ajv options the service gives fastify), its error
 * mapping and its update rules (`checkUpdate`); then stored the way the service stores it. Every other
 * request reaches the real service; the deployment list it answers gets this record added.
 */
import type { Page, Route } from '@playwright/test';
import { createRequire } from 'module';
import * as path from 'path';
import { pathToFileURL } from 'url';

/** The service's package; its build (`cd server-proxy && npm run build`) holds the checks used here. */
const SERVICE = path.resolve(__dirname, '..', '..', '..', 'server-proxy');
const built = (file: string) => pathToFileURL(path.join(SERVICE, 'dist', file)).href;

/** An ES module import that the test transpiler leaves as it is (the service's build is ESM). */
const importModule = new Function('url', 'return import(url)') as (url: string) => Promise<any>;

/** What a test reads back: the stored record and every PATCH body, refused ones included. */
export interface IKubeDeployment {
  readonly name: string;
  stored(): any;
  readonly patches: unknown[];
}

/** The record as `GET /deployments/{name}` gives a ready Kubernetes deployment with two replicas. */
function initialRecord(name: string): any {
  const time = new Date().toISOString();
  return {
    name,
    owner: 'galata',
    backend: 'kubernetes',
    state: 'READY',
    model: { name: 'iris', version: 1 },
    replicas: 2,
    endpoint: `/api/v1/deployments/${name}/v2/models/iris/infer`,
    errorMessage: '',
    restarts: 0,
    createTime: time,
    updateTime: time,
    monitoring: {},
    stateHistory: [
      { state: 'DEPLOYING', time, reason: '' },
      { state: 'READY', time, reason: '' }
    ]
  };
}

/** Applies an accepted scaling PATCH as the service does (serving/deployments.ts, serving/scaling.ts). */
function apply(record: any, body: any): void {
  if (body.replicas !== undefined && body.replicas !== record.replicas) {
    record.stateHistory.push({
      state: record.state,
      time: new Date().toISOString(),
      reason: `scaled from ${record.replicas} to ${body.replicas} replicas`
    });
    record.replicas = body.replicas;
  }
  if (body.autoscaling) {
    record.autoscaling = body.autoscaling;
  } else if (body.autoscaling === null) {
    delete record.autoscaling;
  }
  record.updateTime = new Date().toISOString();
}

/** The service's checks of `PATCH /deployments/{name}`: throws its error (code, message, field). */
async function serviceChecks(): Promise<(current: any, body: any) => void> {
  const requireService = createRequire(path.join(SERVICE, 'package.json'));
  const ajvModule = requireService('ajv');
  const formats = requireService('ajv-formats');
  const { UpdateDeploymentBody } = await importModule(built('schemas/serving.js'));
  const { toServiceError } = await importModule(built('api/errors.js'));
  const { checkUpdate } = await importModule(built('serving/deploymentChecks.js'));
  // As src/app.ts configures fastify's ajv.
  const ajv = new (ajvModule.default ?? ajvModule)({
    removeAdditional: false,
    coerceTypes: 'array',
    useDefaults: true,
    strict: false
  });
  (formats.default ?? formats)(ajv);
  const validate = ajv.compile(UpdateDeploymentBody);
  return (current, body) => {
    if (!validate(body)) {
      throw toServiceError({ validation: validate.errors, validationContext: 'body' });
    }
    checkUpdate(current, body);
  };
}

/** Answers GET and PATCH of `/deployments/{name}` in `page` from a record held here. */
export async function fakeKubeDeployment(page: Page, name: string): Promise<IKubeDeployment> {
  const check = await serviceChecks();
  let record = initialRecord(name);
  const patches: unknown[] = [];
  const json = (route: Route, status: number, body: unknown) =>
    route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });

  await page.route(new RegExp(`/laketahoe/api/v1/deployments/${name}(\\?.*)?$`), async route => {
    const method = route.request().method();
    if (method === 'GET') {
      return json(route, 200, record);
    }
    if (method !== 'PATCH') {
      return json(route, 405, { error: { code: 'invalid_argument', message: `${method} is not played here` } });
    }
    const body = route.request().postDataJSON();
    patches.push(body);
    const next = structuredClone(record);
    try {
      check(next, body);
    } catch (err: any) {
      const status = err.code === 'invalid_argument' ? 400 : 409;
      return json(route, status, { error: { code: err.code, message: err.message, field: err.field } });
    }
    apply(next, body);
    record = next;
    return json(route, 200, record);
  });
  // The serving panel lists it beside the real deployments.
  await page.route(/\/laketahoe\/api\/v1\/deployments(\?.*)?$/, async route => {
    if (route.request().method() !== 'GET') {
      return route.fallback();
    }
    const response = await route.fetch();
    const listed = await response.json();
    return json(route, response.status(), { ...listed, deployments: [...(listed.deployments ?? []), record] });
  });
  return { name, stored: () => structuredClone(record), patches };
}
