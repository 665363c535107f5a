# The image Kubernetes jobs run by default (`--k8s-default-image laketahoe-runner:latest`): the same Python
# environment as the local backend (requirements/lock.txt) with the laketahoe package, so a notebook runs the
# same way in a pod as on the user's machine. Build from the repository root:
#   docker build -f docker/runner.Dockerfile -t laketahoe-runner:latest .
# GPU jobs need a CUDA-enabled framework on top of it (a FROM this image in the team's own Dockerfile).
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements/lock.txt /tmp/lock.txt
RUN pip install -r /tmp/lock.txt && rm /tmp/lock.txt

# Only the Python package (its wheel build also bundles the JupyterLab extension, which needs Node):
# the extension and the service are not needed in a training pod.
COPY laketahoe /opt/laketahoe/laketahoe
ENV PYTHONPATH=/opt/laketahoe

# The runner writes outputs here (a volume or an emptyDir, see "Kubernetes backend" in docs/contracts.md).
WORKDIR /laketahoe/output
RUN useradd --uid 1000 --create-home runner && chown runner /laketahoe/output
USER 1000
ENTRYPOINT []
