import { type AuditActor, recordAudit } from "@opsc/audit";
import type { TScanRunSummary } from "@opsc/contracts/discovery/runs";
import type {
  TScan,
  ZCreateScanRequestSchema,
  ZListScansRequestSchema,
  ZUpdateScanRequestSchema,
} from "@opsc/contracts/discovery/scans";
import { AppError, notFound } from "@opsc/server-kit";
import type { Kysely, Selectable, Transaction } from "kysely";
import type { z } from "zod";
import type { DiscoveryDatabase } from "../database.ts";
import { hasActiveRun, latestByScans } from "../runs/runs.repository.ts";
import { planRanges } from "./plan.ts";
import * as repo from "./scans.repository.ts";
import type { ScansTable } from "./scans.table.ts";
import { firstRunOf, type Schedule } from "./schedule.ts";

export interface ScansDeps {
  db: Kysely<DiscoveryDatabase>;
  maxAddresses: number;
}

type Row = Selectable<ScansTable>;

export function scheduleOf(row: Row): Schedule | null {
  return row.schedule_cron ? { cron: row.schedule_cron, timeZone: row.schedule_time_zone ?? "UTC" } : null;
}

function toDto(row: Row, lastRun: TScanRunSummary | null): TScan {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    ranges: row.ranges,
    ports: row.ports,
    timeoutMs: row.timeout_ms,
    concurrency: row.concurrency,
    reverseDns: row.reverse_dns,
    schedule: scheduleOf(row),
    nextRunAt: row.next_run_at?.toISOString() ?? null,
    addressCount: row.address_count,
    lastRun,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function withLastRuns(
  db: Kysely<DiscoveryDatabase> | Transaction<DiscoveryDatabase>,
  rows: Row[],
): Promise<TScan[]> {
  const latest = await latestByScans(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => {
    const run = latest.get(row.id);
    return toDto(
      row,
      run
        ? {
            id: run.id,
            status: run.status,
            hostsFound: run.hosts_found,
            createdAt: run.created_at.toISOString(),
            finishedAt: run.finished_at?.toISOString() ?? null,
          }
        : null,
    );
  });
}

function conflictOnName(field: string) {
  return (error: unknown): never => {
    if ((error as { constraint?: string }).constraint === "scans_name_key")
      throw new AppError("CONFLICT", { field, message: "A scan with this name already exists" });
    throw error;
  };
}

export async function listScans(deps: ScansDeps, input: z.output<typeof ZListScansRequestSchema>) {
  const { rows, total } = await repo.listPage(deps.db, input);
  return { items: await withLastRuns(deps.db, rows), total };
}

export async function getScan(deps: ScansDeps, id: string) {
  const row = await repo.findById(deps.db, id);
  if (!row) throw notFound("Scan");
  const [scan] = await withLastRuns(deps.db, [row]);
  return scan!;
}

export async function createScan(
  deps: ScansDeps,
  actor: AuditActor,
  input: z.output<typeof ZCreateScanRequestSchema>,
) {
  const nextRunAt = input.schedule ? firstRunOf(input.schedule, "schedule") : null;
  return deps.db.transaction().execute(async (trx) => {
    const plan = await planRanges(trx, input.ranges, "ranges", deps.maxAddresses);
    const row = await repo
      .insert(trx, {
        name: input.name,
        description: input.description,
        ranges: JSON.stringify(plan.ranges),
        ports: JSON.stringify(input.ports),
        timeout_ms: input.timeoutMs,
        concurrency: input.concurrency,
        reverse_dns: input.reverseDns,
        address_count: plan.addressCount,
        schedule_cron: input.schedule?.cron ?? null,
        schedule_time_zone: input.schedule?.timeZone ?? null,
        next_run_at: nextRunAt,
        created_by: actor.actorId,
      })
      .catch(conflictOnName("name"));
    const scan = toDto(row, null);
    await recordAudit(trx, actor, {
      action: "discovery.scan.created",
      resourceType: "discovery_scan",
      resourceId: scan.id,
      after: scan,
    });
    return scan;
  });
}

export async function updateScan(
  deps: ScansDeps,
  actor: AuditActor,
  input: z.output<typeof ZUpdateScanRequestSchema>,
) {
  const { data } = input;
  const nextRunAt = data.schedule ? firstRunOf(data.schedule, "data.schedule") : null;
  return deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, input.id);
    if (!before) throw notFound("Scan");
    const plan = data.ranges ? await planRanges(trx, data.ranges, "data.ranges", deps.maxAddresses) : null;
    const row = await repo
      .update(trx, input.id, {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.description !== undefined ? { description: data.description } : {}),
        ...(plan ? { ranges: JSON.stringify(plan.ranges), address_count: plan.addressCount } : {}),
        ...(data.ports ? { ports: JSON.stringify(data.ports) } : {}),
        ...(data.timeoutMs !== undefined ? { timeout_ms: data.timeoutMs } : {}),
        ...(data.concurrency !== undefined ? { concurrency: data.concurrency } : {}),
        ...(data.reverseDns !== undefined ? { reverse_dns: data.reverseDns } : {}),
        ...(data.schedule !== undefined
          ? {
              schedule_cron: data.schedule?.cron ?? null,
              schedule_time_zone: data.schedule?.timeZone ?? null,
              next_run_at: nextRunAt,
            }
          : {}),
      })
      .catch(conflictOnName("data.name"));
    const [after] = await withLastRuns(trx, [row]);
    const [previous] = await withLastRuns(trx, [before]);
    await recordAudit(trx, actor, {
      action: "discovery.scan.updated",
      resourceType: "discovery_scan",
      resourceId: input.id,
      before: previous,
      after,
    });
    return after!;
  });
}

/** Deletes the scan with its runs and results; refused while a run is queued or running (cancel it first). */
export async function deleteScan(deps: ScansDeps, actor: AuditActor, id: string) {
  await deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, id);
    if (!before) throw notFound("Scan");
    if (await hasActiveRun(trx, id))
      throw new AppError("CONFLICT", { message: "A run of this scan is queued or running; cancel it first" });
    await repo.remove(trx, id);
    await recordAudit(trx, actor, {
      action: "discovery.scan.deleted",
      resourceType: "discovery_scan",
      resourceId: id,
      before: toDto(before, null),
    });
  });
  return { success: true as const };
}
