import { serveUntilSignal } from "@opsc/server-kit";
import { startServiceRuntime } from "@opsc/server-kit/runtime";
import { createAuthApp } from "./app.ts";
import { AUTH_SCHEMA, createBetterAuth } from "./better-auth.ts";
import { loadEnv } from "./env.ts";
import type { AuthDatabase } from "./identity/identity.table.ts";
import { migrate } from "./migrate.ts";

const env = loadEnv();
const { log, db, redis, identityCache, close } = await startServiceRuntime<AuthDatabase>({
  service: "auth",
  schema: AUTH_SCHEMA,
  env,
  migrate,
});
const auth = createBetterAuth({
  db,
  secret: env.BETTER_AUTH_SECRET,
  publicUrl: env.PUBLIC_URL,
  signInRateLimit: { max: env.SIGN_IN_RATE_LIMIT_MAX, windowSeconds: env.SIGN_IN_RATE_LIMIT_WINDOW_SECONDS },
});

const app = createAuthApp({
  identityCache,
  db,
  auth,
  redis,
  log,
  internalToken: env.internal.internalToken,
  trustedProxies: env.internal.trustedProxies,
  setupToken: env.SETUP_TOKEN,
});
serveUntilSignal(app, {
  host: env.HOST,
  port: env.PORT,
  log,
  service: "auth",
  close,
});
