import { describe, expect, test } from "bun:test";
import { ZJobDefinition } from "@opsc/contracts/jobs/definition";
import { parse } from "yaml";
import { canonicalJson, isSameDefinition, jobDocument, jobsFile, lineDiff } from "./definition-yaml.ts";

const definition = ZJobDefinition.parse({
  targets: { selector: "env=prod" },
  steps: [
    { key: "one", name: "One", action: { type: "noop" } },
    { key: "two", name: "Two", action: { type: "command", command: "echo 'a: b' # not a comment" } },
  ],
});

describe("job documents", () => {
  test("the name comes first, then the definition in the schema's order, defaults written out", () => {
    const text = jobDocument("deploy", definition);
    expect(text.split("\n").slice(0, 3)).toEqual(["name: deploy", 'description: ""', "folder: /"]);
    expect(text).toContain("strategy: target-first");
    // Two steps share zod's default objects; the document has no anchors or aliases.
    expect(text).not.toMatch(/[&*]a\d/);
    const { name, ...rest } = parse(text);
    expect(name).toBe("deploy");
    expect(rest).toEqual(definition);
  });

  test("keys in another order (as jsonb returns them) give the same document and count as the same", () => {
    const shuffled = JSON.parse(canonicalJson(definition));
    expect(Object.keys(shuffled)[0]).toBe("concurrency");
    expect(jobDocument("deploy", shuffled)).toBe(jobDocument("deploy", definition));
    expect(isSameDefinition(shuffled, definition)).toBe(true);
    expect(isSameDefinition({ ...definition, exclusive: true }, definition)).toBe(false);
  });

  test("a file holds one document per job", () => {
    const documents = jobsFile([
      { name: "a", definition },
      { name: "b", definition },
    ]).split("---\n");
    expect(documents.map((document) => parse(document).name)).toEqual(["a", "b"]);
  });

  test("line diffs group unchanged, removed and added lines", () => {
    expect(lineDiff("a\nb\nc\n", "a\nB\nc\nd\n")).toEqual([
      { type: "unchanged", lines: ["a"] },
      { type: "removed", lines: ["b"] },
      { type: "added", lines: ["B"] },
      { type: "unchanged", lines: ["c"] },
      { type: "added", lines: ["d"] },
    ]);
  });
});
