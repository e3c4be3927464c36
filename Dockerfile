# syntax=docker/dockerfile:1
# cansd images for docker-compose.yml:
#   target runtime  the worker pool (`serve`, FastCGI on :9000) and the one-shot
#                   schema job (`migrate`: `cansd migrate`, then demo data);
#                   Debian 12 with the shared libraries, psql (demo data
#                   only), sql/ and scripts/
#   target web      nginx (Debian 12's, as tested) in front of it, serving the
#                   OpenAPI document and /docs/ (swagger-ui from npm, no CDN)
# Build: docker compose build (or docker build --target runtime -t cansd .)

ARG DEBIAN_IMAGE=debian:12-slim

# --- build: compile build/rel/cansd ---------------------------------------------
FROM ${DEBIAN_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential pkg-config libfcgi-dev libjwt-dev libssl-dev libjansson-dev libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make build

# --- docs: swagger-ui-dist and openapi.json from the locked npm tooling ---------
FROM node:20-bookworm-slim AS docs
WORKDIR /docs
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY openapi.yaml ./
COPY docs/index.html ./docs/index.html
RUN node -e 'const fs = require("fs"), YAML = require("yaml"); \
      fs.writeFileSync("openapi.json", JSON.stringify(YAML.parse(fs.readFileSync("openapi.yaml", "utf8")), null, 2) + "\n");'

# --- runtime: the worker pool and the migrate job --------------------------------
FROM ${DEBIAN_IMAGE} AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libfcgi0ldbl libjwt0 libssl3 libjansson4 libpq5 \
      postgresql-client-15 openssl ca-certificates tini tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --home-dir /var/lib/cansd --create-home \
      --shell /usr/sbin/nologin cansd
COPY --from=build /src/build/rel/cansd /usr/local/bin/cansd
COPY sql/ /opt/cansd/sql/
COPY scripts/lib.sh scripts/migrate.sh scripts/docker-entrypoint.sh /opt/cansd/scripts/
COPY scripts/lib/ /opt/cansd/scripts/lib/
ENV CANSD_BIN=/usr/local/bin/cansd \
    CANSD_VAR_DIR=/var/lib/cansd \
    CANSD_FCGI_LISTEN=:9000 \
    CANSD_TIMEZONE=America/Chicago
WORKDIR /var/lib/cansd
EXPOSE 9000
# Starts as root only to copy the secrets for user cansd, then drops to it.
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/cansd/scripts/docker-entrypoint.sh"]
CMD ["serve"]

# --- web: nginx ------------------------------------------------------------------
FROM ${DEBIAN_IMAGE} AS web
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      nginx-light gettext-base \
 && rm -rf /var/lib/apt/lists/*
ARG CANSD_RATE_LIMIT_RPS=50
COPY --from=docs /docs/openapi.yaml /srv/cansd/openapi.yaml
COPY --from=docs /docs/docs/index.html /srv/cansd/docs/index.html
COPY --from=docs /docs/node_modules/swagger-ui-dist/ /srv/cansd/node_modules/swagger-ui-dist/
COPY nginx/cansd.conf.template nginx/cansd-fastcgi.conf /etc/cansd/
COPY --from=docs /docs/openapi.json /var/lib/cansd-web/nginx/openapi.json
# The same template as `make run`, rendered for the compose network; logs go
# to the container's stdout/stderr.
RUN mkdir -p /var/lib/cansd-web/run /var/lib/cansd-web/log /var/lib/cansd-web/nginx/tmp \
 && ln -sf /dev/stdout /var/lib/cansd-web/log/nginx-access.log \
 && ln -sf /dev/stderr /var/lib/cansd-web/log/nginx-error.log \
 && cp /etc/cansd/cansd-fastcgi.conf /var/lib/cansd-web/nginx/ \
 && CANSD_NGINX_LISTEN=8080 CANSD_RATE_LIMIT_RPS=${CANSD_RATE_LIMIT_RPS} \
    CANSD_VAR_DIR=/var/lib/cansd-web CANSD_NGINX_DIR=/var/lib/cansd-web/nginx \
    CANSD_FCGI_UPSTREAM=cansd:9000 CANSD_STATIC_DIR=/srv/cansd \
    envsubst '${CANSD_NGINX_LISTEN} ${CANSD_RATE_LIMIT_RPS} ${CANSD_VAR_DIR} ${CANSD_STATIC_DIR} ${CANSD_FCGI_UPSTREAM} ${CANSD_NGINX_DIR}' \
      </etc/cansd/cansd.conf.template >/var/lib/cansd-web/nginx/nginx.conf \
 && chmod -R a+rX /srv/cansd /var/lib/cansd-web/nginx
EXPOSE 8080
STOPSIGNAL SIGQUIT
CMD ["nginx", "-p", "/var/lib/cansd-web/nginx/", "-c", "/var/lib/cansd-web/nginx/nginx.conf", "-e", "stderr"]
