import { commonEnv, internalEnv, parseEnv, parsePostgresEnv, redisEnv, z } from "@opsc/config";
import { SCAN_LIMITS } from "@opsc/contracts/discovery/scans";

const schema = z.object({
  ...commonEnv().shape,
  AUTH_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8101"),
  TARGETS_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8103"),
  /** Lower than the API's bound to keep scans smaller on a sensitive network; never higher. */
  DISCOVERY_MAX_ADDRESSES: z.coerce
    .number()
    .int()
    .min(1)
    .max(SCAN_LIMITS.maxAddresses)
    .default(SCAN_LIMITS.maxAddresses),
});

export function loadEnv(source: Record<string, string | undefined> = process.env) {
  const base = parseEnv(schema, source);
  return {
    ...base,
    database: parsePostgresEnv("discovery", source),
    redis: parseEnv(redisEnv(), source),
    internal: parseEnv(internalEnv(), source),
  };
}
