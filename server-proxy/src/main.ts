#!/usr/bin/env node
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { createService } from './app.js';
import { parseServeArgs } from './config.js';
import { removeRuntimeFile, writeRuntimeFile } from './runtime-file.js';
import { migrateSqliteToPostgres, sqliteSource } from './store/migrate.js';
import { isPostgresUrl, redactDatabaseUrl } from './store/postgres/database.js';

const USAGE = `usage: laketahoe-proxy serve [--help] [--host H] [--port P | --socket PATH | --listen-fd FD] [--root-dir DIR] [--data-dir DIR]
       [--database-url postgres://...]
       [--jobs-dir DIR] [--python PY] [--runtime-file FILE] [--max-notebook-bytes N] [--max-folder-bytes N]
       [--tokens-file FILE] [--user NAME] [--cpus N] [--memory-bytes N] [--gpus N] [--log-level LEVEL]
       [--mlserver PATH] [--max-infer-bytes N] [--deploy-timeout SECONDS]
       [--backend local|kubernetes] [--k8s-kubeconfig FILE] [--k8s-namespace-template T] [--k8s-namespace-map u=ns,...]
       [--k8s-default-image IMAGE] [--k8s-output-pvc PVC] [--k8s-ttl-seconds N] [--k8s-max-input-bytes N]
       [--k8s-qps N] [--k8s-burst N] [--trust-jobs]
       [--jupyterhub-api-url URL] [--jupyterhub-service-name NAME] [--jupyterhub-cache-seconds N] [--admin-group NAME]
       [--retention-keep-last N] [--retention-days D] [--retention-interval SECONDS] [--webhook-allow-private-networks]
       laketahoe-proxy migrate --from sqlite:FILE [--to postgres://...] [--replace]`;

/** Runs `serve` until SIGTERM/SIGINT; running jobs are left running and adopted on the next start. */
async function serve(argv: string[]): Promise<void> {
  const config = parseServeArgs(argv);
  const service = await createService(config, { level: config.logLevel });
  const { app } = service;
  await service.start();
  if (config.listenFd !== undefined) {
    // Connections queued on the inherited socket while no service ran are served from here on.
    await app.ready();
    await new Promise<void>((resolve, reject) => {
      app.server.once('error', reject);
      app.server.listen({ fd: config.listenFd }, resolve);
    });
  } else if (config.socket) {
    fs.rmSync(config.socket, { force: true });
    await app.listen({ path: config.socket });
    fs.chmodSync(config.socket, 0o600);
  } else {
    await app.listen({ host: config.host, port: config.port });
  }
  let url: string | null = null;
  if (!config.socket) {
    const address = app.server.address();
    if (address && typeof address === 'object') {
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `http://${host}:${address.port}`;
    }
  }
  if (config.runtimeFile) {
    writeRuntimeFile(config.runtimeFile, {
      url,
      socket: config.socket ?? null,
      token: config.token ?? null,
      pid: process.pid,
      rootDir: config.rootDir,
      user: config.user
    });
  }
  // Where artifacts go, never with the credentials.
  const a = config.artifacts;
  const artifactStore = a?.kind === 's3' ? { kind: 's3', endpoint: a.s3.endpoint, bucket: a.s3.bucket, prefix: a.s3.prefix } : { kind: 'local', dir: a?.dir };
  // The hub's address and this service's name in it; no token is ever logged. The database URL without its password.
  const hub = config.hub ? { apiUrl: config.hub.apiUrl, service: config.hub.serviceName, adminGroup: config.adminGroup } : undefined;
  const database = config.databaseUrl ? redactDatabaseUrl(config.databaseUrl) : 'sqlite';
  app.log.info({ url, socket: config.socket, runtimeFile: config.runtimeFile, artifactStore, hub, database }, 'laketahoe-proxy listening');
  if (!fs.existsSync(config.mlserver)) {
    // Jobs work without it; deployments fail with the same hint until it exists.
    app.log.warn({ mlserver: config.mlserver }, 'no MLServer: deployments need `laketahoe serving-env create` (or --mlserver)');
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    const handOver = service.leadership.kind !== 'single';
    app.log.info({ signal }, handOver
      ? 'shutting down; running jobs and model servers keep running for the next leader (or this replica on its next start) to adopt'
      : 'shutting down; running jobs keep running, model servers stop and start again next time');
    if (config.runtimeFile) {
      removeRuntimeFile(config.runtimeFile);
    }
    service
      .close({ handOver })
      .then(() => process.exit(0))
      .catch(err => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/**
 * Runs `migrate`: copies a SQLite database into PostgreSQL (`--to`, else LAKETAHOE_DATABASE_URL, which keeps
 * the password off the command line) and prints what each table holds on both sides.
 */
async function migrate(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { from: { type: 'string' }, to: { type: 'string' }, replace: { type: 'boolean' } }
  });
  if (!values.from) {
    throw new Error('--from sqlite:FILE is required');
  }
  const to = values.to ?? process.env.LAKETAHOE_DATABASE_URL;
  if (!to || !isPostgresUrl(to)) {
    throw new Error(`--to must be a postgres:// URL (or set LAKETAHOE_DATABASE_URL)${to ? `, got '${redactDatabaseUrl(to)}'` : ''}`);
  }
  const reports = await migrateSqliteToPostgres({ file: sqliteSource(values.from), to, replace: values.replace });
  for (const r of reports) {
    process.stdout.write(`${r.table.padEnd(16)} ${String(r.rows).padStart(9)} rows  sha256 ${r.checksum}  verified\n`);
  }
  process.stdout.write(`copied ${sqliteSource(values.from)} to ${redactDatabaseUrl(to)}\n`);
}

const [command, ...rest] = process.argv.slice(2);
const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');
if (command === 'serve' && wantsHelp(rest)) {
  // Asked for: usage on stdout and success, before any flag is parsed (parseArgs knows no --help).
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
} else if (command === 'serve') {
  serve(rest).catch(err => {
    process.stderr.write(`laketahoe-proxy: ${(err as Error).message}\n(laketahoe-proxy serve --help lists the flags)\n`);
    process.exit(1);
  });
} else if (command === 'migrate') {
  migrate(rest).then(
    () => process.exit(0),
    err => {
      process.stderr.write(`laketahoe-proxy migrate: ${(err as Error).message}\n`);
      process.exit(1);
    }
  );
} else if (command === '--help' || command === '-h') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
} else {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
