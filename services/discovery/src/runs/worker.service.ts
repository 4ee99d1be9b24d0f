import { type AuditActor, recordAudit, recordAudits, recordEvent } from "@opsc/audit";
import { DISCOVERY_HOSTS_FOUND, type TDiscoveryHostsFoundPayload } from "@opsc/contracts/discovery/events";
import type { THost } from "@opsc/contracts/discovery/results";
import type { TRunProgress } from "@opsc/contracts/discovery/runs";
import { notFound } from "@opsc/server-kit";
import type { DiscoveryServiceDeps } from "../deps.ts";
import { findTargetsAt, systemCallContext } from "../inventory.ts";
import { listCidrs } from "../ranges/ranges.repository.ts";
import * as results from "../results/results.repository.ts";
import { planRanges } from "../scans/plan.ts";
import * as scans from "../scans/scans.repository.ts";
import { scheduleOf } from "../scans/scans.service.ts";
import { nextRunAfter } from "../scans/schedule.ts";
import * as repo from "./runs.repository.ts";
import { enqueueRuns, insertRun } from "./runs.service.ts";

/** What the system worker calls, over the internal router. */

const SYSTEM: AuditActor = { actorId: null, apiKeyId: null, sourceIp: null, requestId: null, isSystem: true };

/**
 * A running run that has not reported for this long may be taken over by another message (its worker died
 * and the stream redelivered it, or the reaper re-enqueued it). Workers report every few seconds.
 */
export const RUN_STALE_AFTER_MS = 30_000;

/** Hosts named in one `discovery.hosts.found` event; the count is always complete. */
const EVENT_HOSTS_MAX = 1000;

export async function startRun(deps: DiscoveryServiceDeps, input: { runId: string; messageId: string }) {
  return deps.db.transaction().execute(async (trx) => {
    const claimed = await repo.claimForWorker(trx, input.runId, input.messageId, RUN_STALE_AFTER_MS);
    if (!claimed) {
      const row = await repo.lockById(trx, input.runId);
      if (!row) throw notFound("Run");
      const reason = row.cancel_requested
        ? "cancelled"
        : row.status === "running"
          ? "another worker is running it"
          : `the run is ${row.status}`;
      return { proceed: false, status: row.status, reason, spec: null };
    }
    // The allowed ranges as they are now: one removed since the run was requested fails the run here.
    try {
      await planRanges(trx, claimed.ranges, "ranges", deps.maxAddresses);
    } catch (error) {
      const message = `Refused: ${(error as Error).message}`;
      await repo.update(trx, claimed.id, { status: "failed", error: message, finished_at: new Date() });
      return { proceed: false, status: "failed" as const, reason: message, spec: null };
    }
    return {
      proceed: true,
      status: claimed.status,
      reason: null,
      spec: {
        runId: claimed.id,
        ranges: claimed.ranges,
        ports: claimed.ports,
        timeoutMs: claimed.timeout_ms,
        concurrency: claimed.concurrency,
        reverseDns: claimed.reverse_dns,
        allowedRanges: await listCidrs(trx),
        maxAddresses: deps.maxAddresses,
      },
    };
  });
}

/** A batch of hosts and the counters; tells the worker whether to go on. */
export async function reportRun(
  deps: DiscoveryServiceDeps,
  input: { runId: string; messageId: string; hosts: THost[]; progress: TRunProgress },
) {
  return deps.db.transaction().execute(async (trx) => {
    const held = await repo.recordProgress(trx, input.runId, input.messageId, input.progress);
    if (!held) return { accepted: false, cancelRequested: false };
    await results.upsertMany(trx, input.runId, input.hosts);
    return { accepted: true, cancelRequested: held.cancel_requested };
  });
}

/**
 * Ends a run. A completed run's hosts without a target at their address are announced in one
 * `discovery.hosts.found` event, written in the transaction that completes the run.
 */
export async function finishRun(
  deps: DiscoveryServiceDeps,
  input: {
    runId: string;
    messageId: string;
    outcome: "completed" | "failed" | "cancelled";
    error: string | null;
    progress: TRunProgress;
  },
  requestId: string,
) {
  const current = await repo.findById(deps.db, input.runId);
  if (!current) throw notFound("Run");
  // Asked of the targets service before the transaction: no database transaction waits on another service.
  const hosts = input.outcome === "completed" ? await results.listAll(deps.db, input.runId) : [];
  const known = await findTargetsAt(
    deps.inventory,
    systemCallContext(requestId),
    hosts.map((host) => host.address),
  );
  const newHosts = hosts.filter((host) => !known.has(host.address.toLowerCase()));
  return deps.db.transaction().execute(async (trx) => {
    const status = current.cancel_requested && input.outcome !== "failed" ? "cancelled" : input.outcome;
    const finished = await repo.finish(trx, input.runId, input.messageId, {
      status,
      error: input.error,
      progress: input.progress,
    });
    if (!finished) return { status: current.status, newHosts: 0 };
    await recordAudit(trx, SYSTEM, {
      action: `discovery.run.${status}`,
      resourceType: "discovery_run",
      resourceId: input.runId,
      after: { status, error: input.error, progress: input.progress },
    });
    if (status === "completed" && newHosts.length > 0) {
      const payload: TDiscoveryHostsFoundPayload = {
        runId: input.runId,
        scanId: current.scan_id,
        scanName: current.scan_name,
        count: newHosts.length,
        hosts: newHosts.slice(0, EVENT_HOSTS_MAX).map((host) => ({
          address: host.address,
          hostname: host.hostname,
          osHint: host.os_hint,
          ports: host.ports.map((port) => port.port),
        })),
      };
      await recordEvent(trx, { type: DISCOVERY_HOSTS_FOUND, payload });
    }
    return { status, newHosts: status === "completed" ? newHosts.length : 0 };
  });
}

/**
 * Starts the scheduled scans whose slot has come. Each due scan is locked (SKIP LOCKED: concurrent callers take
 * different scans), its next slot is computed from now (missed slots are not replayed), and the slot's run is
 * inserted under a unique (scan, slot) key, all in one transaction: a restart or a second worker never starts
 * a slot twice. A slot is skipped while the scan still has a run queued or running.
 */
export async function startDueScans(deps: DiscoveryServiceDeps, input: { limit: number }) {
  const now = new Date();
  const { started, skipped } = await deps.db.transaction().execute(async (trx) => {
    const due = await scans.lockDue(trx, input.limit);
    const started: { runId: string; scanId: string; scheduledFor: string }[] = [];
    let skipped = 0;
    for (const scan of due) {
      const schedule = scheduleOf(scan);
      const slot = scan.next_run_at!;
      await scans.setNextRunAt(trx, scan.id, schedule ? nextRunAfter(schedule, now) : null);
      if (!schedule || (await repo.hasActiveRun(trx, scan.id))) {
        skipped++;
        continue;
      }
      let addressCount = 0;
      let refusal: string | null = null;
      try {
        addressCount = (await planRanges(trx, scan.ranges, "ranges", deps.maxAddresses)).addressCount;
      } catch (error) {
        refusal = `Refused: ${(error as Error).message}`;
      }
      const run = await insertRun(trx, scan, {
        trigger: "schedule",
        requestedBy: null,
        addressesTotal: addressCount,
        portsCount: scan.ports.length,
        scheduledFor: slot,
      });
      if (!run) {
        skipped++;
        continue;
      }
      // A refused slot is recorded as a failed run, so the scan's history says why nothing was scanned.
      if (refusal)
        await repo.update(trx, run.id, { status: "failed", error: refusal, finished_at: new Date() });
      await recordAudit(trx, SYSTEM, {
        action: refusal ? "discovery.scan.run_refused" : "discovery.scan.run_scheduled",
        resourceType: "discovery_run",
        resourceId: run.id,
        after: { scanId: scan.id, scheduledFor: slot.toISOString(), error: refusal },
      });
      if (!refusal) started.push({ runId: run.id, scanId: scan.id, scheduledFor: slot.toISOString() });
    }
    return { started, skipped };
  });
  // A failed enqueue leaves the run queued and unenqueued: reapStaleRuns enqueues it again.
  await enqueueRuns(
    deps,
    started.map((run) => run.runId),
  ).catch((error) => deps.log.warn({ err: error }, "could not enqueue scheduled discovery runs"));
  return { started, skipped };
}

/** Fails runs whose worker went silent, and enqueues again runs that no worker has started. */
export async function reapStaleRuns(
  deps: DiscoveryServiceDeps,
  input: { heartbeatTimeoutMs: number; requeueAfterMs: number },
) {
  const { failed, requeue } = await deps.db.transaction().execute(async (trx) => {
    const failed = await repo.failSilentRuns(trx, input.heartbeatTimeoutMs);
    await recordAudits(
      trx,
      SYSTEM,
      failed.map((run) => ({
        action: "discovery.run.failed",
        resourceType: "discovery_run",
        resourceId: run.id,
        after: { status: "failed", error: "The worker running this scan stopped reporting" },
      })),
    );
    // Marked in the transaction, so a concurrent reaper does not enqueue the same runs again.
    const requeue = (await repo.lockUnstarted(trx, input.requeueAfterMs, 100)).map((run) => run.id);
    await repo.markEnqueued(trx, requeue);
    return { failed, requeue };
  });
  await enqueueRuns(deps, requeue);
  return { failed: failed.length, requeued: requeue.length };
}
