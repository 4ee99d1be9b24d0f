import type { IdentityRouter } from "@opsc/auth/internal";
import { createInternalClient, serveUntilSignal } from "@opsc/server-kit";
import { startServiceRuntime } from "@opsc/server-kit/runtime";
import { createProducer } from "@opsc/streams";
import type { TargetsInternalRouter } from "@opsc/targets/internal";
import { createDiscoveryApp } from "./app.ts";
import { DISCOVERY_SCHEMA, type DiscoveryDatabase } from "./database.ts";
import { loadEnv } from "./env.ts";
import { migrate } from "./migrate.ts";
import { discoveryJobs } from "./runs/scan-job.ts";

const env = loadEnv();
const { log, db, redis, prefix, identityCache, close } = await startServiceRuntime<DiscoveryDatabase>({
  service: "discovery",
  schema: DISCOVERY_SCHEMA,
  env,
  migrate,
  domainEvents: true,
});
const identity = createInternalClient<IdentityRouter>({
  baseUrl: env.AUTH_INTERNAL_URL,
  name: "identity",
  token: env.internal.internalToken,
});
const inventory = createInternalClient<TargetsInternalRouter>({
  baseUrl: env.TARGETS_INTERNAL_URL,
  name: "targets",
  token: env.internal.internalToken,
});
const app = createDiscoveryApp({
  identityCache,
  db,
  redis,
  log,
  identity,
  inventory,
  producer: createProducer({ redis, prefix, catalog: discoveryJobs }),
  maxAddresses: env.DISCOVERY_MAX_ADDRESSES,
  internalToken: env.internal.internalToken,
  trustedProxies: env.internal.trustedProxies,
});
serveUntilSignal(app, { host: env.HOST, port: env.PORT, log, service: "discovery", close });
