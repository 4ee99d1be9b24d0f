import { type TJobDefinition, ZJobDefinition } from "@opsc/contracts/jobs/definition";
import type { TLineDiff } from "@opsc/contracts/jobs/versions";
import { createTwoFilesPatch, diffLines } from "diff";
import { stringify } from "yaml";

/**
 * A job as text: the YAML document it exports to (its name, then the definition's fields in the schema's order,
 * defaults written out), and line diffs between two such documents.
 */

/**
 * The definition with its keys in the schema's order. PostgreSQL's jsonb keeps keys in its own order, so a stored
 * definition is parsed again before it is shown; a definition the current schema refuses is shown as stored.
 */
export function normalizeDefinition(definition: unknown): TJobDefinition {
  const parsed = ZJobDefinition.safeParse(definition);
  return parsed.success ? parsed.data : (definition as TJobDefinition);
}

export function jobDocument(name: string, definition: unknown): string {
  return stringify(
    { name, ...normalizeDefinition(definition) },
    // Defaults are shared objects in zod's output: without this they would become YAML anchors and aliases.
    // lineWidth 0: long lines stay whole, so a diff shows the line that changed.
    { aliasDuplicateObjects: false, lineWidth: 0 },
  );
}

/** A multi-document YAML file, one job per document. */
export function jobsFile(jobs: { name: string; definition: unknown }[]): string {
  return jobs.map((job) => jobDocument(job.name, job.definition)).join("---\n");
}

/** JSON with object keys sorted, so that two definitions compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

export function isSameDefinition(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

export function lineDiff(before: string, after: string): TLineDiff {
  return diffLines(before, after).map((change) => ({
    type: change.added ? "added" : change.removed ? "removed" : "unchanged",
    lines: splitLines(change.value),
  }));
}

export function unifiedPatch(
  before: { label: string; text: string },
  after: { label: string; text: string },
): string {
  return createTwoFilesPatch(before.label, after.label, before.text, after.text);
}
