import { createHash } from "node:crypto";
import type {
  TAuditChainProblem,
  TStoredAuditRecord,
  TVerifyAuditChainResponse,
} from "@opsc/contracts/audit/records";
import type { ObjectStore } from "@opsc/objectstore";
import type { AuditServiceDeps } from "../deps.ts";
import { type ChainedContent, contentOfRow, contentOfStored, GENESIS_HASH, hashRecord } from "./chain.ts";
import { findChainHead, listArchives, listRowsAfter } from "./records.repository.ts";

const PAGE = 1_000;

interface ChainEntry {
  seq: number;
  prevHash: string;
  hash: string;
  content: ChainedContent;
  label: string;
}

/** Checks entries in seq order; after a problem it goes on from the stored values, so later breaks are named too. */
class ChainWalker {
  expectedSeq = 1;
  prevHash = GENESIS_HASH;
  records = 0;
  readonly problems: TAuditChainProblem[] = [];

  constructor(private readonly maxProblems: number) {}

  get isFull(): boolean {
    return this.problems.length >= this.maxProblems;
  }

  add(problem: TAuditChainProblem): void {
    if (!this.isFull) this.problems.push(problem);
  }

  check(entry: ChainEntry): void {
    const { seq } = entry;
    this.records += 1;
    if (seq !== this.expectedSeq)
      this.add({
        seq: this.expectedSeq,
        kind: "missing",
        message:
          seq === this.expectedSeq + 1
            ? `record ${this.expectedSeq} is missing`
            : `records ${this.expectedSeq} to ${seq - 1} are missing`,
      });
    else if (entry.prevHash !== this.prevHash)
      this.add({
        seq,
        kind: "link_broken",
        message: `record ${seq}'s prev_hash is not record ${seq - 1}'s hash`,
      });
    if (hashRecord(entry.prevHash, entry.content) !== entry.hash)
      this.add({
        seq,
        kind: "content_changed",
        message: `record ${seq}'s content (${entry.label}) no longer matches its hash`,
      });
    this.prevHash = entry.hash;
    this.expectedSeq = seq + 1;
  }

  /** An archive not read: only its place in the chain is checked. */
  skip(archive: { fromSeq: number; toSeq: number; firstPrevHash: string; lastHash: string }): void {
    if (archive.fromSeq !== this.expectedSeq)
      this.add({
        seq: this.expectedSeq,
        kind: "missing",
        message: `records ${this.expectedSeq} to ${archive.fromSeq - 1} are missing`,
      });
    else if (archive.firstPrevHash !== this.prevHash)
      this.add({
        seq: archive.fromSeq,
        kind: "link_broken",
        message: `the archive from record ${archive.fromSeq} does not follow record ${archive.fromSeq - 1}`,
      });
    this.prevHash = archive.lastHash;
    this.expectedSeq = archive.toSeq + 1;
  }
}

/**
 * Walks the chain in seq order and reports what does not hold: a record whose content no longer hashes to its stored
 * hash (edited), a seq that is not there (deleted), a prev_hash that is not the previous record's hash (re-linked).
 * Archived records (retention) are read back from the object store when one is given, else only the archives' links
 * are checked; the first record kept in the database follows the last archive's hash. The chain head (written with
 * every append) catches records deleted at the end.
 */
export async function verifyChain(
  deps: Pick<AuditServiceDeps, "db"> & { objectStore?: ObjectStore },
  options: { maxProblems: number },
): Promise<TVerifyAuditChainResponse> {
  const walker = new ChainWalker(options.maxProblems);
  const head = await findChainHead(deps.db);
  let archived = 0;
  for (const archive of await listArchives(deps.db)) {
    const meta = {
      fromSeq: Number(archive.from_seq),
      toSeq: Number(archive.to_seq),
      firstPrevHash: archive.first_prev_hash,
      lastHash: archive.last_hash,
    };
    archived += archive.record_count;
    if (!deps.objectStore) {
      walker.skip(meta);
      continue;
    }
    const object = await deps.objectStore.get(archive.object_key);
    const text = object ? await new Response(object.body).text() : null;
    if (text === null || createHash("sha256").update(text).digest("hex") !== archive.sha256) {
      walker.add({
        seq: meta.fromSeq,
        kind: text === null ? "missing" : "content_changed",
        message: `the archive of records ${meta.fromSeq} to ${meta.toSeq} is ${text === null ? "missing" : "not the one written"}`,
      });
      walker.skip(meta);
      continue;
    }
    for (const line of text.split("\n")) {
      if (!line) continue;
      const record = JSON.parse(line) as TStoredAuditRecord;
      walker.check({
        seq: record.seq,
        prevHash: record.prevHash,
        hash: record.hash,
        content: contentOfStored(record),
        label: `${record.action} on ${record.resourceType}`,
      });
    }
  }
  let afterSeq = walker.expectedSeq - 1;
  while (!walker.isFull) {
    const rows = await listRowsAfter(deps.db, afterSeq, PAGE);
    for (const row of rows) {
      walker.check({
        seq: Number(row.seq),
        prevHash: row.prev_hash,
        hash: row.hash,
        content: contentOfRow(row),
        label: `${row.action} on ${row.resource_type}${row.resource_id ? ` ${row.resource_id}` : ""}`,
      });
      if (walker.isFull) break;
    }
    if (rows.length < PAGE) break;
    afterSeq = Number(rows[rows.length - 1]!.seq);
  }
  const headSeq = Number(head.seq);
  if (walker.expectedSeq <= headSeq)
    walker.add({
      seq: walker.expectedSeq,
      kind: "missing",
      message:
        walker.expectedSeq === headSeq
          ? `record ${headSeq} (the last one) is missing`
          : `records ${walker.expectedSeq} to ${headSeq} (the last ones) are missing`,
    });
  else if (walker.expectedSeq - 1 === headSeq && walker.prevHash !== head.hash)
    walker.add({
      seq: headSeq,
      kind: "content_changed",
      message: `record ${headSeq}'s hash is not the chain head's`,
    });
  const problems = [...walker.problems].sort((a, b) => a.seq - b.seq);
  const first = problems[0];
  const total = deps.objectStore ? walker.records : walker.records + archived;
  return {
    intact: problems.length === 0,
    records: total,
    archived,
    firstBreakSeq: first?.seq ?? null,
    problems,
    message: first ? `broken at record ${first.seq}: ${first.message}` : `intact, ${total} records`,
  };
}
