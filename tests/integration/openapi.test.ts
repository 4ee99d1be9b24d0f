import { describe, expect, test } from "bun:test";
import { createAuditRouter } from "@opsc/audit-service/router";
import { createAuthRouter } from "@opsc/auth/router";
import { createDiscoveryRouter } from "@opsc/discovery/router";
import { createJobsRouter } from "@opsc/jobs/router";
import { createServiceOpenApiDocument, mergeOpenApiDocuments } from "@opsc/server-kit";
import { createTargetsRouter } from "@opsc/targets/router";
import { createUsersRouter } from "@opsc/users/router";
import { Validator } from "@seriousme/openapi-schema-validator";

// Document generation reads only procedure metadata and schemas; the dependencies are never called.
const deps = {
  db: {} as never,
  identity: (() => ({})) as never,
  log: {} as never,
  auth: {} as never,
  setupToken: undefined,
};

describe("OpenAPI", () => {
  const merged = mergeOpenApiDocuments(
    [
      createServiceOpenApiDocument(createAuthRouter(deps), { title: "auth", version: "1" }),
      createServiceOpenApiDocument(createUsersRouter(deps), { title: "users", version: "1" }),
      createServiceOpenApiDocument(createTargetsRouter(deps as never), { title: "targets", version: "1" }),
      createServiceOpenApiDocument(createDiscoveryRouter(deps as never), {
        title: "discovery",
        version: "1",
      }),
      createServiceOpenApiDocument(createJobsRouter(deps as never), { title: "jobs", version: "1" }),
      createServiceOpenApiDocument(createAuditRouter(deps as never), { title: "audit", version: "1" }),
    ],
    { title: "OpsConductor", version: "1" },
  );

  test("the merged document is valid OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(merged as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  test("every service's paths are in it under its own prefix, with security on protected operations", () => {
    const paths = Object.keys(merged.paths ?? {});
    expect(paths).toContain("/auth/setup");
    expect(paths).toContain("/users/accounts");
    expect(paths).toContain("/users/me/api-keys/{id}/revoke");
    expect(paths).toContain("/targets/items/{id}/test");
    expect(paths).toContain("/discovery/scans/{id}/run");
    expect(paths).toContain("/discovery/runs/{runId}/diff");
    expect(paths).toContain("/jobs/items/{id}/run");
    expect(paths).toContain("/jobs/export");
    expect(paths).toContain("/audit/records/{seq}");
    expect(paths).toContain("/audit/verify");
    expect(paths.every((path) => /^\/(auth|users|targets|discovery|jobs|audit)\//.test(path))).toBe(true);
    expect(merged.paths?.["/users/accounts"]?.get?.security).toBeDefined();
    expect(merged.paths?.["/auth/setup"]?.get?.security).toBeUndefined();
  });

  test("two services may not claim the same path", () => {
    const one = createServiceOpenApiDocument(createUsersRouter(deps), { title: "users", version: "1" });
    expect(() => mergeOpenApiDocuments([one, one], { title: "x", version: "1" })).toThrow(
      "defined by two services",
    );
  });
});
