// The webhook trigger: a plain route (not tRPC: the raw body is what is signed), with no session. Every refusal of
// a known webhook is recorded in webhook_calls with its status and reason; none echoes the secret.
import { createHmac, timingSafeEqual } from "node:crypto";
import { type TWebhookCallOutcome, WEBHOOK_HEADERS, WEBHOOK_LIMITS } from "@opsc/contracts/jobs/webhooks";
import { AppError, type createServiceHttp, HTTP_STATUS, type RequestInfo } from "@opsc/server-kit";
import { open } from "@opsc/vault";
import { Elysia } from "elysia";
import type Redis from "ioredis";
import type { Selectable } from "kysely";
import { findActiveBlackout } from "../calendars/blackout.ts";
import type { JobsServiceDeps } from "../deps.ts";
import * as jobsRepo from "../jobs/jobs.repository.ts";
import { startJobRun } from "../runs/start-job-run.ts";
import { openSecrets } from "../schedules/stored-parameters.ts";
import { mapPayload, PayloadMappingError } from "./payload.ts";
import * as repo from "./webhooks.repository.ts";
import { hashToken } from "./webhooks.service.ts";
import type { WebhooksTable } from "./webhooks.table.ts";

type Http = ReturnType<typeof createServiceHttp>;
export type WebhookTriggerDeps = JobsServiceDeps & { redis: Redis; redisPrefix: string };

const TOKEN_PATH = /^\/api\/v1\/jobs\/hooks\/([A-Za-z0-9_-]{16,128})$/;
const TIMESTAMP = /^\d{1,12}$/;
// No "." in a nonce: the signed text is split by dots, and a nonce that could swallow the body's start would let a
// signed call be replayed with a new nonce and a shorter body.
const NONCE = new RegExp(
  `^[A-Za-z0-9_-]{${WEBHOOK_LIMITS.minNonceLength},${WEBHOOK_LIMITS.maxNonceLength}}$`,
);
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

interface Refusal {
  status: number;
  code: string;
  outcome: TWebhookCallOutcome;
  message: string;
  field?: string;
}

function refusal(status: number, outcome: TWebhookCallOutcome, message: string, field?: string): Refusal {
  // The API's closed code set has no 413 of its own: a body too large is a bad request, answered with 413.
  const code = Object.entries(HTTP_STATUS).find(([, value]) => value === status)?.[0] ?? "BAD_REQUEST";
  return {
    status,
    code,
    outcome,
    message,
    ...(field ? { field } : {}),
  };
}

function errorResponse(refused: Refusal, info: RequestInfo): Response {
  return Response.json(
    {
      error: {
        code: refused.code,
        message: refused.message,
        requestId: info.requestId,
        issues: refused.field ? [{ path: refused.field.split("."), message: refused.message }] : null,
      },
    },
    { status: refused.status },
  );
}

/** The raw body, or null when it is larger than `maxBytes` (read no further than that). */
async function readBody(request: Request, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) return null;
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** HMAC-SHA256 of `<timestamp>.<nonce>.<raw body>` under the secret, compared in constant time. */
function signatureMatches(secret: string, timestamp: string, nonce: string, body: Buffer, presented: string) {
  const expected = createHmac("sha256", secret).update(`${timestamp}.${nonce}.`).update(body).digest();
  const given = Buffer.from(presented, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function createWebhookTriggerRoutes(deps: WebhookTriggerDeps, http: Http) {
  const log = deps.log.child({ component: "webhooks" });

  async function verify(
    webhook: Selectable<WebhooksTable>,
    request: Request,
  ): Promise<Refusal | { body: Buffer; nonce: string }> {
    const body = await readBody(request, WEBHOOK_LIMITS.maxBodyBytes);
    if (!body)
      return refusal(
        413,
        "refused-payload",
        `The payload is larger than ${WEBHOOK_LIMITS.maxBodyBytes} bytes`,
      );
    const timestamp = request.headers.get(WEBHOOK_HEADERS.timestamp) ?? "";
    const nonce = request.headers.get(WEBHOOK_HEADERS.nonce) ?? "";
    const signature = SIGNATURE.exec(request.headers.get(WEBHOOK_HEADERS.signature) ?? "")?.[1];
    if (!signature)
      return refusal(
        401,
        "refused-signature",
        "Missing or malformed X-OpsC-Signature (sha256=<64 hex digits>)",
      );
    if (!TIMESTAMP.test(timestamp))
      return refusal(401, "refused-signature", "Missing or malformed X-OpsC-Timestamp (unix seconds)");
    if (!NONCE.test(nonce))
      return refusal(
        401,
        "refused-signature",
        `Missing or malformed X-OpsC-Nonce (${WEBHOOK_LIMITS.minNonceLength}-${WEBHOOK_LIMITS.maxNonceLength} of A-Z a-z 0-9 _ -)`,
      );
    const secret = open(deps.vault, webhook.secret_sealed, webhook.id);
    if (!signatureMatches(secret, timestamp, nonce, body, signature))
      return refusal(401, "refused-signature", "The signature does not match");
    const skewSeconds = Math.abs(Date.now() / 1000 - Number(timestamp));
    if (skewSeconds > WEBHOOK_LIMITS.timestampToleranceSeconds)
      return refusal(
        401,
        "refused-timestamp",
        `The timestamp is ${Math.round(skewSeconds)} s away from the service's clock (at most ${WEBHOOK_LIMITS.timestampToleranceSeconds} s)`,
      );
    // Remembered longer than a timestamp stays acceptable, so a replay within the tolerance always finds it.
    const fresh = await deps.redis.set(
      `${deps.redisPrefix}:jobs:webhook-nonce:${webhook.id}:${nonce}`,
      "1",
      "EX",
      WEBHOOK_LIMITS.nonceTtlSeconds,
      "NX",
    );
    if (fresh !== "OK") return refusal(409, "refused-replay", "This nonce was used already: a replayed call");
    return { body, nonce };
  }

  const trigger = http.instrument("/api/v1/jobs/hooks/{token}", async (request, info) => {
    const token = TOKEN_PATH.exec(new URL(request.url).pathname)?.[1];
    const webhook = token ? await repo.findByTokenHash(deps.db, hashToken(token)) : undefined;
    // Unknown and disabled answer alike: the caller learns nothing about which tokens exist.
    const unknown = refusal(404, "refused-disabled", "No enabled webhook at this address");
    if (!webhook) {
      log.info({ requestId: info.requestId, sourceIp: info.sourceIp }, "call to an unknown webhook");
      return errorResponse(unknown, info);
    }
    const record = (
      status: number,
      outcome: TWebhookCallOutcome,
      reason: string | null,
      runId: string | null,
    ) =>
      repo.recordCall(deps.db, {
        webhook_id: webhook.id,
        status,
        outcome,
        reason,
        run_id: runId,
        source_ip: info.sourceIp,
        request_id: info.requestId,
      });
    const refuse = async (refused: Refusal) => {
      await record(refused.status, refused.outcome, refused.message, null);
      return errorResponse(refused, info);
    };
    if (!webhook.enabled) return refuse(unknown);

    const verified = await verify(webhook, request);
    if ("status" in verified) return refuse(verified);

    let payload: unknown = {};
    if (verified.body.length > 0) {
      try {
        payload = JSON.parse(verified.body.toString("utf8"));
      } catch {
        return refuse(refusal(400, "refused-payload", "The payload is not JSON"));
      }
    }
    let parameters: Record<string, unknown>;
    try {
      parameters = {
        ...webhook.static_parameters,
        ...openSecrets(deps.vault, webhook.secret_parameters, webhook.id),
        ...mapPayload(payload, webhook.parameter_mapping),
      };
    } catch (error) {
      if (!(error instanceof PayloadMappingError)) throw error;
      return refuse(
        refusal(
          400,
          "refused-parameters",
          `${error.parameter}: ${error.message}`,
          `parameters.${error.parameter}`,
        ),
      );
    }

    const job = await jobsRepo.findById(deps.db, webhook.job_id);
    const blackout = job
      ? await findActiveBlackout(deps.db, { folder: job.folder, tags: job.tags }, new Date())
      : null;
    if (blackout)
      return refuse(
        refusal(
          409,
          "refused-blackout",
          `The job is inside a blackout window of calendar "${blackout.calendarName}" until ${blackout.endsAt.toISOString()}`,
        ),
      );

    try {
      const result = await startJobRun(
        deps,
        {
          actorId: webhook.created_by,
          apiKeyId: null,
          sourceIp: info.sourceIp,
          requestId: info.requestId,
          isSystem: true,
        },
        {
          jobId: webhook.job_id,
          parameters,
          trigger: { kind: "webhook", id: webhook.id, label: webhook.name },
          createdBy: webhook.created_by,
          blackout: "enforce",
          context: {
            requestId: info.requestId,
            sourceIp: info.sourceIp,
            caller: null,
            headers: new Headers(),
          },
        },
      );
      const reason =
        result.outcome === "started"
          ? null
          : `${result.outcome === "queued" ? "waits for" : "skipped: active"} run ${result.activeRunId}`;
      const deliveryId = await record(202, result.outcome, reason, result.runId);
      return Response.json(
        { outcome: result.outcome, runId: result.runId, activeRunId: result.activeRunId, deliveryId },
        { status: 202 },
      );
    } catch (error) {
      if (!(error instanceof AppError)) {
        await record(500, "failed", "internal error (see the jobs service's log)", null);
        throw error;
      }
      if (error.field === "overrideReason") return refuse(refusal(409, "refused-blackout", error.message));
      if (error.code === "BAD_REQUEST" && error.field?.startsWith("parameters."))
        return refuse(refusal(400, "refused-parameters", error.message, error.field));
      return refuse(refusal(HTTP_STATUS[error.code], "failed", error.message, error.field));
    }
  });

  return new Elysia({ name: "jobs-webhook-trigger" }).post("/api/v1/jobs/hooks/:token", trigger, {
    // The handler reads the raw body itself: it is what is signed.
    parse: "none",
  });
}
