# syntax=docker/dockerfile:1
# Portcullis controller image: Node.js runs the controller, which runs HAProxy as its child.
#   docker build -t portcullis:dev .
# The image runs as an unprivileged user with a read-only root filesystem: everything it writes
# goes under --state-dir (and /tmp), which the pod mounts as emptyDir volumes (deploy/base).

ARG NODE_IMAGE=node:20-bookworm-slim

# Production dependencies only, resolved from the lock file.
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# Compile TypeScript with the dev dependencies; only the controller's sources are in context here.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json ./
COPY src ./src
# Unit tests next to the sources import test/ helpers, which are not in the build context.
RUN find src -name '*.test.ts' -delete \
 && node node_modules/typescript/bin/tsc -p . --outDir dist

FROM ${NODE_IMAGE} AS runtime
# HAProxy from Debian (the version the tests run against); no recommends, no apt lists left behind.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy \
 && rm -rf /var/lib/apt/lists/* \
 && haproxy -v
# A fixed numeric UID/GID, so that runAsNonRoot can verify it and the manifests can name it.
RUN groupadd --system --gid 10001 portcullis \
 && useradd --system --uid 10001 --gid portcullis --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin portcullis \
 && install -d -o portcullis -g portcullis -m 0700 /var/run/portcullis
WORKDIR /app
ENV NODE_ENV=production
# Owned by root and not writable by the runtime user: the application cannot modify itself.
COPY package.json ./
COPY bin ./bin
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER 10001:10001
# HTTP, HTTPS, and the health/metrics server (--health-port).
EXPOSE 80 443 10254
ENTRYPOINT ["node", "bin/portcullis.js", "controller"]
CMD ["--state-dir", "/var/run/portcullis"]
