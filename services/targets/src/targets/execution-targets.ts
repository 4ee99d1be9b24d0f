import { recordEvents } from "@opsc/audit";
import type { TExecutionTarget } from "@opsc/contracts/execution/actions";
import { AppError } from "@opsc/server-kit";
import { type Kysely, sql } from "kysely";
import type { TargetsDatabase } from "../database.ts";
import { parseSelector, selectorCondition } from "../selector/selector.ts";
import { auditFirstUsePins, toConnectionTarget } from "./connection-target.ts";

/** The most targets one run may have. */
export const MAX_RUN_TARGETS = 50_000;

/**
 * The targets a run will execute on, with what a worker needs to connect: address, HTTP options, the pinned host
 * key and the credentials, still sealed. Enabled targets outside maintenance only; ordered by name. An id that does
 * not exist (or is disabled) is reported, so that a run never silently skips a target that was asked for.
 */
export async function resolveExecutionTargets(
  db: Kysely<TargetsDatabase>,
  input: { selector?: string | undefined; ids?: string[] | undefined },
): Promise<{ items: TExecutionTarget[]; missing: string[]; excluded: number }> {
  let query = db
    .selectFrom("targets")
    .leftJoin("credentials as c", "c.id", "targets.credential_id")
    .leftJoin("credentials as s", "s.id", "targets.sudo_credential_id")
    .select([
      "targets.id",
      "targets.name",
      "targets.address",
      "targets.port",
      "targets.kind",
      "targets.http_options",
      "targets.host_key_algorithm",
      "targets.host_key_fingerprint",
      "targets.enabled",
      "targets.maintenance",
      "targets.credential_id",
      "c.kind as credential_kind",
      "c.username as credential_username",
      "c.header_name as credential_header",
      "c.secret_sealed as credential_sealed",
      "s.id as s_id",
      "s.kind as s_kind",
      "s.secret_sealed as s_sealed",
    ]);
  if (input.selector !== undefined) {
    const where = selectorCondition(parseSelector(input.selector));
    query = query.where((eb) => where(eb as never));
  } else {
    query = query.where("targets.id", "in", input.ids ?? []);
  }
  const rows = await query
    .orderBy(sql`lower(targets.name)`)
    .limit(MAX_RUN_TARGETS + 1)
    .execute();
  if (rows.length > MAX_RUN_TARGETS)
    throw new AppError("BAD_REQUEST", {
      field: "targets",
      message: `A run may have at most ${MAX_RUN_TARGETS} targets`,
    });
  const usable = rows.filter((row) => row.enabled && !row.maintenance);
  const found = new Set(rows.map((row) => row.id));
  return {
    items: usable.map((row) => ({
      ...toConnectionTarget(row),
      name: row.name,
      sudoCredential:
        row.s_id && row.s_sealed
          ? { id: row.s_id, kind: row.s_kind ?? "", username: null, headerName: null, sealed: row.s_sealed }
          : null,
    })),
    missing: (input.ids ?? []).filter((id) => !found.has(id)),
    excluded: rows.length - usable.length,
  };
}

/**
 * Pins the host keys tasks observed on targets that had none pinned yet (first use), audited as the system. A key
 * that differs from the pinned one was refused by the worker before login; it raises `target.host_key.mismatch`.
 */
export async function pinObservedHostKeys(
  db: Kysely<TargetsDatabase>,
  observed: { targetId: string; algorithm: string; fingerprintSha256: string }[],
): Promise<{ pinned: number }> {
  if (observed.length === 0) return { pinned: 0 };
  const batch = JSON.stringify(
    observed.map((key) => ({
      target_id: key.targetId,
      algorithm: key.algorithm,
      fingerprint: key.fingerprintSha256,
    })),
  );
  return db.transaction().execute(async (trx) => {
    const recordset = sql`jsonb_to_recordset(${batch}::jsonb) as r(target_id uuid, algorithm text, fingerprint text)`;
    const pinned = await sql<{ id: string; host_key_algorithm: string; host_key_fingerprint: string }>`
      update targets t set host_key_algorithm = r.algorithm, host_key_fingerprint = r.fingerprint, host_key_pinned_at = now()
      from (select distinct on (target_id) * from ${recordset}) r
      where t.id = r.target_id and t.host_key_fingerprint is null
      returning t.id, t.host_key_algorithm, t.host_key_fingerprint
    `.execute(trx);
    const mismatched = await sql<{ id: string; name: string; expected: string; observed: string }>`
      select distinct t.id, t.name, t.host_key_fingerprint as expected, r.fingerprint as observed
      from ${recordset} join targets t on t.id = r.target_id
      where t.host_key_fingerprint <> r.fingerprint
    `.execute(trx);
    await recordEvents(
      trx,
      mismatched.rows.map((row) => ({
        type: "target.host_key.mismatch",
        payload: { targetId: row.id, name: row.name, expected: row.expected, observed: row.observed },
      })),
    );
    await auditFirstUsePins(trx, pinned.rows, "execution, first use");
    return { pinned: pinned.rows.length };
  });
}
