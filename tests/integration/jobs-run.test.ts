/**
 * Running jobs through the API: parameter values checked against the job's parameters (each type, required,
 * defaults, rules, unknown names), choices from a static list, targets and an HTTP endpoint (an in-process server on
 * loopback), dependent choices, secrets that never come back, "run another job" cycles, blackout windows, and the
 * run the execution service starts for it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TJobDefinitionInput } from "@opsc/contracts/jobs/definition";
import type { TParameterInput } from "@opsc/contracts/jobs/parameters";
import { rejection } from "../support/errors.ts";
import { type SignedInUser, startSystem, type TestSystem } from "../support/system.ts";

let system: TestSystem;
let operator: SignedInUser;
let server: ReturnType<typeof Bun.serve>;
/** The `env` query values the HTTP choices endpoint received, in order. */
const envsAsked: (string | null)[] = [];
const jobs = () => operator.client.jobs;

beforeAll(async () => {
  system = await startSystem();
  operator = await system.createUser("operator");
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const url = new URL(request.url);
      switch (url.pathname) {
        case "/dbs": {
          const env = url.searchParams.get("env");
          envsAsked.push(env);
          const items = env === "prod" ? [{ value: "db-1", label: "Primary" }, "db-2"] : ["db-9"];
          return Response.json({ data: { items } });
        }
        case "/broken":
          return new Response("down", { status: 500 });
        case "/huge":
          return new Response(`[${'"x",'.repeat(300_000)}"x"]`);
        case "/object":
          return Response.json({ not: "a list" });
        default:
          return new Response("not found", { status: 404 });
      }
    },
  });
  for (const [name, env] of [
    ["web-prod-1", "prod"],
    ["web-prod-2", "prod"],
    ["web-staging-1", "staging"],
  ] as const)
    await system.admin.client.targets.create.mutate({
      name,
      address: "127.0.0.1",
      port: 9,
      kind: "http",
      tags: { suite: "jobs-run", env },
    });
}, 60_000);
afterAll(async () => {
  server?.stop(true);
  await system?.stop();
});

function job(parameters: TParameterInput[], extra: Partial<TJobDefinitionInput> = {}): TJobDefinitionInput {
  return {
    parameters,
    targets: { selector: "suite=jobs-run" },
    steps: [{ key: "main", name: "Main", action: { type: "noop" } }],
    ...extra,
  };
}

/** Every text a table of `db` holds, as one string (to look for values that must not be there). */
async function allText(
  db: TestSystem["jobsDb"] | TestSystem["executionDb"],
  table: "audit_outbox" | "event_outbox",
) {
  const rows = await (db as TestSystem["jobsDb"]).selectFrom(table).selectAll().execute();
  return JSON.stringify(rows);
}

describe("parameter values", () => {
  let jobId: string;
  beforeAll(async () => {
    const created = await jobs().create.mutate({
      name: "typed-parameters",
      definition: job([
        { name: "NAME", type: "string", required: true, regex: "[a-z]+", maxLength: 8 },
        { name: "COUNT", type: "integer", default: 2, min: 1, max: 5 },
        { name: "RATIO", type: "number", min: 0, max: 1 },
        { name: "DRY", type: "boolean", default: false },
        {
          name: "COLOR",
          type: "choice",
          choices: { type: "static", values: [{ value: "red" }, { value: "green" }] },
        },
        {
          name: "SIZES",
          type: "multi-choice",
          max: 2,
          choices: { type: "static", values: [{ value: "s" }, { value: "m" }, { value: "l" }] },
        },
        { name: "TOKEN", type: "secret", regex: "tok-[0-9]+" },
        { name: "WHERE", type: "target-selector" },
      ]),
    });
    jobId = created.id;
  });

  const refusedField = async (parameters: Record<string, unknown>) => {
    const refused = await rejection(jobs().run.mutate({ id: jobId, parameters }));
    expect(refused.code).toBe("BAD_REQUEST");
    return refused;
  };

  test("each type's rules are enforced, and the error names parameters.<name>", async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{}, "parameters.NAME", "NAME is required"],
      [{ NAME: "ABC" }, "parameters.NAME", "must match"],
      [{ NAME: "abcdefghij" }, "parameters.NAME", "at most 8"],
      [{ NAME: "ok", COUNT: 9 }, "parameters.COUNT", "at most 5"],
      [{ NAME: "ok", COUNT: 1.5 }, "parameters.COUNT", "whole number"],
      [{ NAME: "ok", COUNT: "many" }, "parameters.COUNT", ""],
      [{ NAME: "ok", RATIO: 2 }, "parameters.RATIO", "at most 1"],
      [{ NAME: "ok", DRY: "maybe" }, "parameters.DRY", ""],
      [{ NAME: "ok", COLOR: "blue" }, "parameters.COLOR", "one of: red, green"],
      [{ NAME: "ok", SIZES: ["s", "m", "l"] }, "parameters.SIZES", "at most 2"],
      [{ NAME: "ok", SIZES: ["xl"] }, "parameters.SIZES", "not one of the choices"],
      [{ NAME: "ok", UNKNOWN: "x" }, "parameters.UNKNOWN", "not a parameter of this job"],
    ];
    for (const [parameters, field, message] of cases) {
      const refused = await refusedField(parameters);
      expect(refused.fields[field], JSON.stringify(parameters)).toBeDefined();
      expect(refused.fields[field], JSON.stringify(parameters)).toContain(message);
    }
  });

  test("a secret that breaks its rule is refused without the value in the answer", async () => {
    const refused = await refusedField({ NAME: "ok", TOKEN: "hunter2-not-a-token" });
    expect(refused.fields["parameters.TOKEN"]).toBeDefined();
    expect(JSON.stringify(refused)).not.toContain("hunter2");
  });

  test("REST names the field too", async () => {
    const response = await system.handle(`http://localhost/api/v1/jobs/items/${jobId}/run`, {
      method: "POST",
      headers: { authorization: `Bearer ${operator.token}`, "content-type": "application/json" },
      body: JSON.stringify({ parameters: { NAME: "ok", COUNT: 0 } }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("BAD_REQUEST");
    expect(body.error.message).toContain("parameters.COUNT");
  });

  test("a viewer may not run a job", async () => {
    const viewer = await system.createUser("viewer");
    const refused = await rejection(viewer.client.jobs.run.mutate({ id: jobId, parameters: { NAME: "ok" } }));
    expect(refused.code).toBe("FORBIDDEN");
  });
});

describe("choices", () => {
  let jobId: string;
  beforeAll(async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const created = await jobs().create.mutate({
      name: "choosy",
      definition: job([
        {
          name: "ENV",
          type: "choice",
          choices: { type: "static", values: [{ value: "prod", label: "Production" }, { value: "staging" }] },
        },
        {
          name: "HOST",
          type: "choice",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a `${NAME}` reference of a choice source, not a template
          choices: { type: "targets", selector: "suite=jobs-run,env=${ENV}" },
        },
        {
          name: "HOST_ID",
          type: "multi-choice",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a `${NAME}` reference of a choice source, not a template
          choices: { type: "targets", selector: "env=${ENV}", value: "id" },
        },
        {
          name: "DB",
          type: "choice",
          choices: { type: "http", url: `${base}/dbs?env=\${ENV}`, path: "data.items" },
        },
        { name: "BROKEN", type: "choice", choices: { type: "http", url: `${base}/broken` } },
        { name: "HUGE", type: "choice", choices: { type: "http", url: `${base}/huge` } },
        { name: "NOT_LIST", type: "choice", choices: { type: "http", url: `${base}/object` } },
        { name: "PLAIN", type: "string" },
      ]),
    });
    jobId = created.id;
  });

  const choicesOf = async (parameter: string, values: Record<string, string> = {}) =>
    (await jobs().choices.query({ id: jobId, parameter, values })).choices;

  test("a static list", async () => {
    expect(await choicesOf("ENV")).toEqual([{ value: "prod", label: "Production" }, { value: "staging" }]);
  });

  test("targets matching a selector that depends on another parameter", async () => {
    expect(await choicesOf("HOST", { ENV: "prod" })).toEqual([
      { value: "web-prod-1" },
      { value: "web-prod-2" },
    ]);
    expect(await choicesOf("HOST", { ENV: "staging" })).toEqual([{ value: "web-staging-1" }]);
    // Nothing to offer until the parameter it depends on is chosen.
    expect(await choicesOf("HOST")).toEqual([]);
    const ids = await choicesOf("HOST_ID", { ENV: "staging" });
    expect(ids).toHaveLength(1);
    expect(ids[0]!.label).toBe("web-staging-1");
    expect(ids[0]!.value).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("an HTTP endpoint's JSON at a path, with substituted values URL-encoded", async () => {
    expect(await choicesOf("DB", { ENV: "prod" })).toEqual([
      { value: "db-1", label: "Primary" },
      { value: "db-2" },
    ]);
    expect(await choicesOf("DB", { ENV: "prod&env=staging" })).toEqual([{ value: "db-9" }]);
    expect(envsAsked.slice(-2)).toEqual(["prod", "prod&env=staging"]);
  });

  test("failures name the parameter", async () => {
    for (const [parameter, message] of [
      ["BROKEN", "HTTP 500"],
      ["HUGE", "larger than 1048576 bytes"],
      ["NOT_LIST", "is not a list"],
    ] as const) {
      const refused = await rejection(jobs().choices.query({ id: jobId, parameter, values: {} }));
      expect(refused.code).toBe("BAD_REQUEST");
      expect(refused.fields.parameter, parameter).toContain(`"${parameter}"`);
      expect(refused.fields.parameter, parameter).toContain(message);
    }
    const plain = await rejection(jobs().choices.query({ id: jobId, parameter: "PLAIN", values: {} }));
    expect(plain.fields.parameter).toContain("not a choice");
    const missing = await rejection(jobs().choices.query({ id: jobId, parameter: "NOPE", values: {} }));
    expect(missing.fields.parameter).toContain("not a parameter");
  });

  test("a run refuses a value the choices do not offer now", async () => {
    const wrongDb = await rejection(
      jobs().run.mutate({ id: jobId, parameters: { ENV: "prod", DB: "db-9" } }),
    );
    expect(wrongDb.fields["parameters.DB"]).toContain("db-1");
    const wrongHost = await rejection(
      jobs().run.mutate({ id: jobId, parameters: { ENV: "prod", HOST: "web-staging-1" } }),
    );
    expect(wrongHost.fields["parameters.HOST"]).toBeDefined();
    const broken = await rejection(jobs().run.mutate({ id: jobId, parameters: { BROKEN: "x" } }));
    expect(broken.fields["parameters.BROKEN"]).toContain("HTTP 500");
  });
});

describe("run another job", () => {
  test("a cycle is refused, naming the step", async () => {
    await jobs().create.mutate({
      name: "cycle-a",
      definition: job([], { steps: [{ key: "call_b", name: "B", action: { type: "job", job: "cycle-b" } }] }),
    });
    await jobs().create.mutate({
      name: "cycle-b",
      definition: job([], {
        steps: [
          { key: "first", name: "First", action: { type: "noop" } },
          { key: "call_a", name: "A", action: { type: "job", job: "CYCLE-A" } },
        ],
      }),
    });
    const a = (await jobs().list.query({ search: "cycle-a" })).items[0]!;
    const refused = await rejection(jobs().run.mutate({ id: a.id }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toContain('Step "call_a" of job "cycle-b"');
    expect(refused.message).toContain("cycle-a → cycle-b → cycle-a");
  });

  test("a missing child, an unknown child parameter and nesting deeper than 5 are refused", async () => {
    const orphan = await jobs().create.mutate({
      name: "orphan-parent",
      definition: job([], {
        steps: [{ key: "call", name: "Call", action: { type: "job", job: "no-such-job" } }],
      }),
    });
    expect((await rejection(jobs().run.mutate({ id: orphan.id }))).message).toContain("does not exist");

    const leaf = await jobs().create.mutate({
      name: "leaf",
      definition: job([{ name: "X", type: "string" }]),
    });
    const wrongParameter = await jobs().create.mutate({
      name: "wrong-parameter",
      definition: job([], {
        steps: [{ key: "call", name: "Call", action: { type: "job", job: leaf.id, parameters: { Y: "1" } } }],
      }),
    });
    expect((await rejection(jobs().run.mutate({ id: wrongParameter.id }))).message).toContain(
      '"Y", which is not a parameter of job "leaf"',
    );

    // deep-0 → deep-1 → … → deep-6: six levels below the started job.
    for (let level = 6; level >= 0; level--)
      await jobs().create.mutate({
        name: `deep-${level}`,
        definition:
          level === 6
            ? job([])
            : job([], {
                steps: [{ key: "down", name: "Down", action: { type: "job", job: `deep-${level + 1}` } }],
              }),
      });
    const deep = (await jobs().list.query({ search: "deep-0" })).items[0]!;
    expect((await rejection(jobs().run.mutate({ id: deep.id }))).message).toContain("deeper than 5");
    const shallow = (await jobs().list.query({ search: "deep-1" })).items[0]!;
    // deep-1 → … → deep-6 is five levels: allowed (it reaches the execution service).
    const started = await jobs().run.mutate({ id: shallow.id });
    expect(started.outcome).toBe("started");
  });
});

describe("a run", () => {
  test("starts in the execution service with the job's name and version; secrets never come back", async () => {
    const created = await jobs().create.mutate({
      name: "deploy-app",
      definition: job([
        { name: "VERSION", type: "string", required: true },
        { name: "COUNT", type: "integer", default: 2 },
        { name: "TOKEN", type: "secret", required: true },
      ]),
    });
    await jobs().update.mutate({
      id: created.id,
      baseVersion: 1,
      definition: job(
        [
          { name: "VERSION", type: "string", required: true },
          { name: "COUNT", type: "integer", default: 3 },
          { name: "TOKEN", type: "secret", required: true },
        ],
        { description: "v2" },
      ),
    });
    const secret = "tok-s3cr3t-value-4711";
    const started = await jobs().run.mutate({
      id: created.id,
      parameters: { VERSION: "1.2.3", TOKEN: secret },
      idempotencyKey: "deploy-app-once",
    });
    expect(started.outcome).toBe("started");
    expect(started.created).toBe(true);
    expect(JSON.stringify(started)).not.toContain(secret);

    const run = await operator.client.execution.runs.get.query({ id: started.runId! });
    expect(run.job).toEqual({ id: created.id, name: "deploy-app", version: 2 });
    expect(run.name).toBe("deploy-app");
    expect(run.parameters).toEqual({ VERSION: "1.2.3", COUNT: 3, TOKEN: "********" });
    expect(run.trigger?.kind).toBe("manual");
    expect(run.createdBy).toBe(operator.id);
    expect(JSON.stringify(run)).not.toContain(secret);

    // A retried start with the same key returns the first run.
    const again = await jobs().run.mutate({
      id: created.id,
      parameters: { VERSION: "1.2.3", TOKEN: secret },
      idempotencyKey: "deploy-app-once",
    });
    expect(again).toMatchObject({ runId: started.runId, created: false });

    // An older version on request.
    const first = await jobs().run.mutate({
      id: created.id,
      version: 1,
      parameters: { VERSION: "1", TOKEN: "tok-1" },
    });
    const firstRun = await operator.client.execution.runs.get.query({ id: first.runId! });
    expect(firstRun.job?.version).toBe(1);
    expect(firstRun.parameters?.COUNT).toBe(2);

    const audit = await system.jobsDb
      .selectFrom("audit_outbox")
      .select(["action", "actor_id", "after"])
      .where("resource_id", "=", created.id)
      .where("action", "=", "job.run")
      .execute();
    expect(audit).toHaveLength(2);
    expect(audit[0]!.actor_id).toBe(operator.id);
    expect(audit[0]!.after).toMatchObject({
      version: 2,
      parameters: { VERSION: "1.2.3", COUNT: 3, TOKEN: "********" },
      runId: started.runId,
    });
    for (const table of ["audit_outbox", "event_outbox"] as const) {
      expect(await allText(system.jobsDb, table)).not.toContain(secret);
      expect(await allText(system.executionDb, table)).not.toContain(secret);
    }
  });

  test("targets from a target-selector parameter", async () => {
    const created = await jobs().create.mutate({
      name: "pick-targets",
      definition: job([{ name: "WHERE", type: "target-selector" }], { targets: { parameter: "WHERE" } }),
    });
    const none = await rejection(jobs().run.mutate({ id: created.id }));
    expect(none.fields["parameters.WHERE"]).toContain("choose the targets");
    const nothing = await rejection(
      jobs().run.mutate({ id: created.id, parameters: { WHERE: "env=nowhere" } }),
    );
    expect(nothing.fields["parameters.WHERE"]).toBeDefined();
    const started = await jobs().run.mutate({ id: created.id, parameters: { WHERE: "env=staging" } });
    const tasks = await operator.client.execution.tasks.list.query({ runId: started.runId! });
    expect(tasks.items.map((task) => task.targetName)).toEqual(["web-staging-1"]);
  });

  test("inside a blackout window a run needs a reason, which is audited and passed on", async () => {
    const created = await jobs().create.mutate({
      name: "frozen-job",
      definition: job([], { tags: ["frozen"] }),
    });
    const local = (date: Date) => date.toISOString().slice(0, 16);
    const ends = new Date(Date.now() + 2 * 3600_000);
    await system.jobsDb
      .insertInto("calendars")
      .values({
        name: "Change freeze",
        time_zone: "UTC",
        windows: JSON.stringify([
          { type: "once", start: local(new Date(Date.now() - 3600_000)), end: local(ends) },
        ]),
        scope: JSON.stringify({ folders: [], tags: ["frozen"] }),
      })
      .execute();
    const refused = await rejection(jobs().run.mutate({ id: created.id }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.fields.overrideReason).toContain('"Change freeze"');
    expect(refused.fields.overrideReason).toContain(local(ends));

    const started = await jobs().run.mutate({ id: created.id, overrideReason: "hotfix for incident 42" });
    const run = await operator.client.execution.runs.get.query({ id: started.runId! });
    expect(run.overrideReason).toBe("hotfix for incident 42");
    const [audit] = await system.jobsDb
      .selectFrom("audit_outbox")
      .select("after")
      .where("resource_id", "=", created.id)
      .where("action", "=", "job.run")
      .execute();
    expect(audit!.after).toMatchObject({
      overrideReason: "hotfix for incident 42",
      blackout: { calendarName: "Change freeze" },
    });
    // Jobs outside the calendar's scope are not held.
    const free = await jobs().create.mutate({ name: "free-job", definition: job([]) });
    expect((await jobs().run.mutate({ id: free.id })).outcome).toBe("started");
  });
});
