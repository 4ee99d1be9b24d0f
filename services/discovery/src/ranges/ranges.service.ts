import { type AuditActor, recordAudit } from "@opsc/audit";
import type {
  TAllowedRange,
  ZCreateAllowedRangeRequestSchema,
  ZUpdateAllowedRangeRequestSchema,
} from "@opsc/contracts/discovery/ranges";
import { InvalidCidrError, parseCidr } from "@opsc/scanner";
import { AppError, notFound } from "@opsc/server-kit";
import type { Kysely, Selectable } from "kysely";
import type { z } from "zod";
import type { DiscoveryDatabase } from "../database.ts";
import * as repo from "./ranges.repository.ts";
import type { AllowedRangesTable } from "./ranges.table.ts";

export interface RangesDeps {
  db: Kysely<DiscoveryDatabase>;
}

function toDto(row: Selectable<AllowedRangesTable>): TAllowedRange {
  return {
    id: row.id,
    cidr: row.cidr,
    family: row.family,
    description: row.description,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The canonical block, or a 400 naming `field`. */
function normalized(text: string, field: string) {
  try {
    return parseCidr(text);
  } catch (error) {
    if (error instanceof InvalidCidrError)
      throw new AppError("BAD_REQUEST", { field, message: error.message });
    throw error;
  }
}

function conflictOnCidr(field: string) {
  return (error: unknown): never => {
    if ((error as { constraint?: string }).constraint === "allowed_ranges_cidr_key")
      throw new AppError("CONFLICT", { field, message: "This range is already allowed" });
    throw error;
  };
}

export async function listRanges(deps: RangesDeps) {
  return { items: (await repo.list(deps.db)).map(toDto) };
}

export async function createRange(
  deps: RangesDeps,
  actor: AuditActor,
  input: z.output<typeof ZCreateAllowedRangeRequestSchema>,
) {
  const cidr = normalized(input.cidr, "cidr");
  return deps.db.transaction().execute(async (trx) => {
    const row = await repo
      .insert(trx, {
        cidr: cidr.text,
        family: cidr.family,
        description: input.description,
        created_by: actor.actorId,
      })
      .catch(conflictOnCidr("cidr"));
    const range = toDto(row);
    await recordAudit(trx, actor, {
      action: "discovery.range.created",
      resourceType: "discovery_range",
      resourceId: range.id,
      after: range,
    });
    return range;
  });
}

export async function updateRange(
  deps: RangesDeps,
  actor: AuditActor,
  input: z.output<typeof ZUpdateAllowedRangeRequestSchema>,
) {
  const cidr = input.data.cidr === undefined ? undefined : normalized(input.data.cidr, "data.cidr");
  return deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, input.id);
    if (!before) throw notFound("Allowed range");
    const row = await repo
      .update(trx, input.id, {
        ...(cidr ? { cidr: cidr.text, family: cidr.family } : {}),
        ...(input.data.description !== undefined ? { description: input.data.description } : {}),
      })
      .catch(conflictOnCidr("data.cidr"));
    const after = toDto(row);
    await recordAudit(trx, actor, {
      action: "discovery.range.updated",
      resourceType: "discovery_range",
      resourceId: input.id,
      before: toDto(before),
      after,
    });
    return after;
  });
}

/** Scans outside the remaining ranges are refused when they next run, naming the range. */
export async function deleteRange(deps: RangesDeps, actor: AuditActor, id: string) {
  await deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, id);
    if (!before) throw notFound("Allowed range");
    await repo.remove(trx, id);
    await recordAudit(trx, actor, {
      action: "discovery.range.deleted",
      resourceType: "discovery_range",
      resourceId: id,
      before: toDto(before),
    });
  });
  return { success: true as const };
}
