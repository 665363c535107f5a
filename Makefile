# One entry point for setting up, running and testing LakeTahoe for JupyterLab.
#   make demo   install everything and open JupyterLab on the demo notebook (SQLite store, local backend)
#   make test   run every test suite against real parts, the Kubernetes ones last
SHELL := bash
.SHELLFLAGS := -euo pipefail -c

VENV ?= .venv
PY := $(VENV)/bin/python
# Model servers (MLServer) live in their own environment: their pins must not fight the notebook's.
SERVING_VENV ?= .venv-serving
# Tools from the venv (jupyter, pytest) come first, for npm scripts too.
export PATH := $(abspath $(VENV)/bin):$(PATH)
# Never let Playwright fetch a browser: the tests use Debian's Chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
NPM_CI := npm ci --no-audit --no-fund --loglevel=error
LAB_ARGS ?=

.PHONY: setup demo test test-extension test-service test-python test-binder test-wheel test-ui bench bench-wheel python-env \
	serving-env node-deps build dist clean k8s-build k8s-start k8s-stop test-k8s bench-k8s s3-build

## Set-up ---------------------------------------------------------------------

setup: build serving-env

python-env: $(VENV)/.installed

$(VENV)/.installed: requirements/lock.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/lock.txt
	touch $@

serving-env: $(SERVING_VENV)/.installed

# --no-deps: the lock is complete, and leaves out xgboost's CUDA build on purpose (see requirements/serving.in).
$(SERVING_VENV)/.installed: requirements/serving-lock.txt
	python3 -m venv $(SERVING_VENV)
	$(SERVING_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SERVING_VENV)/bin/python -m pip install --quiet --no-deps -r requirements/serving-lock.txt
	touch $@

node-deps: node_modules/.installed server-proxy/node_modules/.installed ui-tests/node_modules/.installed

node_modules/.installed: package-lock.json
	$(NPM_CI)
	touch $@

server-proxy/node_modules/.installed: server-proxy/package-lock.json
	cd server-proxy && $(NPM_CI)
	touch $@

ui-tests/node_modules/.installed: ui-tests/package-lock.json
	cd ui-tests && $(NPM_CI)
	touch $@

# The service, the extension, the Python package (editable, so the proxy entry point finds
# server-proxy/dist next to it) and the example package for module-form jobs.
build: python-env node-deps
	cd server-proxy && npm run build
	npm run build
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	jupyter labextension develop --overwrite .
	$(PY) -m build --sdist --no-isolation --outdir examples/trainer_pkg/dist examples/trainer_pkg > /dev/null

# The sdist and the wheel (extension, bundled service, SQLite addon for this platform) in dist/.
dist: python-env node-deps
	npm run build:prod
	$(PY) -m build --no-isolation --skip-dependency-check --sdist --wheel --outdir dist .

demo: setup
	cd examples && jupyter lab demo.ipynb $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

## Tests ----------------------------------------------------------------------

# test-k8s comes last: on a cold machine .ci/run builds the control plane in the
# background meanwhile, and test-k8s waits for that build.
test: setup test-extension test-service test-python test-binder test-wheel test-ui test-k8s

test-extension:
	npm test

# The artifact-store tests start a real S3-compatible server (versitygw); build it first (cached per machine).
# The store, API and monitoring tests run twice (jest projects sqlite and postgres, side by side): the second time
# against a PostgreSQL the run starts in a temporary folder (Debian's postgresql, installed when missing).
test-service: s3-build
	cd server-proxy && npm test

test-python:
	$(PY) -m pytest -q

test-binder:
	bash binder/test-postbuild.sh

# sdist and wheel, the wheel again from the sdist alone, installed and used in a fresh venv (tools/wheel/test.sh).
test-wheel:
	bash tools/wheel/test.sh

test-ui:
	cd ui-tests && npx playwright test

## S3-compatible server for the artifact-store tests (versitygw from its Go module; see tools/s3) ---------

s3-build:
	tools/s3/build.sh

## Kubernetes test control plane (built from Go modules; see docs/k8s-test-cluster.md) ---------

# Links tools/k8s/bin to the binaries cached under ~/.cache/laketahoe/k8s, building them once per machine,
# and builds the real node's kubelet and images (cached under ~/.cache/laketahoe/k8s-node).
k8s-build:
	tools/k8s/build.sh
	tools/k8s/build-node.sh

k8s-start:
	tools/k8s/cluster.sh start

k8s-stop:
	tools/k8s/cluster.sh stop

# Starts the cluster (control plane, kwok nodes, the real node), runs the smoke test, the real node's
# test and the service's Kubernetes suite, stops the cluster and checks that the host is as before.
test-k8s: server-proxy/node_modules/.installed s3-build
	tools/k8s/test.sh

## Benchmarks (print numbers; never part of `make test`) -------------------

bench: setup
	cd server-proxy && npm run build
	node bench/list-jobs.mjs
	node bench/shared/replicas.mjs
	node bench/serving/drift.mjs
	node bench/serving/latency.mjs
	node bench/serving/traffic.mjs
	$(PY) bench/submit_latency.py
	$(PY) bench/save_model.py

# laketahoe's wheel size and install time beside jupyter-scheduler's.
bench-wheel: python-env node-deps
	bench/wheel/run.sh

# Against the test control plane (started and stopped when none runs); see bench/k8s/RESULTS.md.
bench-k8s: server-proxy/node_modules/.installed
	bench/k8s/run.sh

clean:
	rm -rf node_modules server-proxy/node_modules ui-tests/node_modules lib server-proxy/dist laketahoe/labextension \
	  laketahoe/service laketahoe/_version.py dist binder/dist $(VENV) $(SERVING_VENV)
