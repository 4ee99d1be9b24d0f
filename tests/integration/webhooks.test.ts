/**
 * Webhook triggers: managing them (the URL and secret shown once, never stored in clear), and the trigger route
 * `POST /api/v1/jobs/hooks/<token>` (signature, timestamp, nonce replay, payload mapping, blackout, disabled hooks),
 * each refusal recorded as a delivery; an accepted call starts a run of the job.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHmac, randomBytes } from "node:crypto";
import { rejection } from "../support/errors.ts";
import { createJobFactory, startJobsSystem } from "../support/jobs.ts";
import type { SignedInUser, TestSystem } from "../support/system.ts";

let system: TestSystem;
let operator: SignedInUser;
let viewer: SignedInUser;
const api = () => operator.client.jobs;

beforeAll(async () => {
  ({ system, operator, viewer } = await startJobsSystem({ suite: "webhooks" }));
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

const createJob = createJobFactory(api, {
  name: "hooked",
  suite: "webhooks",
  definition: {
    parameters: [
      { name: "BRANCH", type: "string", required: true },
      { name: "COUNT", type: "integer", min: 1, max: 10, default: 1 },
      { name: "ENVIRONMENT", type: "string", default: "staging" },
      { name: "TOKEN", type: "secret" },
    ],
  },
});

interface CallOptions {
  secret: string;
  body?: string;
  timestamp?: number;
  nonce?: string;
  /** Sign this instead of the body (a tampered call). */
  signedBody?: string;
  headers?: Record<string, string | null>;
}

/** What the trigger answers: an accepted call, or the error envelope. */
interface Answer {
  outcome?: string;
  runId: string;
  activeRunId?: string | null;
  deliveryId?: string;
  error: { code: string; message: string; issues: { path: string[]; message: string }[] | null };
}

/** Calls the trigger as an external system would: HMAC-SHA256 of "<timestamp>.<nonce>.<raw body>". */
async function call(url: string, options: CallOptions) {
  const body = options.body ?? "{}";
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? randomBytes(12).toString("hex");
  const hmac = createHmac("sha256", options.secret).update(`${timestamp}.${nonce}.`);
  hmac.update(options.signedBody ?? body);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-opsc-timestamp": timestamp,
    "x-opsc-nonce": nonce,
    "x-opsc-signature": `sha256=${hmac.digest("hex")}`,
  };
  for (const [name, value] of Object.entries(options.headers ?? {}))
    if (value === null) delete headers[name];
    else headers[name] = value;
  const response = await system.handle(`http://localhost${url}`, { method: "POST", headers, body });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as Answer };
}

async function createHook(jobId: string, extra: Record<string, unknown> = {}) {
  return api().webhooks.create.mutate({
    jobId,
    name: `hook-${crypto.randomUUID().slice(0, 8)}`,
    parameterMapping: { BRANCH: "ref", COUNT: "build.count" },
    staticParameters: { ENVIRONMENT: "production", TOKEN: "static-secret-value" },
    ...extra,
  });
}

async function deliveries(id: string) {
  return (await viewer.client.jobs.webhooks.deliveries.query({ id })).items;
}

describe("managing webhooks", () => {
  test("the URL and secret are returned once; only a hash and a sealed secret are stored", async () => {
    const job = await createJob();
    const created = await createHook(job.id);
    expect(created.url).toMatch(/^\/api\/v1\/jobs\/hooks\/[A-Za-z0-9_-]{43}$/);
    expect(created.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(created.webhook).toMatchObject({
      jobId: job.id,
      enabled: true,
      parameterMapping: { BRANCH: "ref", COUNT: "build.count" },
      staticParameters: { ENVIRONMENT: "production" },
      secretParameters: ["TOKEN"],
      createdBy: operator.id,
    });
    const token = created.url.split("/").at(-1)!;
    const listed = await viewer.client.jobs.webhooks.list.query({ jobId: job.id });
    expect(listed.items.map((item) => item.id)).toEqual([created.webhook.id]);
    const everything = JSON.stringify(listed);
    for (const secret of [created.secret, token, "static-secret-value"])
      expect(everything).not.toContain(secret);

    const row = await system.jobsDb
      .selectFrom("webhooks")
      .selectAll()
      .where("id", "=", created.webhook.id)
      .executeTakeFirstOrThrow();
    const stored = JSON.stringify(row);
    for (const secret of [created.secret, token, "static-secret-value"]) expect(stored).not.toContain(secret);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    const audits = JSON.stringify(await system.jobsDb.selectFrom("audit_outbox").selectAll().execute());
    for (const secret of [created.secret, token, "static-secret-value"]) expect(audits).not.toContain(secret);
  });

  test("bad mappings and static values name the field; viewers cannot create", async () => {
    const job = await createJob();
    const unknown = await rejection(createHook(job.id, { parameterMapping: { NOPE: "a.b" } }));
    expect(Object.keys(unknown.fields)).toContain("parameterMapping.NOPE");
    const badPath = await rejection(createHook(job.id, { parameterMapping: { BRANCH: "a..b" } }));
    expect(Object.keys(badPath.fields)).toContain("parameterMapping.BRANCH");
    const badStatic = await rejection(createHook(job.id, { staticParameters: { COUNT: 99 } }));
    expect(badStatic.fields["staticParameters.COUNT"]).toContain("at most 10");
    const refused = await rejection(
      viewer.client.jobs.webhooks.create.mutate({ jobId: job.id, name: "v", parameterMapping: {} }),
    );
    expect(refused.code).toBe("FORBIDDEN");
  });
});

describe("the trigger", () => {
  test("a valid call maps the payload and starts a run (202), recorded as a delivery", async () => {
    const job = await createJob();
    const { webhook, url, secret } = await createHook(job.id);
    const result = await call(url, {
      secret,
      body: JSON.stringify({ ref: "refs/heads/main", build: { count: 3 }, other: [1, 2] }),
    });
    expect(result.status).toBe(202);
    expect(result.json).toMatchObject({ outcome: "started", activeRunId: null });
    const run = await system.admin.client.execution.runs.get.query({ id: result.json.runId });
    expect(run.trigger).toEqual({ kind: "webhook", id: webhook.id, label: webhook.name });
    expect(run.createdBy).toBe(operator.id);
    expect(run.parameters).toEqual({
      BRANCH: "refs/heads/main",
      COUNT: 3,
      ENVIRONMENT: "production",
      TOKEN: "********",
    });
    const [delivery] = await deliveries(webhook.id);
    expect(delivery).toMatchObject({
      status: 202,
      outcome: "started",
      runId: result.json.runId,
      reason: null,
    });
    expect(delivery!.id).toBe(result.json.deliveryId!);
    expect(
      (await viewer.client.jobs.webhooks.list.query({ jobId: job.id })).items[0]!.lastCalledAt,
    ).not.toBeNull();
  });

  test("unknown and disabled hooks answer 404 alike; only the known one is recorded", async () => {
    const job = await createJob();
    const { webhook, url, secret } = await createHook(job.id);
    const unknown = await call(`/api/v1/jobs/hooks/${randomBytes(32).toString("base64url")}`, { secret });
    expect(unknown.status).toBe(404);
    await api().webhooks.update.mutate({ id: webhook.id, data: { enabled: false } });
    const disabled = await call(url, { secret, body: JSON.stringify({ ref: "x" }) });
    expect(disabled.status).toBe(404);
    expect(disabled.json.error.message).toBe(unknown.json.error.message);
    expect((await deliveries(webhook.id)).map((item) => [item.status, item.outcome])).toEqual([
      [404, "refused-disabled"],
    ]);
    await api().webhooks.update.mutate({ id: webhook.id, data: { enabled: true } });
    expect((await call(url, { secret, body: JSON.stringify({ ref: "x" }) })).status).toBe(202);
  });

  test("a missing, malformed or wrong signature is refused (401) without echoing the secret", async () => {
    const job = await createJob();
    const { webhook, url, secret } = await createHook(job.id);
    const body = JSON.stringify({ ref: "main" });
    const missing = await call(url, { secret, body, headers: { "x-opsc-signature": null } });
    expect(missing.status).toBe(401);
    expect(missing.json.error.message).toContain("X-OpsC-Signature");
    const noNonce = await call(url, { secret, body, headers: { "x-opsc-nonce": null } });
    expect(noNonce.status).toBe(401);
    expect(noNonce.json.error.message).toContain("X-OpsC-Nonce");
    const shortNonce = await call(url, { secret, body, nonce: "abc" });
    expect(shortNonce.status).toBe(401);
    const dotted = await call(url, { secret, body, nonce: "abcdefgh.ijk" });
    expect(dotted.status).toBe(401);
    const tampered = await call(url, { secret, body, signedBody: JSON.stringify({ ref: "other" }) });
    expect(tampered.status).toBe(401);
    expect(tampered.json.error.message).toBe("The signature does not match");
    const wrongKey = await call(url, { secret: randomBytes(32).toString("hex"), body });
    expect(wrongKey.status).toBe(401);
    for (const answer of [missing, noNonce, shortNonce, dotted, tampered, wrongKey])
      expect(answer.text).not.toContain(secret);
    const recorded = await deliveries(webhook.id);
    expect(recorded).toHaveLength(6);
    expect(recorded.every((item) => item.status === 401 && item.outcome === "refused-signature")).toBe(true);
    expect(await system.admin.client.execution.runs.list.query({ jobId: job.id })).toMatchObject({
      items: [],
    });
  });

  test("a stale timestamp is refused (401), in the past or the future", async () => {
    const job = await createJob();
    const { webhook, url, secret } = await createHook(job.id);
    const now = Math.floor(Date.now() / 1000);
    const old = await call(url, { secret, body: '{"ref":"main"}', timestamp: now - 301 });
    expect(old.status).toBe(401);
    expect(old.json.error.message).toContain("timestamp");
    const ahead = await call(url, { secret, body: '{"ref":"main"}', timestamp: now + 400 });
    expect(ahead.status).toBe(401);
    expect((await deliveries(webhook.id)).map((item) => item.outcome)).toEqual([
      "refused-timestamp",
      "refused-timestamp",
    ]);
    expect((await call(url, { secret, body: '{"ref":"main"}', timestamp: now - 200 })).status).toBe(202);
  });

  test("a replayed nonce is refused (409): the same call twice starts one run", async () => {
    const job = await createJob();
    const { webhook, url, secret } = await createHook(job.id);
    const options = {
      secret,
      body: '{"ref":"main"}',
      nonce: "replay-me-123",
      timestamp: Math.floor(Date.now() / 1000),
    };
    const first = await call(url, options);
    expect(first.status).toBe(202);
    const replay = await call(url, options);
    expect(replay.status).toBe(409);
    expect(replay.json.error.message).toContain("nonce");
    expect((await deliveries(webhook.id)).map((item) => [item.status, item.outcome])).toEqual([
      [409, "refused-replay"],
      [202, "started"],
    ]);
    expect((await system.admin.client.execution.runs.list.query({ jobId: job.id })).items).toHaveLength(1);
    // The nonce lives under the service's Redis prefix, with a TTL.
    const keys = await system.redis.redis.keys(`${system.redis.prefix}:jobs:webhook-nonce:${webhook.id}:*`);
    expect(keys).toHaveLength(1);
    expect(await system.redis.redis.ttl(keys[0]!)).toBeGreaterThan(500);
  });

  test("payloads: not JSON (400), a mapped value the parameter refuses (400 naming it), too large (413)", async () => {
    const job = await createJob();
    const { webhook, url, secret } = await createHook(job.id);
    const notJson = await call(url, { secret, body: "ref=main" });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.message).toContain("not JSON");
    const badCount = await call(url, {
      secret,
      body: JSON.stringify({ ref: "main", build: { count: "many" } }),
    });
    expect(badCount.status).toBe(400);
    expect(badCount.json.error.issues?.[0]?.path).toEqual(["parameters", "COUNT"]);
    const objectBranch = await call(url, { secret, body: JSON.stringify({ ref: { name: "main" } }) });
    expect(objectBranch.status).toBe(400);
    expect(objectBranch.json.error.message).toContain("BRANCH");
    const missingBranch = await call(url, { secret, body: JSON.stringify({ build: { count: 2 } }) });
    expect(missingBranch.status).toBe(400);
    expect(missingBranch.json.error.issues?.[0]?.path).toEqual(["parameters", "BRANCH"]);
    const huge = await call(url, { secret, body: JSON.stringify({ ref: "x".repeat(1024 * 1024) }) });
    expect(huge.status).toBe(413);
    expect((await deliveries(webhook.id)).map((item) => [item.status, item.outcome])).toEqual([
      [413, "refused-payload"],
      [400, "refused-parameters"],
      [400, "refused-parameters"],
      [400, "refused-parameters"],
      [400, "refused-payload"],
    ]);
  });

  test("inside a blackout window a call is refused (409) naming the calendar", async () => {
    const job = await createJob();
    const { webhook, url, secret } = await createHook(job.id);
    const local = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().slice(0, 16);
    await api().calendars.create.mutate({
      name: "Webhook freeze",
      windows: [{ type: "once", start: local(-3_600_000), end: local(3_600_000) }],
      scope: { folders: [], tags: [job.tags[0]!] },
    });
    const refused = await call(url, { secret, body: '{"ref":"main"}' });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain('"Webhook freeze"');
    expect((await deliveries(webhook.id))[0]).toMatchObject({ status: 409, outcome: "refused-blackout" });
  });

  test("the job's concurrency policy answers queued or skipped, still 202", async () => {
    const job = await createJob({ concurrency: "skip" });
    const { url, secret } = await createHook(job.id);
    const first = await call(url, { secret, body: '{"ref":"a"}' });
    const second = await call(url, { secret, body: '{"ref":"b"}' });
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.json).toMatchObject({ outcome: "skipped", runId: null, activeRunId: first.json.runId });
  });

  test("rotating the secret: the old one is refused, the new one works", async () => {
    const job = await createJob();
    const { webhook, url, secret } = await createHook(job.id);
    const rotated = await api().webhooks.rotateSecret.mutate({ id: webhook.id });
    expect(rotated.secret).not.toBe(secret);
    expect((await call(url, { secret, body: '{"ref":"main"}' })).status).toBe(401);
    expect((await call(url, { secret: rotated.secret, body: '{"ref":"main"}' })).status).toBe(202);
    const actions = await system.jobsDb
      .selectFrom("audit_outbox")
      .select("action")
      .where("resource_id", "=", webhook.id)
      .orderBy("id")
      .execute();
    expect(actions.map((row) => row.action)).toEqual(["webhook.created", "webhook.secret_rotated"]);
    await api().webhooks.delete.mutate({ id: webhook.id });
    expect((await call(url, { secret: rotated.secret, body: '{"ref":"main"}' })).status).toBe(404);
  });
});
