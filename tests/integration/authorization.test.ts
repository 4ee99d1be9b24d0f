/**
 * The authorization matrix: every procedure of every public router, called by every kind of caller.
 * Procedures are enumerated from the routers themselves, so a new procedure without an entry here fails.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createAuditRouter } from "@opsc/audit-service/router";
import { createAuthRouter } from "@opsc/auth/router";
import { hasRole, type TRole } from "@opsc/contracts";
import { createDiscoveryRouter } from "@opsc/discovery/router";
import { createExecutionRouter } from "@opsc/execution/router";
import { createJobsRouter } from "@opsc/jobs/router";
import { createTargetsRouter } from "@opsc/targets/router";
import { createUsersRouter } from "@opsc/users/router";
import { startSystem, type TestSystem } from "../support/system.ts";

type RequiredRole = TRole | "public";
interface Caller {
  name: string;
  role: TRole | null;
  isApiKey: boolean;
  headers: Record<string, string>;
}

let system: TestSystem;
let callers: Caller[];
let ids: Ids;

/** A valid-looking input per procedure; the matrix is about who may call, not about what the call does. */
interface Ids {
  victimId: string;
  targetId: string;
  credentialId: string;
  rangeId: string;
  scanId: string;
  runId: string;
  executionRunId: string;
  executionTaskId: string;
  jobId: string;
}

/** A job definition every matrix call can save again unchanged (so `jobs.update` keeps baseVersion 1). */
const MATRIX_JOB_DEFINITION = {
  targets: { selector: "kind=http" },
  parameters: [
    {
      name: "COLOR",
      type: "choice" as const,
      choices: { type: "static" as const, values: [{ value: "red" }, { value: "green" }] },
    },
  ],
  steps: [{ key: "main", name: "Main", action: { type: "noop" as const } }],
};

/** An id nothing has: a call that passed the role check answers 404. */
const NIL_ID = "00000000-0000-4000-8000-000000000000";

const SAMPLE_INPUTS: Record<string, (ids: Ids) => unknown> = {
  "auth.setup.status": () => ({}),
  "auth.setup.createAdmin": () => ({
    token: "x".repeat(20),
    email: "nobody@example.com",
    name: "No",
    password: "long enough password",
  }),
  "users.accounts.list": () => ({}),
  "users.accounts.get": ({ victimId }) => ({ id: victimId }),
  "users.accounts.create": () => ({
    email: `m-${crypto.randomUUID().slice(0, 8)}@example.com`,
    name: "M",
    role: "viewer",
    password: "long enough password",
  }),
  "users.accounts.update": ({ victimId }) => ({ id: victimId, data: { name: "Renamed" } }),
  "users.accounts.disable": ({ victimId }) => ({ id: victimId }),
  "users.accounts.enable": ({ victimId }) => ({ id: victimId }),
  "users.accounts.resetPassword": ({ victimId }) => ({ id: victimId, newPassword: "another long password" }),
  "users.accounts.delete": () => ({ id: "does-not-exist" }),
  "users.me.get": () => undefined,
  "users.me.update": () => ({ name: "Same Name" }),
  "users.me.updatePreferences": () => ({ theme: "dark" }),
  "users.me.changePassword": () => ({
    currentPassword: "wrong password!",
    newPassword: "another long password",
  }),
  "users.me.twoFactor.enable": () => ({ password: "wrong password!" }),
  "users.me.twoFactor.verify": () => ({ code: "123456" }),
  "users.me.twoFactor.disable": () => ({ password: "wrong password!" }),
  "users.me.apiKeys.list": () => undefined,
  "users.me.apiKeys.create": () => ({ name: "matrix", expiresInDays: 1, role: "viewer" }),
  "users.me.apiKeys.revoke": () => ({ id: "does-not-exist" }),
  "targets.list": () => ({ selector: "env=prod" }),
  "targets.get": ({ targetId }) => ({ id: targetId }),
  "targets.create": () => ({
    name: `m-${crypto.randomUUID().slice(0, 8)}`,
    address: "127.0.0.1",
    kind: "http",
  }),
  "targets.update": ({ targetId }) => ({ id: targetId, data: { description: "matrix" } }),
  "targets.delete": () => ({ id: "00000000-0000-4000-8000-000000000000" }),
  "targets.preview": () => ({ selector: "kind=http" }),
  "targets.bulk": ({ targetId }) => ({ ids: [targetId], action: "tag", tags: { matrix: "yes" } }),
  "targets.export": () => ({ format: "yaml" }),
  "targets.import": () => ({ format: "yaml", content: "targets: []", dryRun: true }),
  "targets.testConnection": ({ targetId }) => ({ id: targetId }),
  "targets.repinHostKey": ({ targetId }) => ({ id: targetId }),
  "targets.health": ({ targetId }) => ({ id: targetId }),
  "targets.credentials.list": () => undefined,
  "targets.credentials.get": ({ credentialId }) => ({ id: credentialId }),
  "targets.credentials.create": () => ({
    name: `c-${crypto.randomUUID().slice(0, 8)}`,
    secret: { kind: "http_bearer", token: "matrix-token" },
  }),
  "targets.credentials.update": ({ credentialId }) => ({ id: credentialId, data: { description: "matrix" } }),
  "targets.credentials.delete": () => ({ id: "00000000-0000-4000-8000-000000000000" }),
  "discovery.ranges.list": () => undefined,
  "discovery.ranges.create": () => ({ cidr: `127.${Math.floor(Math.random() * 200) + 20}.0.0/24` }),
  "discovery.ranges.update": ({ rangeId }) => ({ id: rangeId, data: { description: "matrix" } }),
  "discovery.ranges.delete": () => ({ id: "00000000-0000-4000-8000-000000000000" }),
  "discovery.scans.list": () => ({}),
  "discovery.scans.get": ({ scanId }) => ({ id: scanId }),
  "discovery.scans.create": () => ({
    name: `m-${crypto.randomUUID().slice(0, 8)}`,
    ranges: ["127.1.9.0/30"],
    ports: [22],
  }),
  "discovery.scans.update": ({ scanId }) => ({ id: scanId, data: { description: "matrix" } }),
  "discovery.scans.delete": () => ({ id: "00000000-0000-4000-8000-000000000000" }),
  // Queued for a worker that does not exist here; a second call is a 409, which is fine for the matrix.
  "discovery.scans.run": ({ scanId }) => ({ id: scanId }),
  "discovery.runs.list": ({ scanId }) => ({ scanId }),
  "discovery.runs.get": ({ runId }) => ({ id: runId }),
  "discovery.runs.cancel": () => ({ id: "00000000-0000-4000-8000-000000000000" }),
  "execution.runs.start": ({ targetId }) => ({ action: { type: "noop" }, targets: { ids: [targetId] } }),
  "execution.runs.list": () => ({}),
  "execution.runs.get": ({ executionRunId }) => ({ id: executionRunId }),
  // The first allowed caller cancels it; later ones get a 409, which is fine for the matrix.
  "execution.runs.cancel": ({ executionRunId }) => ({ id: executionRunId }),
  "execution.runs.retry": ({ executionRunId }) => ({ id: executionRunId }),
  "execution.runs.lineage": ({ executionRunId }) => ({ id: executionRunId }),
  "execution.runs.stats": () => ({}),
  "execution.tasks.list": ({ executionRunId }) => ({ runId: executionRunId }),
  "execution.tasks.get": ({ executionTaskId }) => ({ id: executionTaskId }),
  "execution.tasks.cancel": () => ({ id: "00000000-0000-4000-8000-000000000000" }),
  "execution.logs.read": ({ executionRunId }) => ({ runId: executionRunId }),
  "execution.logs.tail": ({ executionRunId }) => ({ runId: executionRunId }),
  "execution.artifacts.list": ({ executionRunId }) => ({ runId: executionRunId }),
  "execution.maintenance.status": () => undefined,
  "discovery.results.list": ({ runId }) => ({ runId }),
  "discovery.results.diff": ({ runId }) => ({ runId }),
  "discovery.results.import": ({ runId }) => ({ runId, hosts: [{ address: "127.1.9.1" }] }),
  "jobs.export": () => ({}),
  // A preview of nothing: allowed callers get an empty preview.
  "jobs.import": () => ({ yaml: "" }),
  "jobs.list": () => ({}),
  "jobs.get": ({ jobId }) => ({ id: jobId }),
  "jobs.create": () => ({ name: `m-${crypto.randomUUID().slice(0, 8)}`, definition: MATRIX_JOB_DEFINITION }),
  "jobs.update": ({ jobId }) => ({ id: jobId, baseVersion: 1, definition: MATRIX_JOB_DEFINITION }),
  "jobs.delete": () => ({ id: "00000000-0000-4000-8000-000000000000" }),
  "jobs.setOwner": ({ jobId }) => ({ id: jobId, owner: null }),
  "jobs.versions.list": ({ jobId }) => ({ id: jobId }),
  "jobs.versions.get": ({ jobId }) => ({ id: jobId, version: 1 }),
  "jobs.versions.diff": ({ jobId }) => ({ id: jobId, from: 1, to: 1 }),
  "jobs.choices": ({ jobId }) => ({ id: jobId, parameter: "COLOR", values: {} }),
  // Refused for its value (400) once the role passed: the matrix is about who may call.
  "jobs.run": ({ jobId }) => ({ id: jobId, parameters: { COLOR: "blue" } }),
  // Schedules, calendars and webhooks: unknown ids answer 404 once the role passed.
  "jobs.schedules.list": () => ({}),
  "jobs.schedules.preview": () => ({ kind: "cron", cron: "0 3 * * *", timeZone: "Europe/Paris" }),
  "jobs.schedules.get": () => ({ id: NIL_ID }),
  "jobs.schedules.fires": () => ({ id: NIL_ID }),
  "jobs.schedules.create": ({ jobId }) => ({
    jobId,
    name: `m-${crypto.randomUUID().slice(0, 8)}`,
    kind: "interval",
    intervalSeconds: 3600,
  }),
  "jobs.schedules.update": () => ({ id: NIL_ID, data: { name: "renamed" } }),
  "jobs.schedules.pause": () => ({ id: NIL_ID }),
  "jobs.schedules.resume": () => ({ id: NIL_ID }),
  "jobs.schedules.delete": () => ({ id: NIL_ID }),
  "jobs.calendars.list": () => ({}),
  "jobs.calendars.preview": () => ({
    timeZone: "UTC",
    windows: [{ type: "recurring", cron: "0 1 * * *", durationMinutes: 30 }],
  }),
  "jobs.calendars.get": () => ({ id: NIL_ID }),
  "jobs.calendars.create": () => ({
    name: `m-${crypto.randomUUID().slice(0, 8)}`,
    // Far in the past: the matrix's own runs are never inside it.
    windows: [{ type: "once", start: "2001-01-01T00:00", end: "2001-01-02T00:00" }],
    scope: { tags: ["matrix"] },
  }),
  "jobs.calendars.update": () => ({ id: NIL_ID, data: { description: "x" } }),
  "jobs.calendars.delete": () => ({ id: NIL_ID }),
  "jobs.webhooks.list": ({ jobId }) => ({ jobId }),
  "jobs.webhooks.create": ({ jobId }) => ({ jobId, name: `m-${crypto.randomUUID().slice(0, 8)}` }),
  "jobs.webhooks.rotateSecret": () => ({ id: NIL_ID }),
  "jobs.webhooks.update": () => ({ id: NIL_ID, data: { enabled: false } }),
  "jobs.webhooks.delete": () => ({ id: NIL_ID }),
  "jobs.webhooks.deliveries": () => ({ id: NIL_ID }),
  "audit.records.list": () => ({ action: "target.created" }),
  "audit.records.get": () => ({ seq: 1 }),
  "audit.verify": () => ({}),
};

function proceduresOf(service: string, routerInstance: { _def: { procedures: Record<string, unknown> } }) {
  return Object.entries(routerInstance._def.procedures).map(([path, procedure]) => {
    const def = (
      procedure as {
        _def: {
          type: "query" | "mutation" | "subscription";
          meta?: { role?: RequiredRole; requiresSession?: boolean };
        };
      }
    )._def;
    const meta = def.meta ?? {};
    return {
      service,
      path,
      key: `${service}.${path}`,
      type: def.type,
      role: meta.role ?? "public",
      requiresSession: meta.requiresSession === true,
    };
  });
}

/**
 * A subscription answers 200 with an event stream at once; a refusal is its first event after `connected`, an
 * error carrying the HTTP status it stands for. A stream that sends no error within 300 ms was allowed.
 */
async function subscriptionStatus(response: Response): Promise<number> {
  if (response.status !== 200 || !response.body) return response.status;
  const reader = response.body.getReader();
  const deadline = Bun.sleep(300).then(() => null);
  let text = "";
  try {
    for (;;) {
      const chunk = await Promise.race([reader.read(), deadline]);
      if (!chunk || chunk.done) return 200;
      text += new TextDecoder().decode(chunk.value);
      const error = /event: serialized-error\ndata: (.*)\n/.exec(text);
      if (error) return Number(/"httpStatus":(\d+)/.exec(error[1]!)?.[1] ?? 500);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

beforeAll(async () => {
  system = await startSystem();
  const viewer = await system.createUser("viewer");
  const operator = await system.createUser("operator");
  const { key } = await system.admin.client.users.me.apiKeys.create.mutate({
    name: "capped",
    expiresInDays: 1,
    role: "viewer",
  });
  const { key: adminKey } = await system.admin.client.users.me.apiKeys.create.mutate({
    name: "full",
    expiresInDays: 1,
  });
  const victim = await system.admin.client.users.accounts.create.mutate({
    email: "victim@example.com",
    name: "Victim",
    role: "viewer",
    password: "long enough password",
  });
  const credential = await system.admin.client.targets.credentials.create.mutate({
    name: "matrix-credential",
    secret: { kind: "http_bearer", token: "matrix-secret" },
  });
  // Port 9 on loopback: nothing listens, so a connection test fails at once, as a result, not an error.
  const target = await system.admin.client.targets.create.mutate({
    name: "matrix-target",
    address: "127.0.0.1",
    port: 9,
    kind: "http",
    credentialId: credential.id,
  });
  const range = await system.admin.client.discovery.ranges.create.mutate({ cidr: "127.1.9.0/24" });
  const scan = await system.admin.client.discovery.scans.create.mutate({
    name: "matrix-scan",
    ranges: ["127.1.9.0/30"],
    ports: [22],
  });
  const run = await system.admin.client.discovery.scans.run.mutate({ id: scan.id });
  // No execution worker runs here: the run stays queued until the matrix cancels it.
  const executionRun = await system.admin.client.execution.runs.start.mutate({
    action: { type: "noop" },
    targets: { ids: [target.id] },
  });
  const job = await system.admin.client.jobs.create.mutate({
    name: "matrix-job",
    definition: MATRIX_JOB_DEFINITION,
  });
  const [executionTask] = (
    await system.admin.client.execution.tasks.list.query({ runId: executionRun.run.id })
  ).items;
  ids = {
    jobId: job.id,
    executionRunId: executionRun.run.id,
    executionTaskId: executionTask!.id,
    victimId: victim.id,
    targetId: target.id,
    credentialId: credential.id,
    rangeId: range.id,
    scanId: scan.id,
    runId: run.id,
  };
  callers = [
    { name: "anonymous", role: null, isApiKey: false, headers: {} },
    { name: "viewer", role: "viewer", isApiKey: false, headers: { authorization: `Bearer ${viewer.token}` } },
    {
      name: "operator",
      role: "operator",
      isApiKey: false,
      headers: { authorization: `Bearer ${operator.token}` },
    },
    {
      name: "admin",
      role: "admin",
      isApiKey: false,
      headers: { authorization: `Bearer ${system.admin.token}` },
    },
    {
      name: "admin's API key capped at viewer",
      role: "viewer",
      isApiKey: true,
      headers: { "x-api-key": key },
    },
    { name: "admin's full API key", role: "admin", isApiKey: true, headers: { "x-api-key": adminKey } },
    {
      name: "a forged API key",
      role: null,
      isApiKey: true,
      headers: { "x-api-key": `opsc_${"x".repeat(64)}` },
    },
  ];
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

const stub = {
  db: {} as never,
  identity: (() => ({})) as never,
  log: {} as never,
  auth: {} as never,
  setupToken: undefined,
  vault: {} as never,
  defaultIntervalSeconds: 60,
  connectTimeoutMs: 1000,
};
const procedures = [
  ...proceduresOf("auth", createAuthRouter(stub) as never),
  ...proceduresOf("users", createUsersRouter(stub) as never),
  ...proceduresOf("targets", createTargetsRouter(stub) as never),
  ...proceduresOf("discovery", createDiscoveryRouter(stub as never) as never),
  ...proceduresOf("execution", createExecutionRouter(stub as never) as never),
  ...proceduresOf("jobs", createJobsRouter(stub as never) as never),
  ...proceduresOf("audit", createAuditRouter(stub as never) as never),
];

describe("authorization matrix", () => {
  test("every procedure has a sample input and a declared role", () => {
    for (const procedure of procedures) {
      expect(SAMPLE_INPUTS[procedure.key], `sample input for ${procedure.key}`).toBeDefined();
      expect(["public", "viewer", "operator", "admin"]).toContain(procedure.role);
    }
  });

  for (const procedure of procedures) {
    test(`${procedure.key} requires ${procedure.role}${procedure.requiresSession ? " in a session" : ""}`, async () => {
      const publicStatuses = new Set<number>();
      for (const caller of callers) {
        const input = SAMPLE_INPUTS[procedure.key]?.(ids);
        const encoded = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
        const url = `http://localhost/trpc/${procedure.service}/${procedure.path}`;
        const response =
          procedure.type !== "mutation"
            ? await system.handle(`${url}${encoded}`, { headers: caller.headers })
            : await system.handle(url, {
                method: "POST",
                headers: { ...caller.headers, "content-type": "application/json" },
                body: JSON.stringify(input ?? {}),
              });
        const status =
          procedure.type === "subscription" ? await subscriptionStatus(response) : response.status;
        const label = `${procedure.key} as ${caller.name} → ${status}`;
        if (procedure.role === "public") {
          // A public procedure answers everyone alike: whatever it decides, it is not decided by the caller.
          publicStatuses.add(status);
          expect(status, label).toBeLessThan(500);
          continue;
        }
        const allowed =
          caller.role !== null &&
          hasRole(caller.role, procedure.role) &&
          !(procedure.requiresSession && caller.isApiKey);
        if (allowed) {
          expect([401, 403], label).not.toContain(status);
          expect(status, label).toBeLessThan(500);
        } else {
          expect(status, label).toBe(caller.role === null ? 401 : 403);
        }
      }
      expect(publicStatuses.size, `${procedure.key} answers callers differently`).toBeLessThanOrEqual(1);
    });
  }
});

/**
 * The execution service's byte downloads are plain HTTP routes, outside the routers the matrix enumerates: the same
 * callers, the same rule (viewer and above; 401 without valid credentials), and 404 for an unknown id.
 */
describe("download routes", () => {
  let artifactId: string;
  beforeAll(async () => {
    const [task] = await system.executionDb
      .selectFrom("tasks")
      .select(["id", "run_id"])
      .where("run_id", "=", ids.executionRunId)
      .execute();
    const key = `artifacts/${task!.run_id}/${task!.id}/matrix.txt`;
    await system.objectStore.put(key, "matrix bytes", { contentType: "text/plain" });
    const row = await system.executionDb
      .insertInto("artifacts")
      .values({
        run_id: task!.run_id,
        task_id: task!.id,
        name: "matrix.txt",
        size: 12,
        sha256: new Bun.CryptoHasher("sha256").update("matrix bytes").digest("hex"),
        content_type: "text/plain",
        object_key: key,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    artifactId = row.id;
  });

  const routes = () => [
    {
      name: "artifact content",
      path: `/api/v1/execution/artifacts/${artifactId}/content`,
      body: "matrix bytes",
    },
    {
      name: "run log",
      path: `/api/v1/execution/runs/${ids.executionRunId}/log.txt`,
      body: "== matrix-target (",
    },
  ];

  test("every signed-in caller may download; anonymous and forged credentials get 401", async () => {
    for (const route of routes()) {
      for (const caller of callers) {
        const response = await system.handle(`http://localhost${route.path}`, { headers: caller.headers });
        const label = `${route.name} as ${caller.name} → ${response.status}`;
        if (caller.role === null) {
          expect(response.status, label).toBe(401);
          expect(((await response.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
        } else {
          expect(response.status, label).toBe(200);
          expect(await response.text(), label).toContain(route.body);
        }
      }
    }
  });

  test("an unknown or malformed id is a 404 for an allowed caller, after the credentials are checked", async () => {
    const viewer = callers.find((caller) => caller.name === "viewer")!;
    for (const path of [
      `/api/v1/execution/artifacts/${crypto.randomUUID()}/content`,
      "/api/v1/execution/artifacts/not-a-uuid/content",
      `/api/v1/execution/runs/${crypto.randomUUID()}/log.txt`,
    ]) {
      const response = await system.handle(`http://localhost${path}`, { headers: viewer.headers });
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
      expect((await system.handle(`http://localhost${path}`)).status, `${path} anonymous`).toBe(401);
    }
  });
});
