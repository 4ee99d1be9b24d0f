/**
 * `bun services/audit/bench/chain.ts`: how fast the audit chain grows and verifies on this machine. Appends
 * BENCH_RECORDS (default 50,000) records in batches of BENCH_BATCH (default 1,000), as the consumer does (one
 * transaction per batch under the chain head's lock, hashing each record), then verifies the whole chain. Uses a
 * fresh test database (TEST_DATABASE_URL's server), dropped at the end. Absolute numbers depend on the machine;
 * compare runs on the same one.
 */
import type { TAuditRecord } from "@opsc/contracts";
import { createDb } from "@opsc/db";
import { createTestDatabase } from "@opsc/testing";
import { AUDIT_SCHEMA, type AuditDatabase } from "../src/database.ts";
import { migrate } from "../src/migrate.ts";
import { appendRecords } from "../src/records/append.service.ts";
import { verifyChain } from "../src/records/verify.service.ts";

const total = Number(process.env.BENCH_RECORDS ?? 50_000);
const batchSize = Number(process.env.BENCH_BATCH ?? 1_000);

function sampleRecord(index: number): TAuditRecord {
  return {
    eventId: crypto.randomUUID(),
    occurredAt: new Date().toISOString(),
    service: "targets",
    actorType: "user",
    actorId: `user-${index % 50}`,
    apiKeyId: null,
    action: "target.updated",
    resourceType: "target",
    resourceId: crypto.randomUUID(),
    before: { name: `web-${index}`, tags: { env: "prod", team: "ops" }, port: 22 },
    after: { name: `web-${index}`, tags: { env: "prod", team: "platform" }, port: 2222 },
    sourceIp: "10.0.0.1",
    requestId: `req-${index}`,
  };
}

const database = await createTestDatabase();
await migrate(database.url);
const { db, pool } = createDb<AuditDatabase>({ url: database.url, schema: AUDIT_SCHEMA, poolMax: 2 });
try {
  const appendStart = performance.now();
  for (let start = 0; start < total; start += batchSize) {
    const batch = Array.from({ length: Math.min(batchSize, total - start) }, (_, offset) =>
      sampleRecord(start + offset),
    );
    await appendRecords({ db }, batch);
  }
  const appendMs = performance.now() - appendStart;
  const verifyStart = performance.now();
  const result = await verifyChain({ db }, { maxProblems: 1 });
  const verifyMs = performance.now() - verifyStart;
  if (!result.intact || result.records !== total)
    throw new Error(`unexpected verification: ${result.message}`);
  const rate = (ms: number) => Math.round((total / ms) * 1000);
  console.log(
    `append: ${total} records in ${Math.round(appendMs)} ms (${rate(appendMs)} records/s, batches of ${batchSize})`,
  );
  console.log(`verify: ${total} records in ${Math.round(verifyMs)} ms (${rate(verifyMs)} records/s)`);
} finally {
  pool.on("error", () => undefined);
  await db.destroy();
  await database.drop();
}
