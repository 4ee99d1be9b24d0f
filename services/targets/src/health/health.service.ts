import { recordEvents } from "@opsc/audit";
import type { THealthCheckTarget, THealthResult } from "@opsc/contracts/targets/health";
import { notFound } from "@opsc/server-kit";
import { type Kysely, sql } from "kysely";
import type { TargetsDatabase } from "../database.ts";
import { auditFirstUsePins, toConnectionTarget } from "../targets/connection-target.ts";
import type { TargetsTable } from "../targets/targets.table.ts";

export interface HealthDeps {
  db: Kysely<TargetsDatabase>;
  defaultIntervalSeconds: number;
}

/**
 * Claims the targets whose check is due, oldest first, for `leaseMs`: a claimed target is not handed out again
 * until its result arrives or the lease runs out (a worker died), so concurrent sweeps never check it twice.
 */
export async function claimDue(
  deps: HealthDeps,
  input: { limit: number; leaseMs: number },
): Promise<THealthCheckTarget[]> {
  const rows = await sql<
    TargetsTable & {
      id: string;
      credential_kind: string | null;
      credential_username: string | null;
      credential_header: string | null;
      credential_sealed: string | null;
    }
  >`
    with due as (
      select id from targets
      where enabled and not maintenance
        and (health_claimed_until is null or health_claimed_until < now())
        and (health_checked_at is null
             or health_checked_at + make_interval(secs => coalesce(health_interval_seconds, ${deps.defaultIntervalSeconds})) <= now())
      order by health_checked_at nulls first
      limit ${input.limit}
      for update skip locked
    ), claimed as (
      update targets t set health_claimed_until = now() + make_interval(secs => ${input.leaseMs / 1000})
      from due where t.id = due.id
      returning t.*
    )
    select claimed.*, c.kind as credential_kind, c.username as credential_username, c.header_name as credential_header,
           c.secret_sealed as credential_sealed
    from claimed left join credentials c on c.id = claimed.credential_id
  `.execute(deps.db);
  return rows.rows.map(toConnectionTarget);
}

interface Changed {
  id: string;
  name: string;
  old_status: string;
  status: string;
  error: string | null;
  latency_ms: number | null;
  checked_at: Date;
}

/**
 * Stores a batch of check results: history rows, the current status, first-use host key pins, and a
 * `target.health.changed` event for each target whose status changed; all in one transaction.
 */
export async function recordResults(deps: HealthDeps, results: THealthResult[]) {
  if (results.length === 0) return { recorded: 0, changed: 0 };
  const batch = JSON.stringify(
    results.map((result) => ({
      target_id: result.targetId,
      status: result.status,
      latency_ms: result.latencyMs === null ? null : Math.round(result.latencyMs),
      error: result.error,
      checked_at: result.checkedAt,
      host_key_algorithm: result.observedHostKey?.algorithm ?? null,
      host_key_fingerprint: result.observedHostKey?.fingerprintSha256 ?? null,
    })),
  );
  return deps.db.transaction().execute(async (trx) => {
    const recordset = sql`jsonb_to_recordset(${batch}::jsonb) as r(target_id uuid, status text, latency_ms int, error text, checked_at timestamptz, host_key_algorithm text, host_key_fingerprint text)`;
    // Results for targets deleted meanwhile are dropped by the joins.
    await sql`
      insert into health_checks (target_id, status, latency_ms, error, checked_at)
      select r.target_id, r.status, r.latency_ms, r.error, r.checked_at from ${recordset} join targets t on t.id = r.target_id
    `.execute(trx);
    const changed = await sql<Changed>`
      with r as (select * from ${recordset}),
      old as (select t.id, t.health_status as old_status from targets t join r on r.target_id = t.id for update of t)
      update targets t set
        health_status = r.status,
        health_latency_ms = r.latency_ms,
        health_error = r.error,
        health_checked_at = r.checked_at,
        health_claimed_until = null,
        health_changed_at = case when old.old_status <> r.status then r.checked_at else t.health_changed_at end
      from r join old on old.id = r.target_id
      where t.id = r.target_id
      returning t.id, t.name, old.old_status, r.status, r.error, r.latency_ms, r.checked_at
    `.execute(trx);
    const pinned = await sql<{
      id: string;
      name: string;
      host_key_algorithm: string;
      host_key_fingerprint: string;
    }>`
      update targets t set host_key_algorithm = r.host_key_algorithm, host_key_fingerprint = r.host_key_fingerprint, host_key_pinned_at = now()
      from ${recordset}
      where t.id = r.target_id and t.host_key_fingerprint is null and r.host_key_fingerprint is not null
      returning t.id, t.name, t.host_key_algorithm, t.host_key_fingerprint
    `.execute(trx);
    // A host that presents another key than the pinned one was refused by the worker; say so loudly.
    const mismatched = await sql<{ id: string; name: string; expected: string; observed: string }>`
      select t.id, t.name, t.host_key_fingerprint as expected, r.host_key_fingerprint as observed
      from ${recordset} join targets t on t.id = r.target_id
      where r.host_key_fingerprint is not null and t.host_key_fingerprint is not null and t.host_key_fingerprint <> r.host_key_fingerprint
    `.execute(trx);
    const transitions = changed.rows.filter((row) => row.old_status !== row.status);
    await recordEvents(trx, [
      ...mismatched.rows.map((row) => ({
        type: "target.host_key.mismatch",
        payload: { targetId: row.id, name: row.name, expected: row.expected, observed: row.observed },
      })),
      ...transitions.map((row) => ({
        type: "target.health.changed",
        payload: {
          targetId: row.id,
          name: row.name,
          from: row.old_status,
          to: row.status,
          error: row.error,
          latencyMs: row.latency_ms,
          checkedAt: new Date(row.checked_at).toISOString(),
        },
      })),
    ]);
    await auditFirstUsePins(trx, pinned.rows, "health check, first use");
    return { recorded: results.length, changed: transitions.length };
  });
}

export async function healthHistory(deps: Pick<HealthDeps, "db">, input: { id: string; limit: number }) {
  const target = await deps.db
    .selectFrom("targets")
    .select("id")
    .where("id", "=", input.id)
    .executeTakeFirst();
  if (!target) throw notFound("Target");
  const rows = await deps.db
    .selectFrom("health_checks")
    .select(["status", "latency_ms", "error", "checked_at"])
    .where("target_id", "=", input.id)
    .orderBy("checked_at", "desc")
    .limit(input.limit)
    .execute();
  return {
    items: rows.map((row) => ({
      status: row.status,
      latencyMs: row.latency_ms,
      error: row.error,
      checkedAt: row.checked_at.toISOString(),
    })),
  };
}
