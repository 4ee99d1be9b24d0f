import { type AuditActor, recordAudit } from "@opsc/audit";
import type { ZListRunsRequestSchema } from "@opsc/contracts/discovery/runs";
import type { Logger } from "@opsc/logger";
import { AppError, notFound } from "@opsc/server-kit";
import type { Producer } from "@opsc/streams";
import type { Kysely, Selectable, Transaction, Updateable } from "kysely";
import type { z } from "zod";
import type { DiscoveryDatabase } from "../database.ts";
import { planRanges } from "../scans/plan.ts";
import * as scans from "../scans/scans.repository.ts";
import type { ScansTable } from "../scans/scans.table.ts";
import { toRunDto } from "./runs.dto.ts";
import * as repo from "./runs.repository.ts";
import type { ScanRunsTable } from "./runs.table.ts";
import type { DiscoveryJobCatalog } from "./scan-job.ts";

export interface RunsDeps {
  db: Kysely<DiscoveryDatabase>;
  log: Logger;
  producer: Producer<DiscoveryJobCatalog>;
  maxAddresses: number;
}

/** A run of the scan as it is defined now; the caller enqueues it after the transaction commits. */
export async function insertRun(
  trx: Transaction<DiscoveryDatabase>,
  scan: Pick<
    Selectable<ScansTable>,
    "id" | "ranges" | "ports" | "timeout_ms" | "concurrency" | "reverse_dns"
  >,
  run: {
    trigger: "manual" | "schedule";
    requestedBy: string | null;
    addressesTotal: number;
    portsCount: number;
    scheduledFor?: Date;
  },
) {
  const row = {
    scan_id: scan.id,
    status: "queued" as const,
    trigger: run.trigger,
    ranges: JSON.stringify(scan.ranges),
    ports: JSON.stringify(scan.ports),
    timeout_ms: scan.timeout_ms,
    concurrency: scan.concurrency,
    reverse_dns: scan.reverse_dns,
    addresses_total: run.addressesTotal,
    probes_total: run.addressesTotal * run.portsCount,
    error: null,
    requested_by: run.requestedBy,
    scheduled_for: run.scheduledFor ?? null,
    enqueued_at: null,
    worker_message_id: null,
    heartbeat_at: null,
    started_at: null,
    finished_at: null,
  };
  return run.scheduledFor ? repo.insertForSlot(trx, row) : repo.insert(trx, row);
}

/** Hands runs to the system worker: one `discovery.scan` message each. */
export async function enqueueRuns(deps: Pick<RunsDeps, "db" | "producer">, runIds: string[]) {
  if (runIds.length === 0) return;
  await deps.producer.enqueueMany(
    "discovery.scan",
    runIds.map((runId) => ({ runId })),
  );
  await repo.markEnqueued(deps.db, runIds);
}

/**
 * Starts a scan now: checks its ranges against the allowed ranges as they are now (an admin may have removed
 * one since the scan was defined), records a queued run and enqueues it.
 */
export async function requestRun(deps: RunsDeps, actor: AuditActor, scanId: string) {
  const { row, scanName } = await deps.db.transaction().execute(async (trx) => {
    const scan = await scans.lockById(trx, scanId);
    if (!scan) throw notFound("Scan");
    if (await repo.hasActiveRun(trx, scanId))
      throw new AppError("CONFLICT", { message: "A run of this scan is already queued or running" });
    const plan = await planRanges(trx, scan.ranges, "ranges", deps.maxAddresses);
    const inserted = (await insertRun(trx, scan, {
      trigger: "manual",
      requestedBy: actor.actorId,
      addressesTotal: plan.addressCount,
      portsCount: scan.ports.length,
    }))!;
    await recordAudit(trx, actor, {
      action: "discovery.scan.run_requested",
      resourceType: "discovery_run",
      resourceId: inserted.id,
      after: toRunDto(inserted, scan.name),
    });
    return { row: inserted, scanName: scan.name };
  });
  try {
    await enqueueRuns(deps, [row.id]);
  } catch (error) {
    // Nothing will pick the run up; say so instead of leaving it queued until the reaper re-enqueues it.
    await repo.update(deps.db, row.id, {
      status: "failed",
      error: "Could not be queued for a worker",
      finished_at: new Date(),
    });
    throw new AppError("SERVICE_UNAVAILABLE", {
      message: "The work queue is unavailable; try again",
      cause: error,
    });
  }
  return toRunDto((await repo.findById(deps.db, row.id)) ?? row, scanName);
}

export async function listRuns(deps: Pick<RunsDeps, "db">, input: z.output<typeof ZListRunsRequestSchema>) {
  const { rows, total } = await repo.listPage(deps.db, input);
  return { items: rows.map((row) => toRunDto(row, row.scan_name)), total };
}

export async function getRun(deps: Pick<RunsDeps, "db">, id: string) {
  const row = await repo.findById(deps.db, id);
  if (!row) throw notFound("Run");
  return toRunDto(row, row.scan_name);
}

/** A queued run is cancelled at once; a running one when its worker next reports (within seconds). */
export async function cancelRun(deps: Pick<RunsDeps, "db">, actor: AuditActor, id: string) {
  await deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, id);
    if (!before) throw notFound("Run");
    if (before.status !== "queued" && before.status !== "running")
      throw new AppError("CONFLICT", { message: `The run is already ${before.status}` });
    const changes: Updateable<ScanRunsTable> =
      before.status === "queued"
        ? { status: "cancelled", cancel_requested: true, finished_at: new Date() }
        : { cancel_requested: true };
    await repo.update(trx, id, changes);
    await recordAudit(trx, actor, {
      action: before.status === "queued" ? "discovery.run.cancelled" : "discovery.run.cancel_requested",
      resourceType: "discovery_run",
      resourceId: id,
      before: { status: before.status },
      after: { status: changes.status ?? before.status, cancelRequested: true },
    });
  });
  return getRun(deps, id);
}
