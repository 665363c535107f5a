#!/usr/bin/env node
/**
 * Generates the clients' wire types from the service's OpenAPI document, the one contract between them.
 *
 *   node tools/wire/generate.mjs            write the generated files
 *   node tools/wire/generate.mjs --check    exit 1, naming the stale files, when a generated file differs
 *   node tools/wire/generate.mjs --validate exit 1 when the document is not valid for the OpenAPI version it declares
 *   --openapi FILE                          read another document (the tests use it to prove --check fails)
 *
 * Outputs (never edit them by hand; `npm run wire` rewrites them):
 *   src/wire/openapi.gen.ts  types of every path, request and response (openapi-typescript)
 *   src/wire/rules.gen.ts    the enums and id patterns the UI needs at run time, read from the same document
 *   laketahoe/_wire.py       the same values for the Python client
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { validate } from '@readme/openapi-parser';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const args = process.argv.slice(2);
const flag = name => args.includes(name);
const option = name => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const source = path.resolve(option('--openapi') ?? path.join(ROOT, 'server-proxy', 'openapi.json'));
const document = JSON.parse(fs.readFileSync(source, 'utf8'));

const HEADER = 'Generated from server-proxy/openapi.json by tools/wire/generate.mjs (npm run wire). Do not edit.';

/** Follows a path of keys into the document, failing with the path when the document lacks it. */
function at(...keys) {
  let node = document;
  for (const key of keys) {
    node = node?.[key];
    if (node === undefined) {
      throw new Error(`${path.basename(source)} has no ${keys.join(' > ')}`);
    }
  }
  return node;
}

const jsonBody = (route, method) => at('paths', route, method, 'requestBody', 'content', 'application/json', 'schema');
const jsonAnswer = (route, method, status) =>
  at('paths', route, method, 'responses', status, 'content', 'application/json', 'schema');

const submit = jsonBody('/api/v1/jobs', 'post');
const trainingInput = submit.properties.trainingInput;
const hyper = trainingInput.properties.hyperparameters;
const param = hyper.properties.params.items;
const job = jsonAnswer('/api/v1/jobs/{jobId}', 'get', '200');
const deploymentName = jsonBody('/api/v1/deployments', 'post').properties.name;

const enumOf = (schema, name) => {
  if (!Array.isArray(schema?.enum)) {
    throw new Error(`${name}: the document gives no enum`);
  }
  return schema.enum;
};

/** Every run-time value both clients read from the document, in document order. */
const RULES = [
  ['JOB_ID_PATTERN', 'The job-id rule: what POST /jobs accepts as jobId.', submit.properties.jobId.pattern],
  ['DEPLOYMENT_NAME_PATTERN', 'The deployment-name rule: what POST /deployments accepts as name.', deploymentName.pattern],
  ['JOB_STATES', 'Every state a job can be in.', enumOf(job.properties.state, 'job state')],
  ['SCALE_TIERS', 'Scale tiers, as in AI Platform Training.', enumOf(trainingInput.properties.scaleTier, 'scaleTier')],
  ['PRIORITIES', 'Scheduling priorities: scheduled jobs high, normal middle, bulk low.', enumOf(trainingInput.properties.priority, 'priority')],
  ['BACKEND_NAMES', 'Backends a job can run on.', enumOf(trainingInput.properties.backend, 'backend')],
  ['HPO_GOALS', 'Whether a tuning job maximizes or minimizes its metric.', enumOf(hyper.properties.goal, 'goal')],
  ['HPO_ALGORITHMS', 'Search algorithms; ALGORITHM_UNSPECIFIED is Bayesian optimization.', enumOf(hyper.properties.algorithm, 'algorithm')],
  ['METRIC_SELECTIONS', "Which reported value of the metric tag is a trial's objective.", enumOf(hyper.properties.metricSelection, 'metricSelection')],
  ['EARLY_STOPPING_KINDS', 'Early-stopping rules.', enumOf(hyper.properties.earlyStopping.properties.kind, 'earlyStopping.kind')],
  ['PARAMETER_TYPES', "Kinds of hyperparameters, as in AI Platform's ParameterSpec.", enumOf(param.properties.type, 'params.type')],
  ['SCALE_TYPES', 'How a numeric range is searched.', enumOf(param.properties.scaleType, 'params.scaleType')],
  ['DEPLOYMENT_STATES', 'Every state a deployment can be in.', enumOf(at('components', 'schemas', 'Deployment', 'properties', 'state'), 'deployment state')],
  ['TRAINING_INPUT_FIELDS', 'Fields of trainingInput.', Object.keys(trainingInput.properties)],
  ['HYPERPARAMETER_FIELDS', 'Fields of trainingInput.hyperparameters.', Object.keys(hyper.properties)],
  ['PARAMETER_FIELDS', 'Fields of one searched parameter.', Object.keys(param.properties)]
];

function rulesTs() {
  const lines = [`/* ${HEADER} */`, ''];
  for (const [name, doc, value] of RULES) {
    lines.push(`/** ${doc} */`);
    lines.push(`export const ${name} = ${JSON.stringify(value)}${Array.isArray(value) ? ' as const' : ''};`);
    lines.push('');
  }
  return lines.join('\n');
}

const py = value =>
  Array.isArray(value) ? `(${value.map(v => JSON.stringify(v)).join(', ')}${value.length === 1 ? ',' : ''})` : JSON.stringify(value);

function rulesPy() {
  const lines = [`"""${HEADER}"""`, ''];
  for (const [name, doc, value] of RULES) {
    lines.push(`# ${doc}`);
    lines.push(`${name} = ${py(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

async function typesTs() {
  const ast = await openapiTS(document, { alphabetize: false });
  return `/* ${HEADER} */\n\n${astToString(ast)}`;
}

async function outputs() {
  return [
    ['src/wire/openapi.gen.ts', await typesTs()],
    ['src/wire/rules.gen.ts', rulesTs()],
    ['laketahoe/_wire.py', rulesPy()]
  ];
}

if (flag('--validate')) {
  const result = await validate(structuredClone(document));
  if (!result.valid) {
    process.stderr.write(`${source} is not a valid OpenAPI ${document.openapi} document:\n`);
    for (const error of result.errors) {
      process.stderr.write(`${error.message}\n`);
    }
    process.exit(1);
  }
  process.stdout.write(`${source}: valid OpenAPI ${document.openapi}\n`);
} else if (flag('--check')) {
  const stale = [];
  for (const [file, text] of await outputs()) {
    const target = path.join(ROOT, file);
    if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) {
      stale.push(file);
    }
  }
  if (stale.length > 0) {
    process.stderr.write(`out of date with ${path.relative(ROOT, source)}: ${stale.join(', ')} (run npm run wire)\n`);
    process.exit(1);
  }
  process.stdout.write('wire types match the OpenAPI document\n');
} else {
  for (const [file, text] of await outputs()) {
    fs.mkdirSync(path.dirname(path.join(ROOT, file)), { recursive: true });
    fs.writeFileSync(path.join(ROOT, file), text);
    process.stdout.write(`wrote ${file}\n`);
  }
}
