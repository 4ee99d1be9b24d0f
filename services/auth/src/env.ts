import { commonEnv, internalEnv, parseEnv, parsePostgresEnv, redisEnv, z } from "@opsc/config";

const schema = z.object({
  ...commonEnv().shape,
  BETTER_AUTH_SECRET: z.string().min(32, "BETTER_AUTH_SECRET must be at least 32 characters"),
  PUBLIC_URL: z.string().url().default("http://127.0.0.1:8080"),
  SETUP_TOKEN: z.string().min(16).optional(),
  SIGN_IN_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(5),
  SIGN_IN_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
});

export function loadEnv(source: Record<string, string | undefined> = process.env) {
  const base = parseEnv(schema, source);
  return {
    ...base,
    database: parsePostgresEnv("auth", source),
    redis: parseEnv(redisEnv(), source),
    internal: parseEnv(internalEnv(), source),
  };
}
export type AuthEnv = ReturnType<typeof loadEnv>;
