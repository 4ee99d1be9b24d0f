/**
 * The audit service: its consumer stores every audit record the relays publish (and nothing else from the events
 * stream), once; the records form a hash chain that verification checks (and that catches rows edited or deleted
 * directly in PostgreSQL); they are queryable with filters and keyset paging, and exported as CSV and JSON Lines.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { recordEvent } from "@opsc/audit";
import { appendRecords } from "@opsc/audit-service/records/append.service";
import { streamKey, type TAuditRecord } from "@opsc/contracts";
import type { TStoredAuditRecordSummary } from "@opsc/contracts/audit/records";
import { sql } from "kysely";
import { PASSWORD, startSystem, type TestSystem } from "../support/system.ts";

let system: TestSystem;
let targetId: string;
const startedAt = new Date().toISOString();

/** Relays everything pending, then waits until the audit service has stored every audit record on the stream. */
async function settle(): Promise<number> {
  for (const relay of system.relays) await relay.drain();
  const entries = await system.redis.redis.xrange(streamKey(system.redis.prefix, "events"), "-", "+");
  const expected = new Set(
    entries
      .filter(([, fields]) => fields[fields.indexOf("type") + 1] === "audit.recorded")
      .map(([, fields]) => fields[fields.indexOf("eventId") + 1]),
  ).size;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { count } = await system.auditDb
      .selectFrom("records")
      .select((eb) => eb.fn.countAll<string>().as("count"))
      .executeTakeFirstOrThrow();
    if (Number(count) >= expected) return Number(count);
    if (Date.now() > deadline) throw new Error(`stored ${count} of ${expected} audit records`);
    await Bun.sleep(50);
  }
}

async function allOutboxEventIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const db of [
    system.authDb,
    system.usersDb,
    system.targetsDb,
    system.jobsDb,
    system.executionDb,
    system.discoveryDb,
  ]) {
    const rows = await (db as unknown as typeof system.authDb)
      .selectFrom("audit_outbox")
      .select("event_id")
      .execute();
    ids.push(...rows.map((row) => row.event_id));
  }
  return ids;
}

beforeAll(async () => {
  system = await startSystem();
  const admin = system.admin.client;
  await admin.users.accounts.create.mutate({
    email: "trail@example.com",
    name: "Trail",
    role: "operator",
    password: PASSWORD,
  });
  const target = await admin.targets.create.mutate({
    name: "audited-target",
    address: "127.0.0.1",
    port: 9,
    kind: "http",
    tags: { note: "needle-in-haystack" },
  });
  targetId = target.id;
  await admin.targets.update.mutate({ id: target.id, data: { tags: { note: "changed" } } });
  await settle();
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

describe("consumer", () => {
  test("stores every audit record of every service's outbox exactly once, and no domain event", async () => {
    // Domain events share the stream but are not audit records.
    await recordEvent(system.targetsDb, { type: "target.health.changed", payload: { targetId } });
    const [domainEvent] = await system.targetsDb.selectFrom("event_outbox").select("event_id").execute();
    await settle();
    const entries = await system.redis.redis.xrange(streamKey(system.redis.prefix, "events"), "-", "+");
    expect(entries.some(([, fields]) => fields.includes(domainEvent!.event_id))).toBe(true);

    const outbox = await allOutboxEventIds();
    expect(outbox.length).toBeGreaterThan(3);
    const stored = await system.auditDb.selectFrom("records").select("event_id").execute();
    expect(stored.map((row) => row.event_id).sort()).toEqual([...outbox].sort());
    expect(stored.map((row) => row.event_id)).not.toContain(domainEvent!.event_id);
  });

  test("a republished record (same event id) is stored once", async () => {
    const stream = streamKey(system.redis.prefix, "events");
    const entries = await system.redis.redis.xrange(stream, "-", "+");
    const audit = entries.filter(([, fields]) => fields[fields.indexOf("type") + 1] === "audit.recorded");
    const before = await settle();
    for (const [, fields] of audit.slice(0, 3)) await system.redis.redis.xadd(stream, "*", ...fields);
    // A fresh record after the duplicates: once it is stored, the duplicates before it were consumed.
    await system.admin.client.targets.update.mutate({ id: targetId, data: { tags: { note: "third" } } });
    const after = await settle();
    expect(after).toBe(before + 1);
    const { count } = await system.auditDb
      .selectFrom("records")
      .select((eb) => eb.fn.count<string>("event_id").distinct().as("count"))
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(after);
  });

  test("appending the same records twice in one batch and again stores them once, gap-free", async () => {
    const record = (action: string): TAuditRecord => ({
      eventId: crypto.randomUUID(),
      occurredAt: new Date().toISOString(),
      service: "test",
      actorType: "system",
      actorId: null,
      apiKeyId: null,
      action,
      resourceType: "probe",
      resourceId: "p1",
      before: null,
      after: { nested: { b: 2, a: 1 } },
      sourceIp: null,
      requestId: null,
    });
    const first = record("probe.first");
    const second = record("probe.second");
    expect(await appendRecords(system.auditDeps, [first, first, second])).toBe(2);
    expect(await appendRecords(system.auditDeps, [second, first])).toBe(0);
    const seqs = (await system.auditDb.selectFrom("records").select("seq").orderBy("seq").execute()).map(
      (row) => Number(row.seq),
    );
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
  });
});

describe("query", () => {
  test("filters by action, actor, resource, time range and text, newest first", async () => {
    const admin = system.admin.client;
    const created = await admin.audit.records.list.query({ action: "target.created" });
    expect(created.items.map((item) => item.resourceId)).toEqual([targetId]);
    expect(created.items[0]!.actorId).toBe(system.admin.id);

    const byResource = await admin.audit.records.list.query({ resourceType: "target", resourceId: targetId });
    expect(byResource.items.map((item) => item.action)).toEqual([
      "target.updated",
      "target.updated",
      "target.created",
    ]);
    expect(byResource.items.map((item) => item.seq)).toEqual(
      [...byResource.items.map((item) => item.seq)].sort((a, b) => b - a),
    );

    const byActor = await admin.audit.records.list.query({ actorId: system.admin.id, limit: 200 });
    expect(byActor.items.length).toBeGreaterThan(2);
    expect(byActor.items.every((item) => item.actorId === system.admin.id)).toBe(true);

    const text = await admin.audit.records.list.query({ text: "NEEDLE-in-haystack" });
    expect(text.items.map((item) => item.action).sort()).toEqual(["target.created", "target.updated"]);

    const future = await admin.audit.records.list.query({
      from: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(future.items).toEqual([]);
    const inRange = await admin.audit.records.list.query({
      from: startedAt,
      to: new Date(Date.now() + 1000).toISOString(),
      action: "target.created",
    });
    expect(inRange.items).toHaveLength(1);
  });

  test("keyset paging walks every record once", async () => {
    const admin = system.admin.client;
    const seen: TStoredAuditRecordSummary[] = [];
    let cursor: number | undefined;
    do {
      const page = await admin.audit.records.list.query({ limit: 2, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    const total = await system.auditDb.selectFrom("records").select("seq").execute();
    expect(seen.map((item) => item.seq)).toEqual(total.map((row) => Number(row.seq)).sort((a, b) => b - a));
  });

  test("get returns before and after; an unknown seq is 404", async () => {
    const admin = system.admin.client;
    const [latest] = (
      await admin.audit.records.list.query({ resourceId: targetId, action: "target.updated", limit: 1 })
    ).items;
    const record = await admin.audit.records.get.query({ seq: latest!.seq });
    expect(JSON.stringify(record.before)).toContain("changed");
    expect(JSON.stringify(record.after)).toContain("third");
    const missing = await system.handle("http://localhost/api/v1/audit/records/999999", {
      headers: { authorization: `Bearer ${system.admin.token}` },
    });
    expect(missing.status).toBe(404);
  });

  test("bad filters are refused naming the field", async () => {
    const response = await system.handle("http://localhost/api/v1/audit/records?from=yesterday", {
      headers: { authorization: `Bearer ${system.admin.token}` },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("from");
  });
});

describe("export", () => {
  const get = (path: string, token?: string) =>
    system.handle(`http://localhost${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  test("streams every matching record as JSON Lines and CSV", async () => {
    const total = await settle();
    const jsonl = await get("/api/v1/audit/export.jsonl", system.admin.token);
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await jsonl.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(total);
    expect(lines[0].seq).toBe(total);

    const csv = await get(`/api/v1/audit/export.csv?resourceId=${targetId}`, system.admin.token);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-disposition")).toContain("audit.csv");
    const rows = (await csv.text()).trim().split("\n");
    expect(rows[0]).toStartWith("seq,eventId,occurredAt");
    expect(rows).toHaveLength(4);
    // JSON in a cell is quoted, its quotes doubled.
    expect(rows.some((row) => row.includes('""note"":""third""'))).toBe(true);
  });

  test("refuses anonymous callers, non-admins and bad filters", async () => {
    expect((await get("/api/v1/audit/export.csv")).status).toBe(401);
    const operator = await system.createUser("operator");
    expect((await get("/api/v1/audit/export.jsonl", operator.token)).status).toBe(403);
    const bad = await get("/api/v1/audit/export.csv?from=nope", system.admin.token);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("from");
  });
});

describe("verify", () => {
  test("an untouched chain is intact, over tRPC and REST", async () => {
    const total = await settle();
    const result = await system.admin.client.audit.verify.query({});
    expect(result).toMatchObject({ intact: true, records: total, firstBreakSeq: null, problems: [] });
    expect(result.message).toBe(`intact, ${total} records`);
    const rest = await system.handle("http://localhost/api/v1/audit/verify", {
      headers: { authorization: `Bearer ${system.admin.token}` },
    });
    expect(rest.status).toBe(200);
    expect(((await rest.json()) as { intact: boolean }).intact).toBe(true);
  });

  test("names a row edited and a row deleted directly in PostgreSQL, and so does the command", async () => {
    const total = await settle();
    expect(total).toBeGreaterThan(6);
    await sql`update audit.records set after = '{"forged": true}'::jsonb where seq = 3`.execute(
      system.auditDb,
    );
    await sql`delete from audit.records where seq = 6`.execute(system.auditDb);
    const result = await system.admin.client.audit.verify.query({});
    expect(result.intact).toBe(false);
    expect(result.firstBreakSeq).toBe(3);
    expect(result.problems.map(({ seq, kind }) => ({ seq, kind }))).toEqual([
      { seq: 3, kind: "content_changed" },
      { seq: 6, kind: "missing" },
    ]);
    expect(result.message).toContain("record 3");

    const command = Bun.spawnSync(["bun", join(import.meta.dir, "../../services/audit/src/cli/verify.ts")], {
      env: { ...process.env, AUDIT_DATABASE_URL: system.database.url },
    });
    const output = command.stdout.toString();
    expect(command.exitCode).toBe(1);
    expect(output).toContain("broken at record 3");
    expect(output).toContain("seq 6: missing");
  });

  test("a record deleted at the end of the chain is named too", async () => {
    const head = await system.auditDb.selectFrom("chain_head").select("seq").executeTakeFirstOrThrow();
    await sql`delete from audit.records where seq = ${Number(head.seq)}`.execute(system.auditDb);
    const result = await system.admin.client.audit.verify.query({});
    expect(result.problems.at(-1)).toMatchObject({ seq: Number(head.seq), kind: "missing" });
  });
});
