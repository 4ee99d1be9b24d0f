import { type AuditActor, recordAudit, recordAudits } from "@opsc/audit";
import type {
  TCreateTargetRequest,
  TListTargetsRequest,
  TTags,
  TUpdateTargetRequest,
  ZBulkTargetsRequestSchema,
  ZCreateTargetRequestSchema,
  ZUpdateTargetRequestSchema,
} from "@opsc/contracts/targets/targets";
import { containsPattern } from "@opsc/db/match";
import { AppError, notFound } from "@opsc/server-kit";
import { type Kysely, sql, type Transaction } from "kysely";
import type { z } from "zod";
import * as credentials from "../credentials/credentials.repository.ts";
import type { TargetsDatabase } from "../database.ts";
import { parseSelector, selectorCondition } from "../selector/selector.ts";
import { defaultPort, type TargetRow, toTargetDto } from "./targets.dto.ts";
import * as repo from "./targets.repository.ts";

export interface TargetsDeps {
  db: Kysely<TargetsDatabase>;
}

type CreateInput = z.output<typeof ZCreateTargetRequestSchema>;
type UpdateData = z.output<typeof ZUpdateTargetRequestSchema>["data"];

/** Which credential kinds fit which slot of which target kind. */
const CREDENTIAL_SLOTS = {
  ssh: { credentialId: ["ssh_key", "ssh_password"], sudoCredentialId: ["sudo_password"] },
  http: { credentialId: ["http_bearer", "http_basic", "http_header"], sudoCredentialId: [] as string[] },
} as const;

async function assertCredentials(
  db: Kysely<TargetsDatabase> | Transaction<TargetsDatabase>,
  kind: "ssh" | "http",
  slots: { credentialId: string | null; sudoCredentialId: string | null },
) {
  for (const slot of ["credentialId", "sudoCredentialId"] as const) {
    const id = slots[slot];
    if (!id) continue;
    const row = await credentials.findById(db, id);
    if (!row) throw new AppError("BAD_REQUEST", { field: slot, message: "No such credential" });
    const allowed = CREDENTIAL_SLOTS[kind][slot] as readonly string[];
    if (!allowed.includes(row.kind)) {
      throw new AppError("BAD_REQUEST", {
        field: slot,
        message: allowed.length
          ? `A ${kind} target takes a ${allowed.join(" or ")} credential here, not ${row.kind}`
          : `A ${kind} target has no ${slot}`,
      });
    }
  }
}

function conflictOnName(error: unknown): never {
  if ((error as { code?: string; constraint?: string }).constraint === "targets_name_key") {
    throw new AppError("CONFLICT", { field: "name", message: "A target with this name already exists" });
  }
  throw error;
}

function toRow(input: CreateInput, ownerId: string | null) {
  return {
    name: input.name,
    address: input.address,
    port: input.port ?? defaultPort(input.kind, input.http?.scheme),
    kind: input.kind,
    tags: input.tags,
    description: input.description,
    enabled: input.enabled,
    maintenance: input.maintenance,
    owner_id: ownerId,
    credential_id: input.credentialId,
    sudo_credential_id: input.sudoCredentialId,
    http_options:
      input.kind === "http"
        ? (input.http ?? { scheme: "https" as const, path: "/", insecureTls: false })
        : null,
    health_interval_seconds: input.healthIntervalSeconds,
    health_latency_ms: null,
    health_error: null,
    health_checked_at: null,
    health_changed_at: null,
    health_claimed_until: null,
    host_key_algorithm: null,
    host_key_fingerprint: null,
    host_key_pinned_at: null,
  };
}

export async function createTarget(deps: TargetsDeps, actor: AuditActor, input: CreateInput) {
  return deps.db.transaction().execute(async (trx) => {
    await assertCredentials(trx, input.kind, input);
    const [row] = await repo.insert(trx, [toRow(input, actor.actorId)]).catch(conflictOnName);
    const target = toTargetDto(row!);
    await recordAudit(trx, actor, {
      action: "target.created",
      resourceType: "target",
      resourceId: target.id,
      after: target,
    });
    return target;
  });
}

/** Many targets at once (discovery imports), in one transaction: all are created, or none. */
export async function createTargets(
  deps: TargetsDeps,
  actor: AuditActor,
  inputs: CreateInput[],
  action = "target.created",
) {
  return deps.db.transaction().execute(async (trx) => {
    for (const input of inputs) await assertCredentials(trx, input.kind, input);
    const rows = await repo
      .insert(
        trx,
        inputs.map((input) => toRow(input, actor.actorId)),
      )
      .catch(conflictOnName);
    const created = rows.map(toTargetDto);
    await recordAudits(
      trx,
      actor,
      created.map((target) => ({ action, resourceType: "target", resourceId: target.id, after: target })),
    );
    return created;
  });
}

export async function getTarget(deps: TargetsDeps, id: string) {
  const row = await repo.findById(deps.db, id);
  if (!row) throw notFound("Target");
  return toTargetDto(row);
}

/** A changed address or kind means another machine: its pinned host key no longer applies. */
function hostKeyReset(before: TargetRow, data: UpdateData) {
  const moved =
    (data.address && data.address.toLowerCase() !== before.address.toLowerCase()) ||
    (data.port && data.port !== before.port);
  return moved ? { host_key_algorithm: null, host_key_fingerprint: null, host_key_pinned_at: null } : {};
}

export async function updateTarget(
  deps: TargetsDeps,
  actor: AuditActor,
  input: { id: string; data: UpdateData },
) {
  return deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, input.id);
    if (!before) throw notFound("Target");
    const { data } = input;
    const kind = data.kind ?? before.kind;
    const slots = {
      credentialId: data.credentialId === undefined ? before.credential_id : data.credentialId,
      sudoCredentialId:
        data.sudoCredentialId === undefined ? before.sudo_credential_id : data.sudoCredentialId,
    };
    await assertCredentials(trx, kind, slots);
    const http =
      kind === "http"
        ? (data.http ?? before.http_options ?? { scheme: "https" as const, path: "/", insecureTls: false })
        : null;
    const row = await repo
      .update(trx, input.id, {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.address !== undefined ? { address: data.address } : {}),
        ...(data.port !== undefined
          ? { port: data.port }
          : data.kind && data.kind !== before.kind
            ? { port: defaultPort(kind, http?.scheme) }
            : {}),
        ...(data.kind !== undefined ? { kind: data.kind } : {}),
        ...(data.tags !== undefined ? { tags: data.tags } : {}),
        ...(data.description !== undefined ? { description: data.description } : {}),
        ...(data.enabled !== undefined ? { enabled: data.enabled } : {}),
        ...(data.maintenance !== undefined ? { maintenance: data.maintenance } : {}),
        ...(data.healthIntervalSeconds !== undefined
          ? { health_interval_seconds: data.healthIntervalSeconds }
          : {}),
        credential_id: slots.credentialId,
        sudo_credential_id: slots.sudoCredentialId,
        http_options: http,
        ...hostKeyReset(before, data),
      })
      .catch(conflictOnName);
    const after = toTargetDto(row);
    await recordAudit(trx, actor, {
      action: "target.updated",
      resourceType: "target",
      resourceId: input.id,
      before: toTargetDto(before),
      after,
    });
    return after;
  });
}

export async function deleteTarget(deps: TargetsDeps, actor: AuditActor, id: string) {
  await deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, id);
    if (!before) throw notFound("Target");
    await repo.deleteWhere(trx, (eb) => eb("targets.id", "=", id));
    await recordAudit(trx, actor, {
      action: "target.deleted",
      resourceType: "target",
      resourceId: id,
      before: toTargetDto(before),
    });
  });
  return { success: true as const };
}

interface Cursor {
  name: string;
  id: string;
}
const encodeCursor = (row: TargetRow) =>
  Buffer.from(JSON.stringify({ name: row.name, id: row.id })).toString("base64url");
function decodeCursor(cursor: string | undefined): Cursor | null {
  if (!cursor) return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Cursor;
    if (typeof value.name === "string" && typeof value.id === "string") return value;
  } catch {}
  throw new AppError("BAD_REQUEST", { field: "cursor", message: "Not a cursor from a previous page" });
}

type ListInput = Omit<
  z.output<typeof import("@opsc/contracts/targets/targets").ZListTargetsRequestSchema>,
  never
>;

/** Every filter of the list as one condition, so the page and the total agree. */
export function listCondition(
  input: Pick<ListInput, "search" | "kind" | "health" | "tag" | "selector" | "enabled">,
): repo.TargetCondition {
  const terms = input.selector ? parseSelector(input.selector) : [];
  const bySelector = selectorCondition(terms);
  const tags: TTags = {};
  for (const filter of input.tag) {
    const separator = filter.indexOf("=");
    tags[filter.slice(0, separator)] = filter.slice(separator + 1);
  }
  return (eb) => {
    const conditions = [bySelector(eb)];
    if (input.search) {
      const pattern = containsPattern(input.search.toLowerCase());
      conditions.push(
        eb.or([
          eb(sql`lower(targets.name)`, "like", pattern),
          eb(sql`lower(targets.address)`, "like", pattern),
        ]),
      );
    }
    if (input.kind) conditions.push(eb("targets.kind", "=", input.kind));
    if (input.health) conditions.push(eb("targets.health_status", "=", input.health));
    if (input.enabled) conditions.push(eb("targets.enabled", "=", input.enabled === "true"));
    if (Object.keys(tags).length)
      conditions.push(sql<boolean>`targets.tags @> ${JSON.stringify(tags)}::jsonb`);
    return eb.and(conditions);
  };
}

export async function listTargets(deps: TargetsDeps, input: ListInput) {
  const where = listCondition(input);
  const [rows, total] = await Promise.all([
    repo.listPage(deps.db, where, input.limit, decodeCursor(input.cursor)),
    repo.count(deps.db, where),
  ]);
  const page = rows.slice(0, input.limit);
  return {
    items: page.map(toTargetDto),
    nextCursor: rows.length > input.limit ? encodeCursor(page.at(-1)!) : null,
    total,
  };
}

export async function previewSelector(deps: TargetsDeps, input: { selector: string; limit: number }) {
  const where = selectorCondition(parseSelector(input.selector));
  const [rows, count] = await Promise.all([
    input.limit ? repo.listMatching(deps.db, where, input.limit) : [],
    repo.count(deps.db, where),
  ]);
  return {
    count,
    items: rows.map((row) => ({
      id: row.id,
      name: row.name,
      address: row.address,
      kind: row.kind,
      health: row.health_status,
    })),
  };
}

type BulkInput = z.output<typeof ZBulkTargetsRequestSchema>;

/** One change applied to many targets in one transaction, one audit record per target. */
export async function bulkTargets(deps: TargetsDeps, actor: AuditActor, input: BulkInput) {
  if (!input.ids === !input.selector)
    throw new AppError("BAD_REQUEST", { field: "ids", message: "Give either ids or a selector" });
  const bySelector = input.selector ? selectorCondition(parseSelector(input.selector)) : null;
  const where: repo.TargetCondition = (eb) =>
    bySelector ? bySelector(eb) : eb("targets.id", "in", input.ids!);
  if ((input.action === "tag" || input.action === "untag") && !input.tags) {
    throw new AppError("BAD_REQUEST", { field: "tags", message: `tags are required for ${input.action}` });
  }
  return deps.db.transaction().execute(async (trx) => {
    let affected: { id: string; name: string }[];
    switch (input.action) {
      case "delete":
        affected = await repo.deleteWhere(trx, where);
        break;
      case "tag":
        affected = await repo.mergeTagsWhere(trx, where, input.tags!);
        break;
      case "untag":
        affected = await repo.removeTagsWhere(trx, where, Object.keys(input.tags!));
        break;
      case "set_health_interval":
        affected = await repo.updateWhere(trx, where, {
          health_interval_seconds: input.healthIntervalSeconds ?? null,
        });
        break;
      default: {
        const [column, value] = {
          enable: ["enabled", true],
          disable: ["enabled", false],
          maintenance_on: ["maintenance", true],
          maintenance_off: ["maintenance", false],
        }[input.action] as ["enabled" | "maintenance", boolean];
        affected = await repo.updateWhere(trx, where, { [column]: value });
      }
    }
    await recordAudits(
      trx,
      actor,
      affected.map((target) => ({
        action: input.action === "delete" ? "target.deleted" : `target.bulk_${input.action}`,
        resourceType: "target",
        resourceId: target.id,
        after:
          input.action === "delete"
            ? undefined
            : { name: target.name, tags: input.tags, healthIntervalSeconds: input.healthIntervalSeconds },
        before: input.action === "delete" ? { name: target.name } : undefined,
      })),
    );
    return { affected: affected.length };
  });
}

export type {
  CreateInput as TargetCreateInput,
  TCreateTargetRequest,
  TListTargetsRequest,
  TUpdateTargetRequest,
};
export { assertCredentials, conflictOnName, toRow as targetRowFromInput };
