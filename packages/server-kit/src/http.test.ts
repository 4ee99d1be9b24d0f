import { describe, expect, test } from "bun:test";
import { createLogger } from "@opsc/logger";
import { Elysia } from "elysia";
import { z } from "zod";
import { AppError } from "./errors.ts";
import { createServiceHttp } from "./http.ts";
import { adminProcedure, publicProcedure, router } from "./trpc.ts";

const log = createLogger({ service: "kit-test", level: "silent" });
let ready = true;
const http = createServiceHttp({
  service: "kit",
  log,
  trustedProxies: ["127.0.0.1"],
  readiness: { dependency: async () => ready },
});
const testRouter = router({
  boom: publicProcedure
    .meta({ openapi: { method: "GET", path: "/kit/boom", protect: false } })
    .input(z.object({}))
    .output(z.object({}))
    .query(() => {
      throw new Error("database password is hunter2");
    }),
  conflict: publicProcedure
    .meta({ openapi: { method: "GET", path: "/kit/conflict", protect: false } })
    .input(z.object({}))
    .output(z.object({}))
    .query(() => {
      throw new AppError("CONFLICT", { message: "Already there", field: "name" });
    }),
  secret: adminProcedure
    .meta({ openapi: { method: "GET", path: "/kit/secret" } })
    .input(z.object({}))
    .output(z.object({}))
    .query(() => ({})),
});
const app = new Elysia().use(http.health()).use(http.mountRouter("kit", testRouter, async () => null));
const get = (path: string, headers: Record<string, string> = {}) =>
  app.handle(new Request(`http://localhost${path}`, { headers }));

describe("service HTTP kit", () => {
  test("healthz, readyz (naming what fails) and Prometheus metrics", async () => {
    expect((await get("/healthz")).status).toBe(200);
    expect((await get("/readyz")).status).toBe(200);
    ready = false;
    const notReady = await get("/readyz");
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ failing: ["dependency"] });
    ready = true;
    await get("/api/v1/kit/conflict");
    const metrics = await (await get("/metrics")).text();
    expect(metrics).toContain("opsc_http_request_duration_seconds_bucket");
    expect(metrics).toContain('procedure="conflict"');
    expect(metrics).toContain("process_cpu_user_seconds_total");
  });

  test("an unexpected error is a 500 that reveals nothing but the request id", async () => {
    const response = await get("/api/v1/kit/boom", { "x-request-id": "req-123" });
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).not.toContain("hunter2");
    expect(JSON.parse(body)).toEqual({
      error: {
        code: "INTERNAL_SERVER_ERROR",
        message: "Internal error (request req-123)",
        requestId: "req-123",
        issues: null,
      },
    });
    const trpc = await (await get("/trpc/kit/boom?input=%7B%7D")).text();
    expect(trpc).not.toContain("hunter2");
    expect(trpc).not.toContain("stack");
  });

  test("AppError codes map to HTTP statuses and name the field", async () => {
    const response = await get("/api/v1/kit/conflict");
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({
      error: { code: "CONFLICT", message: "Already there", issues: [{ path: ["name"] }] },
    });
  });

  test("protected procedures refuse anonymous callers with 401 on both transports", async () => {
    expect((await get("/api/v1/kit/secret")).status).toBe(401);
    expect((await get("/trpc/kit/secret?input=%7B%7D")).status).toBe(401);
  });
});
