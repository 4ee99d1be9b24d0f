import type { THost } from "@opsc/contracts/discovery/results";
import { type Kysely, sql, type Transaction } from "kysely";
import type { DiscoveryDatabase } from "../database.ts";

type Db = Kysely<DiscoveryDatabase> | Transaction<DiscoveryDatabase>;

/** PostgreSQL takes at most 65,535 parameters per statement; a result row has 5. */
const INSERT_CHUNK = 2000;

/** Inserts or refreshes hosts of a run: a retried report, or a run restarted after a worker died, never duplicates. */
export async function upsertMany(trx: Transaction<DiscoveryDatabase>, runId: string, hosts: THost[]) {
  for (let start = 0; start < hosts.length; start += INSERT_CHUNK) {
    await trx
      .insertInto("scan_results")
      .values(
        hosts.slice(start, start + INSERT_CHUNK).map((host) => ({
          run_id: runId,
          address: host.address,
          hostname: host.hostname,
          os_hint: host.osHint,
          ports: JSON.stringify(host.ports),
        })),
      )
      .onConflict((oc) =>
        oc.columns(["run_id", "address"]).doUpdateSet((eb) => ({
          hostname: eb.ref("excluded.hostname"),
          os_hint: eb.ref("excluded.os_hint"),
          ports: eb.ref("excluded.ports"),
          seen_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }
}

export async function listPage(db: Db, runId: string, limit: number, offset: number) {
  const [rows, total] = await Promise.all([
    db
      .selectFrom("scan_results")
      .selectAll()
      .where("run_id", "=", runId)
      .orderBy("address")
      .limit(limit)
      .offset(offset)
      .execute(),
    db
      .selectFrom("scan_results")
      .select((eb) => eb.fn.countAll<number>().as("total"))
      .where("run_id", "=", runId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.total) };
}

/** Every host of a run, in address order (at most one per scanned address: 65,536). */
export async function listAll(db: Db, runId: string) {
  return db.selectFrom("scan_results").selectAll().where("run_id", "=", runId).orderBy("address").execute();
}

export async function findByAddresses(db: Db, runId: string, addresses: string[]) {
  if (addresses.length === 0) return [];
  return db
    .selectFrom("scan_results")
    .selectAll()
    .where("run_id", "=", runId)
    .where(sql<boolean>`address = any(${addresses}::inet[])`)
    .execute();
}

export async function markImported(
  trx: Transaction<DiscoveryDatabase>,
  runId: string,
  imported: { address: string; targetId: string }[],
) {
  for (const { address, targetId } of imported) {
    await trx
      .updateTable("scan_results")
      .set({ imported_target_id: targetId })
      .where("run_id", "=", runId)
      .where(sql<boolean>`address = ${address}::inet`)
      .execute();
  }
}
