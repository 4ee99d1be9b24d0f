import { type AuditActor, recordAudits } from "@opsc/audit";
import { ZCreateTargetRequestSchema } from "@opsc/contracts/targets/targets";
import { AppError } from "@opsc/server-kit";
import { parse as parseCsv } from "csv-parse/sync";
import { stringify as stringifyCsv } from "csv-stringify/sync";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import type { z } from "zod";
import { parseSelector, selectorCondition } from "../selector/selector.ts";
import { toTargetDto } from "./targets.dto.ts";
import * as repo from "./targets.repository.ts";
import { assertCredentials, type TargetsDeps, targetRowFromInput } from "./targets.service.ts";

/** The columns of the exchange format; tags are `key=value;key=value` in CSV and a map in YAML. */
const COLUMNS = [
  "name",
  "address",
  "port",
  "kind",
  "tags",
  "description",
  "enabled",
  "maintenance",
  "http_scheme",
  "http_path",
  "http_expect_status",
] as const;
/** The fields a record may set (YAML carries `http` as an object; CSV as the http_* columns). */
const IMPORT_FIELDS = [
  "name",
  "address",
  "port",
  "kind",
  "tags",
  "description",
  "enabled",
  "maintenance",
  "http",
];
type Format = "csv" | "yaml";
type Record_ = Record<string, unknown>;

function tagsToCell(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([key, value]) => `${key}=${value}`)
    .join(";");
}

function tagsFromCell(cell: unknown): unknown {
  if (typeof cell !== "string") return cell;
  const tags: Record<string, string> = {};
  for (const pair of cell
    .split(";")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const separator = pair.indexOf("=");
    if (separator < 1) return pair; // not key=value: the schema reports it
    tags[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return tags;
}

/** true/false (also 1/0, yes/no); empty means "default"; anything else is left for the schema to refuse. */
function booleanCell(cell: unknown): unknown {
  if (cell === undefined || cell === "") return undefined;
  const text = String(cell).toLowerCase();
  if (["true", "1", "yes"].includes(text)) return true;
  if (["false", "0", "no"].includes(text)) return false;
  return cell;
}

/** The http_* columns of a CSV row as the `http` options (absent when the row has none). */
function httpFromCells(record: Record_): unknown {
  const scheme = record.http_scheme || undefined;
  const path = record.http_path || undefined;
  const expect = record.http_expect_status;
  if (!scheme && !path && !expect) return undefined;
  return {
    ...(scheme ? { scheme } : {}),
    ...(path ? { path } : {}),
    ...(expect ? { expectStatus: Number(expect) } : {}),
  };
}

export async function exportTargets(
  deps: TargetsDeps,
  input: { format: Format; selector?: string | undefined },
) {
  const rows = await repo.listMatching(deps.db, selectorCondition(parseSelector(input.selector ?? "")));
  const records = rows.map((row) => ({
    name: row.name,
    address: row.address,
    port: row.port,
    kind: row.kind,
    tags: row.tags,
    description: row.description,
    enabled: row.enabled,
    maintenance: row.maintenance,
    ...(row.http_options ? { http: row.http_options } : {}),
  }));
  const content =
    input.format === "csv"
      ? stringifyCsv(
          records.map(({ http, ...record }) => ({
            ...record,
            tags: tagsToCell(record.tags),
            http_scheme: http?.scheme ?? "",
            http_path: http?.path ?? "",
            http_expect_status: http?.expectStatus ?? "",
          })),
          { header: true, columns: [...COLUMNS], cast: { boolean: (value) => String(value) } },
        )
      : stringifyYaml({ targets: records });
  return { format: input.format, content, count: records.length };
}

/** Reads the content into records with their line numbers; a syntax error is one error at its line. */
function readRecords(format: Format, content: string): { line: number; record: Record_ }[] {
  try {
    if (format === "csv") {
      const rows = parseCsv(content, { columns: true, skip_empty_lines: true, trim: true, info: true }) as {
        record: Record_;
        info: { lines: number };
      }[];
      return rows.map(({ record, info }) => ({
        line: info.lines,
        record: {
          ...record,
          tags: tagsFromCell(record.tags),
          port: record.port === "" || record.port === undefined ? undefined : Number(record.port),
          enabled: booleanCell(record.enabled),
          maintenance: booleanCell(record.maintenance),
          description: record.description ?? undefined,
          http: httpFromCells(record),
        },
      }));
    }
    const document = parseYaml(content) as { targets?: unknown } | null;
    const list = Array.isArray(document) ? document : document?.targets;
    if (!Array.isArray(list)) throw new Error("expected a list of targets (or { targets: [...] })");
    return list.map((record, index) => ({ line: index + 1, record: record as Record_ }));
  } catch (error) {
    throw new AppError("BAD_REQUEST", {
      field: "content",
      message: `Cannot read the ${format.toUpperCase()}: ${(error as Error).message}`,
    });
  }
}

/** JSON with object keys sorted: PostgreSQL returns jsonb keys in its own order, so order must not count. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : item,
  );
}

const COMPARED = [
  "address",
  "port",
  "kind",
  "tags",
  "description",
  "enabled",
  "maintenance",
  "http_options",
] as const;

/**
 * Imports targets by name: new names are created, known ones updated. A dry run reports exactly what an import
 * would do; a real import applies all of it in one transaction, or nothing when any record is invalid.
 */
export async function importTargets(
  deps: TargetsDeps,
  actor: AuditActor,
  input: { format: Format; content: string; dryRun: boolean },
) {
  const records = readRecords(input.format, input.content);
  const errors: { line: number; field: string | null; message: string }[] = [];
  const valid: { line: number; value: z.output<typeof ZCreateTargetRequestSchema> }[] = [];
  const seen = new Set<string>();
  for (const { line, record } of records) {
    const fields = Object.fromEntries(
      Object.entries(record).filter(([key, value]) => IMPORT_FIELDS.includes(key) && value !== undefined),
    );
    const parsed = ZCreateTargetRequestSchema.safeParse(fields);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        errors.push({ line, field: issue.path.join(".") || null, message: issue.message });
      continue;
    }
    const key = parsed.data.name.toLowerCase();
    if (seen.has(key)) {
      errors.push({ line, field: "name", message: `${parsed.data.name} appears twice` });
      continue;
    }
    seen.add(key);
    valid.push({ line, value: parsed.data });
  }

  const existing = new Map(
    (
      await repo.findByNames(
        deps.db,
        valid.map(({ value }) => value.name),
      )
    ).map((row) => [row.name.toLowerCase(), row]),
  );
  const create: typeof valid = [];
  const update: {
    id: string;
    name: string;
    changes: string[];
    value: (typeof valid)[number]["value"];
    current: repo.TargetRowLike;
  }[] = [];
  let unchanged = 0;
  for (const item of valid) {
    const current = existing.get(item.value.name.toLowerCase());
    if (!current) {
      create.push(item);
      continue;
    }
    const next = targetRowFromInput(item.value, current.owner_id);
    const changes = COMPARED.filter((field) => canonical(next[field]) !== canonical(current[field]));
    if (changes.length)
      update.push({ id: current.id, name: current.name, changes: [...changes], value: item.value, current });
    else unchanged++;
  }

  const report = {
    dryRun: input.dryRun,
    create: create.map(({ value }) => ({ name: value.name, address: value.address, kind: value.kind })),
    update: update.map(({ name, changes }) => ({ name, changes })),
    unchanged,
    errors,
    applied: false,
  };
  if (input.dryRun || errors.length > 0) return report;

  await deps.db.transaction().execute(async (trx) => {
    const created = await repo.insert(
      trx,
      create.map(({ value }) => targetRowFromInput(value, actor.actorId)),
    );
    for (const item of update) {
      const row = targetRowFromInput(item.value, null);
      // A target that changes kind must still fit its attached credentials.
      if (item.changes.includes("kind")) {
        await assertCredentials(trx, row.kind, {
          credentialId: item.current.credential_id,
          sudoCredentialId: item.current.sudo_credential_id,
        });
      }
      await repo.update(
        trx,
        item.id,
        Object.fromEntries(item.changes.map((field) => [field, row[field as (typeof COMPARED)[number]]])),
      );
    }
    await recordAudits(trx, actor, [
      ...created.map((row) => ({
        action: "target.imported",
        resourceType: "target",
        resourceId: row.id,
        after: toTargetDto(row),
      })),
      ...update.map((item) => ({
        action: "target.import_updated",
        resourceType: "target",
        resourceId: item.id,
        after: { changes: item.changes },
      })),
    ]);
  });
  return { ...report, applied: true };
}
