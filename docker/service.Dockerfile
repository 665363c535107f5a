# The shared-mode service image: Node.js 20 and the bundled service (server-proxy/scripts/bundle.mjs), nothing
# else: no node_modules tree, no Python. Build from the repository root:
#   docker build -f docker/service.Dockerfile -t laketahoe-service:latest .
# The bundle is one folder (main.mjs, better_sqlite3.node, native.json, THIRD_PARTY_LICENSES.txt), so an image
# built without a container engine only has to copy that folder onto a Node.js 20 base; the addon must be built
# for the base image's libc and Node ABI (here it is built in the first stage, on the same Debian release).
FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json /src/package.json
COPY server-proxy/package.json server-proxy/package-lock.json /src/server-proxy/
# better-sqlite3 compiles its addon here when no prebuilt binary can be fetched (python3, make and g++ are in the image).
RUN cd server-proxy && npm ci --no-audit --no-fund --loglevel=error
COPY server-proxy /src/server-proxy
RUN cd server-proxy && node scripts/bundle.mjs --out /opt/laketahoe/service

FROM node:20-bookworm-slim
COPY --from=build /opt/laketahoe/service /opt/laketahoe/service
# State (the SQLite store when no other is configured) and job folders live under /data.
RUN mkdir -p /data && chown node:node /data
USER node
WORKDIR /data
ENV NODE_ENV=production LAKETAHOE_ROOT_DIR=/data
EXPOSE 8900
# Shared mode: tokens map to users (--tokens-file), jobs run on Kubernetes with the pod's service account.
# Add or override flags in the Deployment's args, e.g. --tokens-file /etc/laketahoe/tokens.
ENTRYPOINT ["node", "/opt/laketahoe/service/main.mjs", "serve"]
CMD ["--host", "0.0.0.0", "--port", "8900", "--backend", "kubernetes", "--runtime-file", "/tmp/laketahoe-proxy.json"]
