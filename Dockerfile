# syntax=docker/dockerfile:1
# The tracker API image: compiled JavaScript, production dependencies only, run as a non-root
# user under tini. Build: docker build -t tracker-api .
# Migrations are not run here: the deploy runs them once per release, before new instances
# start, with the same image:
#   docker run --rm -e MIGRATION_DATABASE_URL=... --entrypoint npm tracker-api run db:migrate
# scripts/artifact/verify-artifact.ts builds these stages without Docker and checks the result.
# The repository's tooling workspaces (scripts/bench, scripts/cluster, scripts/artifact, cdktf)
# are not in the build context (.dockerignore); npm skips their links, and their packages are
# development dependencies, so neither install below puts them in the runtime.

# Node 24 LTS. Pin the full version; bump it deliberately.
FROM node:24.21.0-bookworm-slim AS base
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /app

# Every dependency, for the build. Install scripts stay off: the one we need (the root's
# postinstall, prisma generate) runs in the build stage, and native modules (argon2) ship
# prebuilt binaries.
FROM base AS deps
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts

# Prisma client generated from the schema, then TypeScript compiled to dist/, and the GraphQL
# IDE bundled into api/public/ide (served only when GRAPHQL_IDE=true in production).
FROM deps AS build
COPY tsconfig.json tsconfig.build.json prisma.config.ts ./
# prisma generate runs through the development bridge's launcher (prisma.config.ts loads its
# engine choice); only this stage has it.
COPY scripts/prisma-bridge scripts/prisma-bridge
COPY prisma prisma
COPY api/src api/src
RUN npm run build
COPY ide ide
RUN npm run build:ide

# Production dependencies only, in a stage of their own so the runtime gets no dev tooling
# (nor npm's download cache, which stays behind in this stage). Optional ones are left out
# too: all that production would get of them are optional peers the API never loads, above
# all the Prisma CLI (an optional peer of @prisma/client) with its engines; the rest are
# envelop's types and pg's Cloudflare socket.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts

FROM base AS runtime
# tini is PID 1: it forwards SIGTERM to Node and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini=0.19.0-1+b3 \
  && rm -rf /var/lib/apt/lists/*
# A heap cap keeps RSS near what is in use (~450 MB uncapped -> ~240 MB under the board
# workload in the benchmark). The young generation stays at 32 MB semi-spaces: 8 MB saved
# ~60 MB of RSS but cost ~15% more CPU per board request in scavenges. The benchmark runs the
# API with the same flags.
ENV NODE_ENV=production PORT=4000 NODE_OPTIONS="--max-semi-space-size=32 --max-old-space-size=256"
# Files stay owned by root, so the app cannot rewrite itself. `npm run db:migrate` runs the
# compiled plain SQL runner (dist/api/src/schema-setup/migrate-command.js) over prisma/migrations: no
# Prisma CLI or schema engine is in the image.
COPY package.json package-lock.json ./
COPY scripts/db-migrate.cjs scripts/
COPY prisma prisma
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/api/public api/public
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/api/src/main.js"]
