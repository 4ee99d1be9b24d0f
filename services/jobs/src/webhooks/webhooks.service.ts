import { createHash, randomBytes } from "node:crypto";
import { type AuditActor, recordAudit } from "@opsc/audit";
import type { TParameter } from "@opsc/contracts/jobs/parameters";
import {
  type TWebhook,
  WEBHOOK_PATH_PREFIX,
  type ZCreateWebhookRequestSchema,
  type ZListDeliveriesRequestSchema,
  type ZUpdateWebhookRequestSchema,
} from "@opsc/contracts/jobs/webhooks";
import { AppError, notFound } from "@opsc/server-kit";
import { seal, type VaultKeys } from "@opsc/vault";
import type { Kysely, Selectable } from "kysely";
import type { z } from "zod";
import type { JobsDatabase } from "../database.ts";
import { loadVersion } from "../jobs/load-version.ts";
import { openSecrets, prepareParameters } from "../schedules/stored-parameters.ts";
import * as repo from "./webhooks.repository.ts";
import type { WebhooksTable } from "./webhooks.table.ts";

export interface WebhooksDeps {
  db: Kysely<JobsDatabase>;
  vault: VaultKeys;
}

type Row = Selectable<WebhooksTable>;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function toDto(row: Row): TWebhook {
  return {
    id: row.id,
    jobId: row.job_id,
    name: row.name,
    parameterMapping: row.parameter_mapping,
    staticParameters: row.static_parameters,
    secretParameters: row.secret_parameter_names,
    enabled: row.enabled,
    lastCalledAt: row.last_called_at?.toISOString() ?? null,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Every mapped name must be a parameter of the job. */
function checkMapping(parameters: TParameter[], mapping: Record<string, string>, field: string) {
  for (const name of Object.keys(mapping))
    if (!parameters.some((parameter) => parameter.name === name))
      throw new AppError("BAD_REQUEST", {
        field: `${field}.${name}`,
        message: `"${name}" is not a parameter of this job`,
      });
}

function conflictOnName(field: string) {
  return (error: unknown): never => {
    if ((error as { constraint?: string }).constraint === "webhooks_job_name_key")
      throw new AppError("CONFLICT", { field, message: "This job already has a webhook with this name" });
    throw error;
  };
}

/** A new HMAC key: 32 random bytes, hex. */
function newSecret(): string {
  return randomBytes(32).toString("hex");
}

export async function listWebhooks(deps: WebhooksDeps, jobId: string) {
  return { items: (await repo.listByJob(deps.db, jobId)).map(toDto) };
}

export async function createWebhook(
  deps: WebhooksDeps,
  actor: AuditActor,
  input: z.output<typeof ZCreateWebhookRequestSchema>,
) {
  const { definition } = await loadVersion(deps.db, input.jobId);
  checkMapping(definition.parameters, input.parameterMapping, "parameterMapping");
  const id = crypto.randomUUID();
  const stored = prepareParameters(deps.vault, definition.parameters, input.staticParameters, {
    owner: id,
    field: "staticParameters",
    complete: false,
  });
  // The token is the URL's only secret part: 256 random bits, kept only as a hash.
  const token = randomBytes(32).toString("base64url");
  const secret = newSecret();
  return deps.db.transaction().execute(async (trx) => {
    const row = await repo
      .insert(trx, {
        id,
        job_id: input.jobId,
        name: input.name,
        token_hash: hashToken(token),
        secret_sealed: seal(deps.vault, secret, id),
        parameter_mapping: JSON.stringify(input.parameterMapping),
        static_parameters: JSON.stringify(stored.plain),
        secret_parameters: stored.sealedSecrets,
        secret_parameter_names: stored.secretNames,
        enabled: input.enabled,
        created_by: actor.actorId,
      })
      .catch(conflictOnName("name"));
    const webhook = toDto(row);
    await recordAudit(trx, actor, {
      action: "webhook.created",
      resourceType: "webhook",
      resourceId: id,
      after: webhook,
    });
    return { webhook, url: `${WEBHOOK_PATH_PREFIX}${token}`, secret };
  });
}

export async function rotateSecret(deps: WebhooksDeps, actor: AuditActor, id: string) {
  const secret = newSecret();
  return deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, id);
    if (!before) throw notFound("Webhook");
    const row = await repo.update(trx, id, { secret_sealed: seal(deps.vault, secret, id) });
    const webhook = toDto(row);
    // The record says that the secret changed, never what it is.
    await recordAudit(trx, actor, {
      action: "webhook.secret_rotated",
      resourceType: "webhook",
      resourceId: id,
      after: webhook,
    });
    return { webhook, secret };
  });
}

export async function updateWebhook(
  deps: WebhooksDeps,
  actor: AuditActor,
  input: z.output<typeof ZUpdateWebhookRequestSchema>,
) {
  const { data } = input;
  return deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, input.id);
    if (!before) throw notFound("Webhook");
    let parameters = {};
    if (data.parameterMapping !== undefined || data.staticParameters !== undefined) {
      const { definition } = await loadVersion(trx, before.job_id);
      if (data.parameterMapping !== undefined)
        checkMapping(definition.parameters, data.parameterMapping, "data.parameterMapping");
      if (data.staticParameters !== undefined) {
        const stored = prepareParameters(deps.vault, definition.parameters, data.staticParameters, {
          owner: before.id,
          field: "data.staticParameters",
          complete: false,
          kept: openSecrets(deps.vault, before.secret_parameters, before.id),
        });
        parameters = {
          static_parameters: JSON.stringify(stored.plain),
          secret_parameters: stored.sealedSecrets,
          secret_parameter_names: stored.secretNames,
        };
      }
    }
    const row = await repo
      .update(trx, input.id, {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.enabled !== undefined ? { enabled: data.enabled } : {}),
        ...(data.parameterMapping !== undefined
          ? { parameter_mapping: JSON.stringify(data.parameterMapping) }
          : {}),
        ...parameters,
      })
      .catch(conflictOnName("data.name"));
    const after = toDto(row);
    await recordAudit(trx, actor, {
      action: "webhook.updated",
      resourceType: "webhook",
      resourceId: input.id,
      before: toDto(before),
      after,
    });
    return after;
  });
}

export async function deleteWebhook(deps: WebhooksDeps, actor: AuditActor, id: string) {
  await deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, id);
    if (!before) throw notFound("Webhook");
    await repo.remove(trx, id);
    await recordAudit(trx, actor, {
      action: "webhook.deleted",
      resourceType: "webhook",
      resourceId: id,
      before: toDto(before),
    });
  });
  return { success: true as const };
}

export async function listDeliveries(
  deps: WebhooksDeps,
  input: z.output<typeof ZListDeliveriesRequestSchema>,
) {
  if (!(await repo.findById(deps.db, input.id))) throw notFound("Webhook");
  const { rows, total } = await repo.listCalls(deps.db, input.id, input.limit, input.offset);
  return {
    items: rows.map((row) => ({
      id: row.id,
      receivedAt: row.received_at.toISOString(),
      status: row.status,
      outcome: row.outcome,
      reason: row.reason,
      runId: row.run_id,
      sourceIp: row.source_ip,
      requestId: row.request_id,
    })),
    total,
  };
}
