import { z } from "zod";

/**
 * Composable environment fragments. Each deployable's `src/env.ts` merges the fragments it needs and parses
 * `process.env` once at boot; packages receive config as arguments and never read the environment.
 */

const boolish = z
  .enum(["true", "false", "1", "0", ""])
  .transform((value) => value === "true" || value === "1");

export const commonEnv = () =>
  z.object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
    HOST: z.string().default("127.0.0.1"),
    PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  });

const postgresSchema = z.object({
  DATABASE_URL: z.string().url(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  MIGRATE_ON_START: boolish.default(true),
});

/**
 * `<NAME>_DATABASE_URL` falls back to `DATABASE_URL`; each service owns one schema in that database.
 * Takes the source because the variable's name depends on the service.
 */
export function parsePostgresEnv(service: string, source: Record<string, string | undefined>) {
  const key = `${service.toUpperCase()}_DATABASE_URL`;
  const value = parseEnv(postgresSchema, { ...source, DATABASE_URL: source[key] ?? source.DATABASE_URL });
  return {
    databaseUrl: value.DATABASE_URL,
    poolMax: value.DATABASE_POOL_MAX,
    migrateOnStart: value.MIGRATE_ON_START,
  };
}

export const redisEnv = () =>
  z
    .object({
      REDIS_URL: z.string().url().default("redis://127.0.0.1:6379"),
      REDIS_PREFIX: z
        .string()
        .regex(/^[a-z0-9_-]{1,40}$/, "lower-case letters, digits, '-' and '_' only")
        .default("opsc"),
      /** How long a service reuses a resolved caller at most (an identity change ends it at once); 0 = off. */
      IDENTITY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
    })
    .transform((value) => ({
      redisUrl: value.REDIS_URL,
      redisPrefix: value.REDIS_PREFIX,
      identityCacheTtlMs: value.IDENTITY_CACHE_TTL_MS,
    }));

/** The shared secret services use to call each other's internal routes. Never routed by the gateway. */
export const internalEnv = () =>
  z
    .object({
      INTERNAL_TOKEN: z.string().min(32, "INTERNAL_TOKEN must be at least 32 characters"),
      TRUSTED_PROXIES: z.string().default("127.0.0.1,::1,::ffff:127.0.0.1"),
    })
    .transform((value) => ({
      internalToken: value.INTERNAL_TOKEN,
      trustedProxies: value.TRUSTED_PROXIES.split(",")
        .map((entry) => entry.trim())
        .filter(Boolean),
    }));

/** Parses `source` with `schema`, or exits the process with every bad variable named. */
export function parseEnv<T extends z.ZodType>(
  schema: T,
  source: Record<string, string | undefined>,
): z.output<T> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join(".") || "(env)"}: ${issue.message}`);
  throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
}

export { z };
