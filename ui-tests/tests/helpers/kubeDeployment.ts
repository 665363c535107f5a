/**
 * One Kubernetes deployment played by the browser's network layer.
 *
 * The UI suite's service runs the local backend (one model server, no scaling form), and a real cluster
 * with an object store is more than a UI test should start. So GET and PATCH of one deployment answer
 * from a record held here; each PATCH is first checked by the service's own update rules
 * (`checkUpdate` from the built service) and stored the way the service stores it. Every other request,
 * the deployment list included, still reaches the real service.
 */
import type { Page, Route } from '@playwright/test';
import * as path from 'path';
import { pathToFileURL } from 'url';

/** The service's update checks, from its build (`cd server-proxy && npm run build`). */
const CHECKS = path.resolve(__dirname, '..', '..', '..', 'server-proxy', 'dist', 'serving', 'deploymentChecks.js');

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

/** Answers GET and PATCH of `/deployments/{name}` in `page` from a record held here. */
export async function fakeKubeDeployment(page: Page, name: string): Promise<IKubeDeployment> {
  const { checkUpdate } = await importModule(pathToFileURL(CHECKS).href);
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
      checkUpdate(next, body);
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
