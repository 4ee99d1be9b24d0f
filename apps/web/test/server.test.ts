// The production server (server.ts) on a free port: SSR, static assets and the API reference. The merged
// OpenAPI document against real services is covered by e2e.test.ts; here only its failure path is checked.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { createWebHandler } from "../server.ts";
import { BUILD_DIR, ensureBuild } from "./support/build.ts";

let server: ReturnType<typeof Bun.serve>;
let base: string;

beforeAll(async () => {
  await ensureBuild();
  // Port 9 (discard) on loopback: nothing listens there, so every service counts as down.
  const handle = await createWebHandler({
    buildDir: BUILD_DIR,
    apiUrl: "http://127.0.0.1:9",
    services: ["auth", "users"],
    logLevel: "silent",
  });
  server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handle });
  base = server.url.href.replace(/\/$/, "");
}, 120_000);

afterAll(async () => {
  await server?.stop(true);
});

describe("server rendering", () => {
  test.each(["/", "/sign-in", "/setup", "/users", "/profile"])(
    "%s renders the document shell",
    async (path) => {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/html");
      const html = await res.text();
      expect(html).toContain("<!DOCTYPE html>");
      expect(html).toContain("OpsConductor");
      // The theme is set before the first paint, from an inline script in <head>.
      expect(html).toContain("opsc-theme");
      // Both builds reference the same stylesheet (a mismatch breaks hydration with React error #418).
      const css = html.match(/\/assets\/app-[\w-]+\.css/)?.[0];
      expect(css).toBeDefined();
      expect(readdirSync(join(BUILD_DIR, "client", "assets"))).toContain(css!.slice("/assets/".length));
    },
  );

  test("an unknown path is a 404 page", async () => {
    const res = await fetch(`${base}/no-such-page`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Page not found");
  });

  test("health answers without the API", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", service: "web" });
  });
});

describe("static files", () => {
  test("hashed assets are cached for good", async () => {
    const asset = readdirSync(join(BUILD_DIR, "client", "assets")).find((name) => name.endsWith(".js"))!;
    const res = await fetch(`${base}/assets/${asset}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("content-type")).toContain("javascript");
  });

  test("the favicon is served with a short cache", async () => {
    const res = await fetch(`${base}/favicon.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=3600");
  });

  test.each(["/assets/..%2f..%2fserver.ts", "/assets/%2e%2e/%2e%2e/package.json", "/..%2fpackage.json"])(
    "%s cannot escape the build folder",
    async (path) => {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('"name": "@opsc/web"');
    },
  );
});

describe("API reference", () => {
  test("/api/docs is the Swagger UI page", async () => {
    const res = await fetch(`${base}/api/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("/api/docs/assets/swagger-ui-bundle.js");
    expect(html).toContain("/api/docs/assets/swagger-ui.css");
    expect(html).toContain("/api/docs/assets/docs-init.js");
  });

  test.each([
    ["swagger-ui-bundle.js", "javascript"],
    ["swagger-ui.css", "text/css"],
    ["docs-init.js", "javascript"],
  ])("serves %s", async (name, type) => {
    const res = await fetch(`${base}/api/docs/assets/${name}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain(type);
    expect((await res.text()).length).toBeGreaterThan(50);
  });

  test("docs-init.js points Swagger UI at the merged document", async () => {
    expect(await (await fetch(`${base}/api/docs/assets/docs-init.js`)).text()).toContain(
      '"/api/v1/openapi.json"',
    );
  });

  test("other files of swagger-ui-dist are not reachable", async () => {
    expect((await fetch(`${base}/api/docs/assets/package.json`)).status).toBe(404);
    expect((await fetch(`${base}/api/docs/assets/index.html`)).status).toBe(404);
  });

  test("the merged document is a 502 with a JSON error while a service is down", async () => {
    const res = await fetch(`${base}/api/v1/openapi.json`);
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error.code).toBe("SERVICE_UNAVAILABLE");
    expect(body.error.message).toContain("auth service");
    expect(body.error.requestId).toBeString();
  });
});

describe("operations", () => {
  test("readiness and Prometheus metrics, like every process", async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('opsc_http_request_duration_seconds_count{service="web"');
  });

  test("every response carries a request id, and an error body names the same one", async () => {
    const res = await fetch(`${base}/api/v1/openapi.json`, { headers: { "x-request-id": "web-req-1" } });
    expect(res.status).toBe(502);
    expect(res.headers.get("x-request-id")).toBe("web-req-1");
    expect(((await res.json()) as { error: { requestId: string } }).error.requestId).toBe("web-req-1");
  });
});
