import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { streamKey, type TAuditRecord } from "@opsc/contracts";
import { rejection } from "../../../tests/support/errors.ts";
import { startSystem, type TestSystem } from "../../../tests/support/system.ts";

let system: TestSystem;
const ops = () => system.admin.client.targets;

beforeAll(async () => {
  system = await startSystem();
  const fleet: { name: string; address: string; kind: "ssh" | "http"; tags: Record<string, string> }[] = [
    {
      name: "web-1",
      address: "10.0.0.1",
      kind: "ssh" as const,
      tags: { env: "prod", role: "web", region: "eu" },
    },
    {
      name: "web-2",
      address: "10.0.0.2",
      kind: "ssh" as const,
      tags: { env: "prod", role: "web", region: "us" },
    },
    { name: "api-1", address: "10.0.1.1", kind: "ssh" as const, tags: { env: "prod", role: "api" } },
    { name: "db-1", address: "10.0.2.1", kind: "ssh" as const, tags: { env: "prod", role: "db" } },
    { name: "db-staging", address: "10.1.2.1", kind: "ssh" as const, tags: { env: "staging", role: "db" } },
    { name: "status-page", address: "status.example.com", kind: "http" as const, tags: { env: "prod" } },
  ];
  for (const target of fleet) await ops().create.mutate(target);
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

const names = (items: { name: string }[]) => items.map((item) => item.name).sort();

describe("targets", () => {
  test("create fills defaults; names are unique regardless of case", async () => {
    const target = await ops().get.query({
      id: (await ops().list.query({ search: "status-page" })).items[0]!.id,
    });
    expect(target).toMatchObject({
      kind: "http",
      port: 443,
      http: { scheme: "https", path: "/" },
      enabled: true,
      health: { status: "unknown" },
    });
    expect((await ops().list.query({ search: "web-1" })).items[0]).toMatchObject({ port: 22, http: null });
    const duplicate = await rejection(
      ops().create.mutate({ name: "WEB-1", address: "10.9.9.9", kind: "ssh" }),
    );
    expect(duplicate).toMatchObject({
      code: "CONFLICT",
      fields: { name: "A target with this name already exists" },
    });
  });

  test("bad input names the field", async () => {
    const bad = await rejection(
      ops().create.mutate({ name: "no spaces allowed", address: "http://x", kind: "ssh", tags: { "": "x" } }),
    );
    expect(bad.code).toBe("BAD_REQUEST");
    expect(Object.keys(bad.fields)).toEqual(expect.arrayContaining(["name", "address"]));
  });

  test("list filters by search, kind, tag and enabled, and pages with a cursor without gaps or repeats", async () => {
    expect(names((await ops().list.query({ kind: "http" })).items)).toEqual(["status-page"]);
    expect(names((await ops().list.query({ tag: ["role=db"] })).items)).toEqual(["db-1", "db-staging"]);
    expect(names((await ops().list.query({ tag: ["role=db", "env=prod"] })).items)).toEqual(["db-1"]);
    expect(names((await ops().list.query({ search: "10.0.0" })).items)).toEqual(["web-1", "web-2"]);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await ops().list.query({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.total).toBe(6);
      seen.push(...page.items.map((item) => item.name));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(["api-1", "db-1", "db-staging", "status-page", "web-1", "web-2"]);
    expect((await rejection(ops().list.query({ cursor: "garbage" }))).fields.cursor).toBeDefined();
  });

  test.each([
    ["env=prod role in (web,api)", ["api-1", "web-1", "web-2"]],
    ["env=prod !name=db-*", ["api-1", "status-page", "web-1", "web-2"]],
    ["role notin (web, api)", ["db-1", "db-staging", "status-page"]],
    ["region", ["web-1", "web-2"]],
    ["region!=eu kind=ssh", ["api-1", "db-1", "db-staging", "web-2"]],
    ["name=WEB-*", ["web-1", "web-2"]],
    ["address=10.0.*", ["api-1", "db-1", "web-1", "web-2"]],
    ["kind=http", ["status-page"]],
    ["health=unknown env=staging", ["db-staging"]],
    ["", ["api-1", "db-1", "db-staging", "status-page", "web-1", "web-2"]],
  ])("selector %p matches %p (preview and list agree)", async (selector, expected) => {
    const preview = await ops().preview.query({ selector, limit: 50 });
    expect(preview.count).toBe(expected.length);
    expect(names(preview.items)).toEqual(expected);
    expect(names((await ops().list.query({ selector, limit: 50 })).items)).toEqual(expected);
  });

  test("a selector syntax error is a 400 naming the column", async () => {
    const failure = await rejection(ops().preview.query({ selector: "env=prod role in (web" }));
    expect(failure.code).toBe("BAD_REQUEST");
    expect(failure.fields.selector).toMatch(/at column \d+/);
    const rest = await system.handle("http://localhost/api/v1/targets/preview?selector=enabled%3Dmaybe", {
      headers: { authorization: `Bearer ${system.admin.token}` },
    });
    expect(rest.status).toBe(400);
    expect(((await rest.json()) as { error: { message: string } }).error.message).toContain(
      "enabled is true or false",
    );
  });

  test("update: a new address forgets the pinned host key; kind and credentials must fit", async () => {
    const target = (await ops().list.query({ search: "api-1" })).items[0]!;
    await system.targetsDb
      .updateTable("targets")
      .set({
        host_key_algorithm: "ssh-ed25519",
        host_key_fingerprint: "SHA256:old",
        host_key_pinned_at: new Date(),
      })
      .where("id", "=", target.id)
      .execute();
    const moved = await ops().update.mutate({
      id: target.id,
      data: { address: "10.0.1.2", description: "moved" },
    });
    expect(moved).toMatchObject({ address: "10.0.1.2", description: "moved", hostKey: null });
    const credential = await ops().credentials.create.mutate({
      name: "status-token",
      secret: { kind: "http_bearer", token: "t0ken" },
    });
    const wrongSlot = await rejection(
      ops().update.mutate({ id: target.id, data: { credentialId: credential.id } }),
    );
    expect(wrongSlot).toMatchObject({
      code: "BAD_REQUEST",
      fields: { credentialId: expect.stringContaining("ssh_key or ssh_password") },
    });
  });

  test("bulk by ids and by selector, with one audit record per target", async () => {
    const webs = (await ops().list.query({ selector: "role=web" })).items.map((item) => item.id);
    expect(
      await ops().bulk.mutate({ ids: webs, action: "tag", tags: { tier: "front", owner: "team-a" } }),
    ).toEqual({ affected: 2 });
    expect((await ops().preview.query({ selector: "tier=front owner=team-a" })).count).toBe(2);
    expect(await ops().bulk.mutate({ selector: "role=web", action: "untag", tags: { owner: "" } })).toEqual({
      affected: 2,
    });
    expect((await ops().preview.query({ selector: "owner" })).count).toBe(0);
    expect((await ops().preview.query({ selector: "tier=front" })).count).toBe(2);
    expect(await ops().bulk.mutate({ selector: "env=staging", action: "maintenance_on" })).toEqual({
      affected: 1,
    });
    expect((await ops().preview.query({ selector: "maintenance=true" })).count).toBe(1);
    expect((await rejection(ops().bulk.mutate({ action: "enable" }))).fields.ids).toBeDefined();

    for (const relay of system.relays) await relay.drain();
    const entries = await system.redis.redis.xrange(streamKey(system.redis.prefix, "events"), "-", "+");
    const actions = entries
      .map(([, fields]) => JSON.parse(fields[fields.indexOf("data") + 1]!) as TAuditRecord)
      .filter((event) => event.action === "target.bulk_tag");
    expect(actions.map((event) => event.resourceId).sort()).toEqual([...webs].sort());
  });

  test("export and import round-trip; a dry run reports exactly what an import would do", async () => {
    for (const format of ["csv", "yaml"] as const) {
      const exported = await ops().export.query({ format, selector: "role=db" });
      expect(exported.count).toBe(2);
      const dry = await ops().import.mutate({ format, content: exported.content, dryRun: true });
      expect(dry).toMatchObject({ create: [], update: [], unchanged: 2, errors: [], applied: false });
    }
    const csv = [
      "name,address,port,kind,tags,description,enabled",
      "db-1,10.0.2.9,22,ssh,env=prod;role=db,primary,true",
      "cache-1,10.0.3.1,,ssh,env=prod;role=cache,,",
      "broken,not a host!,70000,ssh,,,",
    ].join("\n");
    const dry = await ops().import.mutate({ format: "csv", content: csv, dryRun: true });
    expect(dry.create).toEqual([{ name: "cache-1", address: "10.0.3.1", kind: "ssh" }]);
    expect(dry.update).toEqual([{ name: "db-1", changes: ["address", "description"] }]);
    expect(dry.errors.map((error) => [error.line, error.field])).toEqual([
      [4, "address"],
      [4, "port"],
    ]);
    // With an error in the file, a real import changes nothing at all.
    const refused = await ops().import.mutate({ format: "csv", content: csv, dryRun: false });
    expect(refused.applied).toBe(false);
    expect((await ops().preview.query({ selector: "name=cache-1" })).count).toBe(0);
    const fixed = csv.split("\n").slice(0, 3).join("\n");
    const applied = await ops().import.mutate({ format: "csv", content: fixed, dryRun: false });
    expect(applied.applied).toBe(true);
    expect((await ops().preview.query({ selector: "name=cache-1" })).count).toBe(1);
    expect(
      (await ops().list.query({ search: "db-1" })).items.find((item) => item.name === "db-1")?.address,
    ).toBe("10.0.2.9");
    const unreadable = await rejection(
      ops().import.mutate({ format: "yaml", content: "targets: [: :", dryRun: true }),
    );
    expect(unreadable.fields.content).toContain("Cannot read the YAML");
  });

  test("HTTP options travel through export and import (CSV columns, YAML object)", async () => {
    await ops().create.mutate({
      name: "http-opts",
      address: "127.0.0.1",
      port: 8081,
      kind: "http",
      http: { scheme: "http", path: "/status", expectStatus: 204 },
    });
    for (const format of ["csv", "yaml"] as const) {
      const exported = await ops().export.query({ format, selector: "name=http-opts" });
      const changed =
        format === "csv"
          ? exported.content.replace("/status", "/healthz")
          : exported.content.replace("path: /status", "path: /healthz");
      const dry = await ops().import.mutate({ format, content: changed, dryRun: true });
      expect(dry.update).toEqual([{ name: "http-opts", changes: ["http_options"] }]);
    }
    const csv = "name,address,port,kind,http_scheme,http_path\nhttp-new,127.0.0.1,8082,http,http,/ping";
    await ops().import.mutate({ format: "csv", content: csv, dryRun: false });
    const created = (await ops().list.query({ search: "http-new" })).items[0]!;
    expect(created.http).toMatchObject({ scheme: "http", path: "/ping" });
  });

  test("tags in another order are the same tags: an import reports no change", async () => {
    const exported = await ops().export.query({ format: "csv", selector: "name=web-2" });
    const reordered = exported.content.replace(
      /env=prod;([^,]*)/,
      (_match, rest: string) => `${rest};env=prod`,
    );
    expect(reordered).not.toBe(exported.content);
    const dry = await ops().import.mutate({ format: "csv", content: reordered, dryRun: true });
    expect(dry).toMatchObject({ update: [], unchanged: 1 });
  });

  /** @see the 10,000-target benchmark: one statement held more than PostgreSQL's 65,535 parameters. */
  test("an import of 5,000 targets goes through in one request", async () => {
    const rows = ["name,address,port,kind,tags"];
    for (let index = 0; index < 5000; index++)
      rows.push(`bulk-${index},10.200.${index >> 8}.${index & 255},22,ssh,batch=big`);
    const result = await ops().import.mutate({ format: "csv", content: rows.join("\n"), dryRun: false });
    expect(result).toMatchObject({ applied: true, errors: [] });
    expect(result.create).toHaveLength(5000);
    expect((await ops().preview.query({ selector: "batch=big", limit: 0 })).count).toBe(5000);
    await ops().bulk.mutate({ selector: "batch=big", action: "delete" });
  });

  test("delete removes the target and its history", async () => {
    const target = await ops().create.mutate({ name: "short-lived", address: "10.9.0.1", kind: "ssh" });
    await ops().delete.mutate({ id: target.id });
    expect((await rejection(ops().get.query({ id: target.id }))).code).toBe("NOT_FOUND");
  });
});
