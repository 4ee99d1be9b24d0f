import type { TJobDefinitionInput } from "@opsc/contracts/jobs/definition";
import { isMap, parseDocument, stringify } from "yaml";

// A job as YAML, the way jobs are exported and imported (jobs as code): one document, `name` first, then the
// definition's fields. The editor's YAML tab shows this and reads it back.

const STRINGIFY_OPTIONS = {
  // Long command lines stay on one line; folded scalars would be harder to edit than to read.
  lineWidth: 0,
  // A string that merely looks like a number or a boolean keeps its quotes.
  defaultStringType: "PLAIN",
} as const;

/** `name: …` then the definition, as a YAML document. */
export function jobToYaml(name: string, definition: TJobDefinitionInput): string {
  return stringify({ name, ...definition }, STRINGIFY_OPTIONS);
}

export type ParsedJobYaml =
  | { ok: true; name: string; definition: Record<string, unknown> }
  | { ok: false; message: string; line: number | null };

/**
 * Reads the YAML tab: one document whose root is a map with a string `name`. Syntax errors say where (1-based
 * line). The definition is returned unchecked: the schema (job-schema.ts) judges it.
 */
export function parseJobYaml(text: string): ParsedJobYaml {
  const document = parseDocument(text, { uniqueKeys: true });
  const error = document.errors[0];
  if (error) {
    const line = error.linePos?.[0]?.line ?? null;
    const message = /multiple documents/i.test(error.message)
      ? "One job per editor: remove the other documents (--- separated), or use Import for several jobs"
      : error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    return { ok: false, message: line === null ? message : `Line ${line}: ${message}`, line };
  }
  if (!isMap(document.contents))
    return { ok: false, message: "The YAML must be a map of the job's fields (name, steps, …)", line: 1 };
  const { name, ...definition } = document.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  if (typeof name !== "string" || !name.trim())
    return { ok: false, message: "name: give the job a name (a string)", line: null };
  return { ok: true, name, definition };
}
