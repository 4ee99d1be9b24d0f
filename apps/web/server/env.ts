import { commonEnv, parseEnv, z } from "@opsc/config";

const schema = commonEnv().extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8100),
  /** Where the gateway is: the OpenAPI documents of the services are fetched through it. */
  OPSC_API_URL: z.string().url().default("http://127.0.0.1:8080"),
  /** Services whose OpenAPI documents are merged into /api/v1/openapi.json, in this order. */
  OPSC_SERVICES: z
    .string()
    .default("auth,users,targets,discovery,execution,jobs,audit")
    .transform((value) =>
      value
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, "service names are lower-case words")).min(1)),
});

export type WebEnv = z.output<typeof schema>;

export function loadEnv(source: Record<string, string | undefined> = process.env): WebEnv {
  return parseEnv(schema, source);
}
