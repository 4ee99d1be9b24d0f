/**
 * Retention: records past the retention period move to the object store, oldest first, and the chain still verifies
 * across the boundary (the first record kept follows the last archive's hash), with or without reading the archives.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { archiveExpiredRecords } from "@opsc/audit-service/records/retention.service";
import { verifyChain } from "@opsc/audit-service/records/verify.service";
import { streamKey } from "@opsc/contracts";
import { sql } from "kysely";
import { startSystem, type TestSystem } from "../support/system.ts";

let system: TestSystem;

async function settle(): Promise<number> {
  for (const relay of system.relays) await relay.drain();
  const entries = await system.redis.redis.xrange(streamKey(system.redis.prefix, "events"), "-", "+");
  const expected = entries.filter(
    ([, fields]) => fields[fields.indexOf("type") + 1] === "audit.recorded",
  ).length;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const head = await system.auditDb.selectFrom("chain_head").select("seq").executeTakeFirstOrThrow();
    if (Number(head.seq) >= expected) return Number(head.seq);
    if (Date.now() > deadline) throw new Error(`stored ${head.seq} of ${expected} audit records`);
    await Bun.sleep(50);
  }
}

beforeAll(async () => {
  system = await startSystem();
  for (let index = 0; index < 6; index++)
    await system.admin.client.targets.create.mutate({
      name: `old-${index}`,
      address: "127.0.0.1",
      port: 9,
      kind: "http",
    });
  await settle();
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

test("old records are archived and the chain verifies across the archive boundary", async () => {
  const total = await settle();
  // The first records were stored 40 days ago; the rest are recent.
  const oldCount = total - 3;
  await sql`update audit.records set stored_at = now() - interval '40 days' where seq <= ${oldCount}`.execute(
    system.auditDb,
  );
  const deps = { db: system.auditDb, objectStore: system.objectStore, log: system.auditDeps.log };
  expect(await archiveExpiredRecords(deps, { retentionDays: 30 })).toBe(oldCount);
  expect(await archiveExpiredRecords(deps, { retentionDays: 30 })).toBe(0);

  const kept = await system.auditDb
    .selectFrom("records")
    .select(["seq", "prev_hash"])
    .orderBy("seq")
    .execute();
  expect(kept.map((row) => Number(row.seq))).toEqual([oldCount + 1, oldCount + 2, oldCount + 3]);
  const [archive] = await system.auditDb.selectFrom("archives").selectAll().execute();
  expect(kept[0]!.prev_hash).toBe(archive!.last_hash);

  // Without the object store only the boundary is checked; with it every archived record is hashed again.
  expect(await verifyChain({ db: system.auditDb }, { maxProblems: 10 })).toMatchObject({
    intact: true,
    records: total,
    archived: oldCount,
  });
  expect(await verifyChain(deps, { maxProblems: 10 })).toMatchObject({ intact: true, records: total });
  expect((await system.admin.client.audit.verify.query({})).message).toBe(`intact, ${total} records`);

  // An archive changed in the object store is named.
  const object = await system.objectStore.get(archive!.object_key);
  const text = await new Response(object!.body).text();
  await system.objectStore.put(archive!.object_key, text.replace('"target.created"', '"target.deleted"'));
  const tampered = await verifyChain(deps, { maxProblems: 10 });
  expect(tampered.intact).toBe(false);
  expect(tampered.firstBreakSeq).toBe(1);

  // A kept record re-linked to something else than the archive is named too.
  await sql`update audit.records set prev_hash = ${"f".repeat(64)} where seq = ${oldCount + 1}`.execute(
    system.auditDb,
  );
  const relinked = await verifyChain({ db: system.auditDb }, { maxProblems: 10 });
  expect(relinked.problems.map(({ seq, kind }) => ({ seq, kind }))).toEqual([
    { seq: oldCount + 1, kind: "link_broken" },
    { seq: oldCount + 1, kind: "content_changed" },
  ]);
});
