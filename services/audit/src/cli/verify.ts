// `bun services/audit/src/cli/verify.ts [--archives]`: walks the audit chain and prints "intact, N records" or the
// breaks. With --archives the records retention moved to the object store (OBJECT_STORE, ...) are hashed again too;
// without it only the archives' place in the chain is checked. Reads AUDIT_DATABASE_URL (or DATABASE_URL).
// Exits 0 when intact, 1 when broken, 2 when it could not run.
import { parseEnv, parsePostgresEnv } from "@opsc/config";
import { createDb } from "@opsc/db";
import { createLogger } from "@opsc/logger";
import { createObjectStore } from "@opsc/objectstore";
import { objectStoreEnv } from "@opsc/objectstore/env";
import { AUDIT_SCHEMA, type AuditDatabase } from "../database.ts";
import { verifyChain } from "../records/verify.service.ts";

const database = parsePostgresEnv("audit", process.env);
const { db } = createDb<AuditDatabase>({ url: database.databaseUrl, schema: AUDIT_SCHEMA, poolMax: 1 });
const objectStore = process.argv.includes("--archives")
  ? createObjectStore(parseEnv(objectStoreEnv(), process.env))
  : undefined;
const log = createLogger({ service: "audit-verify", level: "warn" });
try {
  const result = await verifyChain({ db, objectStore }, { maxProblems: 100 });
  console.log(result.message);
  for (const problem of result.problems)
    console.log(`  seq ${problem.seq}: ${problem.kind}: ${problem.message}`);
  process.exitCode = result.intact ? 0 : 1;
} catch (error) {
  log.error({ err: error }, "verification could not run");
  process.exitCode = 2;
} finally {
  await db.destroy();
  await objectStore?.close();
}
