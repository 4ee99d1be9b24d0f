import { z } from "zod";
import { ZPageRequest, ZTimestamp } from "../common.ts";

/**
 * Webhook triggers: `POST /api/v1/jobs/hooks/<token>` with an HMAC-SHA256 signature starts a run of the job, its
 * parameters mapped from the JSON payload. The token is in the URL (stored hashed); the HMAC secret is sealed. Both
 * are shown once. The signature scheme is in docs/webhooks.md.
 */

export const WEBHOOK_LIMITS = {
  maxBodyBytes: 1024 * 1024,
  /** A call's `X-OpsC-Timestamp` may differ from the service's clock by this much at most. */
  timestampToleranceSeconds: 300,
  /** Nonces are remembered this long: twice the tolerance, so a replay inside the tolerance is always caught. */
  nonceTtlSeconds: 600,
  minNonceLength: 8,
  maxNonceLength: 128,
} as const;

export const WEBHOOK_HEADERS = {
  timestamp: "x-opsc-timestamp",
  nonce: "x-opsc-nonce",
  signature: "x-opsc-signature",
} as const;

/** Where the trigger listens; the token follows. */
export const WEBHOOK_PATH_PREFIX = "/api/v1/jobs/hooks/";

/** The string that is signed: `<timestamp>.<nonce>.<raw body>`. */
export function webhookSignedText(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}.${nonce}.${body}`;
}

export const ZWebhookId = z.uuid();
export const ZWebhookIdRequestSchema = z.strictObject({ id: ZWebhookId });

/** A dotted path into the JSON payload: `ref`, `repository.name`, `commits.0.id`. */
export const ZPayloadPath = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "a dotted path such as repository.name or commits.0.id");

/** Job parameter ← payload path. */
export const ZParameterMapping = z.record(z.string().min(1).max(64), ZPayloadPath);

const ZWebhookName = z.string().trim().min(1).max(100);

export const ZWebhook = z.object({
  id: z.string(),
  jobId: z.string(),
  name: z.string(),
  parameterMapping: z.record(z.string(), z.string()),
  /** Fixed values of plain parameters; secret ones are never returned (see `secretParameters`). */
  staticParameters: z.record(z.string(), z.unknown()),
  secretParameters: z.array(z.string()),
  enabled: z.boolean(),
  lastCalledAt: ZTimestamp.nullable(),
  createdBy: z.string().nullable(),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
});
export type TWebhook = z.output<typeof ZWebhook>;

export const ZListWebhooksRequestSchema = z.strictObject({ jobId: z.uuid() });
export const ZListWebhooksResponseSchema = z.object({ items: z.array(ZWebhook) });

export const ZCreateWebhookRequestSchema = z.strictObject({
  jobId: z.uuid(),
  name: ZWebhookName,
  parameterMapping: ZParameterMapping.default({}),
  staticParameters: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
});
export type TCreateWebhookRequest = z.input<typeof ZCreateWebhookRequestSchema>;

/** Shown once: neither the URL's token nor the secret can be read again. */
export const ZCreateWebhookResponseSchema = z.object({
  webhook: ZWebhook,
  /** The path to call, relative to the gateway's URL. */
  url: z.string(),
  /** The HMAC-SHA256 key (hex). */
  secret: z.string(),
});

export const ZRotateWebhookSecretResponseSchema = z.object({ webhook: ZWebhook, secret: z.string() });

export const ZUpdateWebhookRequestSchema = z.strictObject({
  id: ZWebhookId,
  data: z.strictObject({
    name: ZWebhookName.optional(),
    parameterMapping: ZParameterMapping.optional(),
    /** Replaces the plain values; a secret parameter left out keeps its stored value, `null` clears it. */
    staticParameters: z.record(z.string(), z.unknown()).optional(),
    enabled: z.boolean().optional(),
  }),
});
export type TUpdateWebhookRequest = z.input<typeof ZUpdateWebhookRequestSchema>;

export const WEBHOOK_CALL_OUTCOMES = [
  "started",
  "queued",
  "skipped",
  "refused-disabled",
  "refused-signature",
  "refused-timestamp",
  "refused-replay",
  "refused-payload",
  "refused-parameters",
  "refused-blackout",
  "failed",
] as const;
export const ZWebhookCallOutcome = z.enum(WEBHOOK_CALL_OUTCOMES);
export type TWebhookCallOutcome = z.infer<typeof ZWebhookCallOutcome>;

export const ZWebhookDelivery = z.object({
  id: z.string(),
  receivedAt: ZTimestamp,
  /** The HTTP status the caller got. */
  status: z.number().int(),
  outcome: ZWebhookCallOutcome,
  reason: z.string().nullable(),
  runId: z.string().nullable(),
  sourceIp: z.string().nullable(),
  requestId: z.string().nullable(),
});
export type TWebhookDelivery = z.output<typeof ZWebhookDelivery>;

export const ZListDeliveriesRequestSchema = z.strictObject({ id: ZWebhookId, ...ZPageRequest });
export const ZListDeliveriesResponseSchema = z.object({
  items: z.array(ZWebhookDelivery),
  total: z.number().int(),
});

/** What an accepted call answers (202). */
export const ZWebhookAcceptedResponse = z.object({
  outcome: z.enum(["started", "queued", "skipped"]),
  runId: z.string().nullable(),
  activeRunId: z.string().nullable(),
  deliveryId: z.string(),
});
