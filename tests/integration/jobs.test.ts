/**
 * The jobs service's definitions through the API: versions (every save, CONFLICT on a stale base, no version for a
 * no-op save, diffs), the list's folder and tag filters and paging, owners, and jobs as code (YAML export, import
 * preview, atomic apply). Runs, parameters and choices are in jobs-run.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TJobDefinitionInput } from "@opsc/contracts/jobs/definition";
import { parseAllDocuments } from "yaml";
import { rejection } from "../support/errors.ts";
import { type SignedInUser, startSystem, type TestSystem } from "../support/system.ts";

let system: TestSystem;
let operator: SignedInUser;
const jobs = () => operator.client.jobs;

beforeAll(async () => {
  system = await startSystem();
  operator = await system.createUser("operator");
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

function definition(extra: Partial<TJobDefinitionInput> = {}): TJobDefinitionInput {
  return {
    targets: { selector: "suite=jobs" },
    steps: [{ key: "main", name: "Main", action: { type: "command", command: "uptime" } }],
    ...extra,
  };
}

async function auditActions(resourceId: string) {
  const rows = await system.jobsDb
    .selectFrom("audit_outbox")
    .select(["action", "actor_id", "after"])
    .where("resource_id", "=", resourceId)
    .orderBy("id")
    .execute();
  return rows;
}

describe("versions", () => {
  test("every save is a version; a stale baseVersion is refused; a save that changes nothing makes none", async () => {
    const created = await jobs().create.mutate({
      name: "backup-db",
      definition: definition({ description: "one" }),
      message: "first",
    });
    expect(created.latestVersion).toBe(1);
    expect(created.versionCount).toBe(1);
    expect(created.owner).toBe(operator.id);
    // Defaults are explicit in what is stored and returned.
    expect(created.definition.strategy).toBe("target-first");
    expect(created.definition.steps[0]!.retry).toEqual({ count: 0, backoffSeconds: 5, factor: 2 });

    const second = await jobs().update.mutate({
      id: created.id,
      baseVersion: 1,
      definition: definition({ description: "two" }),
      message: "second",
    });
    expect(second.newVersion).toBe(2);
    expect(second.job.latestVersion).toBe(2);
    expect(second.job.definition.description).toBe("two");

    // Another editor who started from version 1 must not overwrite version 2.
    const stale = await rejection(
      jobs().update.mutate({
        id: created.id,
        baseVersion: 1,
        definition: definition({ description: "three" }),
      }),
    );
    expect(stale.code).toBe("CONFLICT");
    expect(stale.fields.baseVersion).toContain("Version 2");

    const unchanged = await jobs().update.mutate({
      id: created.id,
      baseVersion: 2,
      definition: definition({ description: "two" }),
    });
    expect(unchanged.newVersion).toBeNull();
    expect(unchanged.job.latestVersion).toBe(2);

    const versions = await jobs().versions.list.query({ id: created.id });
    expect(versions.items.map((item) => [item.version, item.message])).toEqual([
      [2, "second"],
      [1, "first"],
    ]);
    expect(versions.items[0]!.createdBy).toBe(operator.id);
    const first = await jobs().versions.get.query({ id: created.id, version: 1 });
    expect(first.definition.description).toBe("one");
    expect((await rejection(jobs().versions.get.query({ id: created.id, version: 3 }))).code).toBe(
      "NOT_FOUND",
    );

    const got = await jobs().get.query({ id: created.id });
    expect(got.versionCount).toBe(2);
    expect(got.description).toBe("two");
    expect((await auditActions(created.id)).map((row) => row.action)).toEqual(["job.created", "job.updated"]);
  });

  test("the diff shows both versions as YAML with the lines that changed", async () => {
    const job = await jobs().create.mutate({
      name: "diffed",
      definition: definition({ description: "old text" }),
    });
    await jobs().update.mutate({
      id: job.id,
      baseVersion: 1,
      definition: definition({ description: "new text", tags: ["nightly"] }),
    });
    const diff = await jobs().versions.diff.query({ id: job.id, from: 1, to: 2 });
    expect(diff.from.yaml).toStartWith("name: diffed\n");
    expect(diff.from.yaml).toContain("description: old text");
    expect(diff.to.yaml).toContain("description: new text");
    const removed = diff.changes
      .filter((change) => change.type === "removed")
      .flatMap((change) => change.lines);
    const added = diff.changes.filter((change) => change.type === "added").flatMap((change) => change.lines);
    expect(removed).toContain("description: old text");
    expect(added).toContain("description: new text");
    expect(added).toContain("  - nightly");
    expect(
      diff.changes.some((change) => change.type === "unchanged" && change.lines.includes("name: diffed")),
    ).toBe(true);
    expect(diff.patch).toContain("-description: old text");
    expect(diff.patch).toContain("+description: new text");
    // Both sides parse back to the versions they show.
    expect(parseAllDocuments(diff.to.yaml)[0]!.toJS().description).toBe("new text");
    expect(
      (await rejection(jobs().versions.diff.query({ id: job.id, from: 1, to: 9 }))).fields.to,
    ).toBeDefined();
  });

  test("renaming changes the job but makes no version; names are unique whatever their case", async () => {
    const job = await jobs().create.mutate({ name: "rename-me", definition: definition() });
    const renamed = await jobs().update.mutate({
      id: job.id,
      baseVersion: 1,
      name: "Renamed",
      definition: definition(),
    });
    expect(renamed.newVersion).toBeNull();
    expect(renamed.job.name).toBe("Renamed");
    const clash = await rejection(jobs().create.mutate({ name: "RENAMED", definition: definition() }));
    expect(clash.code).toBe("CONFLICT");
    expect(clash.fields.name).toBeDefined();
  });

  test("a bad definition names the field; a hand-written resolved child plan is refused", async () => {
    const bad = await rejection(
      jobs().create.mutate({
        name: "bad-definition",
        definition: definition({
          steps: [
            { key: "Bad Key", name: "x", action: { type: "noop" } },
            { key: "call", name: "call", action: { type: "job", job: "other", resolved: {} as never } },
          ],
        }),
      }),
    );
    expect(bad.code).toBe("BAD_REQUEST");
    expect(Object.keys(bad.fields)).toContain("definition.steps.0.key");
    const resolved = await rejection(
      jobs().create.mutate({
        name: "resolved-by-hand",
        definition: definition({
          steps: [
            {
              key: "call",
              name: "call",
              action: {
                type: "job",
                job: "other",
                resolved: {
                  job: { id: crypto.randomUUID(), name: "other", version: 1 },
                  parameters: [],
                  plan: { steps: [{ key: "a", name: "a", action: { type: "noop" } }] },
                  workerGroup: "default",
                  exclusive: false,
                } as never,
              },
            },
          ],
        }),
      }),
    );
    expect(resolved.fields["definition.steps.0.action.resolved"]).toBeDefined();
  });

  test("delete removes the job and its versions; an admin may give a job to another user", async () => {
    const job = await jobs().create.mutate({ name: "short-lived", definition: definition() });
    const viewer = await system.createUser("viewer");
    const given = await system.admin.client.jobs.setOwner.mutate({ id: job.id, owner: viewer.id });
    expect(given.owner).toBe(viewer.id);
    const nobody = await rejection(
      system.admin.client.jobs.setOwner.mutate({ id: job.id, owner: "no-such-user" }),
    );
    expect(nobody.fields.owner).toBeDefined();
    expect((await rejection(jobs().setOwner.mutate({ id: job.id, owner: operator.id }))).code).toBe(
      "FORBIDDEN",
    );

    await jobs().delete.mutate({ id: job.id });
    expect((await rejection(jobs().get.query({ id: job.id }))).code).toBe("NOT_FOUND");
    const versions = await system.jobsDb
      .selectFrom("job_versions")
      .selectAll()
      .where("job_id", "=", job.id)
      .execute();
    expect(versions).toEqual([]);
    expect((await auditActions(job.id)).map((row) => row.action)).toEqual([
      "job.created",
      "job.owner_changed",
      "job.deleted",
    ]);
  });
});

describe("list", () => {
  beforeAll(async () => {
    for (const [name, folder, tags] of [
      ["list-a", "/db", ["nightly"]],
      ["list-b", "/db/backups", ["nightly", "critical"]],
      ["list-c", "/dbx", []],
      ["list-d", "/web", ["critical"]],
      ["list-e", "/db/backups/full", []],
    ] as const)
      await jobs().create.mutate({ name, definition: definition({ folder, tags: [...tags] }) });
  });

  const names = (items: { name: string }[]) =>
    items.map((item) => item.name).filter((name) => name.startsWith("list-"));

  test("a folder filter takes the folder and everything below it, nothing beside it", async () => {
    const inDb = await jobs().list.query({ folder: "/db" });
    expect(names(inDb.items)).toEqual(["list-a", "list-b", "list-e"]);
    expect(names((await jobs().list.query({ folder: "/db/backups" })).items)).toEqual(["list-b", "list-e"]);
    expect(names((await jobs().list.query({ folder: "/" })).items)).toHaveLength(5);
    // The folder tree comes with every page, whatever the filters.
    expect(inDb.folders).toEqual(
      expect.arrayContaining([
        { path: "/db", jobs: 1 },
        { path: "/db/backups", jobs: 1 },
        { path: "/db/backups/full", jobs: 1 },
        { path: "/dbx", jobs: 1 },
        { path: "/web", jobs: 1 },
      ]),
    );
    expect((await rejection(jobs().list.query({ folder: "db" }))).fields.folder).toBeDefined();
  });

  test("tag, name search and owner filters; pages follow the names in order", async () => {
    expect(names((await jobs().list.query({ tag: "critical" })).items)).toEqual(["list-b", "list-d"]);
    expect(names((await jobs().list.query({ search: "LIST-C" })).items)).toEqual(["list-c"]);
    expect(names((await jobs().list.query({ owner: operator.id, search: "list-" })).items)).toHaveLength(5);
    expect((await jobs().list.query({ owner: "someone-else" })).items).toEqual([]);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await jobs().list.query({ search: "list-", limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(["list-a", "list-b", "list-c", "list-d", "list-e"]);
    expect((await rejection(jobs().list.query({ cursor: "!!" }))).fields.cursor).toBeDefined();
  });

  test("REST: list and get under /api/v1/jobs/items", async () => {
    const headers = { authorization: `Bearer ${operator.token}` };
    const listed = await system.handle("http://localhost/api/v1/jobs/items?folder=/web", { headers });
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { items: { id: string; name: string }[] };
    expect(body.items.map((item) => item.name)).toEqual(["list-d"]);
    const got = await system.handle(`http://localhost/api/v1/jobs/items/${body.items[0]!.id}`, { headers });
    expect(((await got.json()) as { name: string }).name).toBe("list-d");
    const unknown = await system.handle(`http://localhost/api/v1/jobs/items/${crypto.randomUUID()}`, {
      headers,
    });
    expect(unknown.status).toBe(404);
  });
});

describe("jobs as code", () => {
  /** A definition that uses most of what a job can hold, so the round trip covers it. */
  const rich: TJobDefinitionInput = {
    description: "Rolls the app out.\nSecond line: with a colon, # and 'quotes'.",
    folder: "/code/apps",
    tags: ["deploy", "web"],
    parameters: [
      { name: "VERSION", type: "string", required: true, regex: "v[0-9]+", maxLength: 20 },
      { name: "COUNT", type: "integer", default: 3, min: 1, max: 10 },
      { name: "RATIO", type: "number", default: 0.25 },
      { name: "DRY", type: "boolean", default: false },
      {
        name: "COLOR",
        type: "choice",
        choices: { type: "static", values: [{ value: "red", label: "Red" }, { value: "green" }] },
        default: "red",
      },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a `${NAME}` reference of a choice source, not a template
      { name: "HOSTS", type: "choice", choices: { type: "targets", selector: "env=${COLOR}" } },
      {
        name: "DBS",
        type: "multi-choice",
        choices: { type: "http", url: "http://127.0.0.1:9/dbs", path: "a.b" },
      },
      { name: "TOKEN", type: "secret", required: true },
      { name: "WHERE", type: "target-selector", default: "env=prod" },
    ],
    targets: { parameter: "WHERE" },
    steps: [
      {
        key: "check",
        name: "Check",
        action: { type: "script", script: '#!/bin/sh\nset -e\necho "$VERSION"\n' },
      },
      {
        key: "call",
        name: "Call",
        action: {
          type: "http",
          method: "POST",
          path: "/deploy",
          headers: { "X-B": "2", "X-A": "1" },
          body: "{}",
        },
        retry: { count: 2, backoffSeconds: 1.5, factor: 2 },
        when: { status: "success", outputs: [{ step: "check", key: "ok", op: "equals", value: "yes" }] },
      },
      {
        key: "child",
        name: "Child",
        action: { type: "job", job: "code-child", parameters: { B: "2", A: 1 } },
      },
      {
        key: "cleanup",
        name: "Clean up",
        action: { type: "noop" },
        when: { status: "always" },
        continueOnError: true,
      },
    ],
    strategy: "step-first",
    fanOut: 5,
    failureThreshold: { percent: 20 },
    concurrency: "queue",
    workerGroup: "web-deployers",
    exclusive: true,
  };

  beforeAll(async () => {
    await jobs().create.mutate({ name: "code-app", definition: rich });
    await jobs().create.mutate({ name: "code-child", definition: definition({ folder: "/code" }) });
    await jobs().create.mutate({ name: "code-elsewhere", definition: definition({ folder: "/other" }) });
  });

  test("an exported file imports as unchanged for every job (the round trip)", async () => {
    const exported = await jobs().export.query({ folder: "/code" });
    expect(exported.count).toBe(2);
    const documents = parseAllDocuments(exported.yaml).map((document) => document.toJS());
    expect(documents.map((document) => document.name)).toEqual(["code-app", "code-child"]);
    expect(Object.keys(documents[0]!)[0]).toBe("name");
    // Defaults are written out; a secret never has one.
    expect(documents[1]!.strategy).toBe("target-first");
    expect(
      documents[0]!.parameters.find((parameter: { name: string }) => parameter.name === "TOKEN"),
    ).toEqual({
      name: "TOKEN",
      required: true,
      type: "secret",
    });

    const preview = await jobs().import.mutate({ yaml: exported.yaml });
    expect(preview.errors).toEqual([]);
    expect(preview.jobs.map((job) => [job.name, job.action])).toEqual([
      ["code-app", "unchanged"],
      ["code-child", "unchanged"],
    ]);
    // Applying it changes nothing either.
    const applied = await jobs().import.mutate({ yaml: exported.yaml, apply: true });
    expect(applied.jobs.every((job) => job.action === "unchanged" && job.version === 1)).toBe(true);

    const everything = await jobs().export.query({});
    expect(parseAllDocuments(everything.yaml).map((document) => document.toJS().name)).toContain(
      "code-elsewhere",
    );
    const rest = await system.handle("http://localhost/api/v1/jobs/export?folder=/code", {
      headers: { authorization: `Bearer ${operator.token}` },
    });
    expect(((await rest.json()) as { yaml: string }).yaml).toBe(exported.yaml);
  });

  test("an edited file previews the update with its diff and applies in one transaction", async () => {
    const { yaml } = await jobs().export.query({ folder: "/code" });
    const edited = `${yaml.replace("workerGroup: web-deployers", "workerGroup: web-canary")}---\nname: code-new\n${"targets:\n  selector: suite=code\nsteps:\n  - key: only\n    name: Only\n    action:\n      type: noop\n"}`;
    const preview = await jobs().import.mutate({ yaml: edited });
    expect(preview.applied).toBe(false);
    expect(preview.jobs.map((job) => [job.document, job.name, job.action])).toEqual([
      [0, "code-app", "update"],
      [1, "code-child", "unchanged"],
      [2, "code-new", "create"],
    ]);
    const changes = preview.jobs[0]!.changes!;
    expect(changes.find((change) => change.type === "removed")!.lines).toEqual([
      "workerGroup: web-deployers",
    ]);
    expect(changes.find((change) => change.type === "added")!.lines).toEqual(["workerGroup: web-canary"]);
    // A preview writes nothing.
    expect((await jobs().list.query({ search: "code-new" })).items).toEqual([]);

    const applied = await jobs().import.mutate({ yaml: edited, apply: true });
    expect(applied.applied).toBe(true);
    expect(applied.jobs.map((job) => [job.name, job.action, job.version])).toEqual([
      ["code-app", "update", 2],
      ["code-child", "unchanged", 1],
      ["code-new", "create", 1],
    ]);
    const app = await jobs().get.query({ id: applied.jobs[0]!.id! });
    expect(app.definition.workerGroup).toBe("web-canary");
    expect((await jobs().versions.list.query({ id: app.id })).items[0]!.message).toBe("imported from YAML");
    const audit = await auditActions(applied.jobs[2]!.id!);
    expect(audit.map((row) => [row.action, (row.after as { source: string }).source])).toEqual([
      ["job.created", "import"],
    ]);
  });

  test("a bad document in a batch is named by index and field, and nothing of the batch is written", async () => {
    const { yaml } = await jobs().export.query({ folder: "/code/apps" });
    const batch = [
      yaml.replace("workerGroup: web-canary", "workerGroup: web-blue"),
      "name: code-fresh\ntargets:\n  selector: suite=code\nsteps:\n  - key: one\n    name: One\n    action:\n      type: noop\n",
      "name: code-broken\ntargets:\n  selector: suite=code\nsteps:\n  - key: Bad Key\n    name: Bad\n    action:\n      type: noop\n    colour: red\n",
      "name: code-fresh\ntargets:\n  selector: x=y\nsteps:\n  - key: two\n    name: Two\n    action:\n      type: noop\n",
      "- just\n- a list\n",
    ].join("---\n");
    const preview = await jobs().import.mutate({ yaml: batch });
    const paths = preview.errors.map((error) => error.path);
    expect(paths).toContain("documents[2].steps[0].key");
    expect(paths).toContain("documents[2].steps[0].colour");
    expect(paths).toContain("documents[3].name");
    expect(paths).toContain("documents[4]");
    expect(preview.jobs.map((job) => [job.name, job.action])).toEqual([
      ["code-app", "update"],
      ["code-fresh", "create"],
    ]);

    const refused = await rejection(jobs().import.mutate({ yaml: batch, apply: true }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.fields["documents[2].steps[0].key"]).toBeDefined();
    expect(refused.message).toContain("documents[3].name");
    expect((await jobs().list.query({ search: "code-fresh" })).items).toEqual([]);
    const app = (await jobs().list.query({ search: "code-app" })).items[0]!;
    expect(app.latestVersion).toBe(2);
    expect((await jobs().get.query({ id: app.id })).definition.workerGroup).toBe("web-canary");

    const unreadable = await jobs().import.mutate({ yaml: "name: [unclosed\n" });
    expect(unreadable.errors[0]!.path).toBe("documents[0]");
  });
});
