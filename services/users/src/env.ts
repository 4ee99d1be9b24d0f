import { commonEnv, internalEnv, parseEnv, parsePostgresEnv, redisEnv, z } from "@opsc/config";

const schema = z.object({
  ...commonEnv().shape,
  AUTH_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8101"),
});

export function loadEnv(source: Record<string, string | undefined> = process.env) {
  return {
    ...parseEnv(schema, source),
    database: parsePostgresEnv("users", source),
    redis: parseEnv(redisEnv(), source),
    internal: parseEnv(internalEnv(), source),
  };
}
