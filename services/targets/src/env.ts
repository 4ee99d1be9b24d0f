import { commonEnv, internalEnv, parseEnv, parsePostgresEnv, redisEnv, z } from "@opsc/config";
import { vaultKeysFromEnv } from "@opsc/vault";

const schema = z.object({
  ...commonEnv().shape,
  AUTH_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8101"),
  VAULT_KEYS: z.string().min(1, "VAULT_KEYS is required: id:base64(32 random bytes), newest first"),
  HEALTH_DEFAULT_INTERVAL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(60),
  CONNECT_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(10_000),
});

export function loadEnv(source: Record<string, string | undefined> = process.env) {
  const base = parseEnv(schema, source);
  const vault = vaultKeysFromEnv(base.VAULT_KEYS);
  return {
    ...base,
    vault,
    database: parsePostgresEnv("targets", source),
    redis: parseEnv(redisEnv(), source),
    internal: parseEnv(internalEnv(), source),
  };
}
