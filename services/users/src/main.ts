import type { IdentityRouter } from "@opsc/auth/internal";
import { createInternalClient, serveUntilSignal } from "@opsc/server-kit";
import { startServiceRuntime } from "@opsc/server-kit/runtime";
import { createUsersApp } from "./app.ts";
import { USERS_SCHEMA, type UsersDatabase } from "./database.ts";
import { loadEnv } from "./env.ts";
import { migrate } from "./migrate.ts";

const env = loadEnv();
const { log, db, redis, identityCache, close } = await startServiceRuntime<UsersDatabase>({
  service: "users",
  schema: USERS_SCHEMA,
  env,
  migrate,
});
const identity = createInternalClient<IdentityRouter>({
  baseUrl: env.AUTH_INTERNAL_URL,
  name: "identity",
  token: env.internal.internalToken,
});
const app = createUsersApp({
  identityCache,
  db,
  identity,
  redis,
  log,
  trustedProxies: env.internal.trustedProxies,
});
serveUntilSignal(app, { host: env.HOST, port: env.PORT, log, service: "users", close });
