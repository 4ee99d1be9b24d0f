// The runs pages' document shells from the production server (no API behind it): their data, the task pages and
// the live log are loaded in the browser, so the server renders the frame without touching the SDK.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createWebHandler } from "../server.ts";
import { BUILD_DIR, ensureBuild } from "./support/build.ts";

let server: ReturnType<typeof Bun.serve>;
let base: string;

beforeAll(async () => {
  await ensureBuild();
  // Port 9 (discard) on loopback: nothing listens there.
  const handle = await createWebHandler({
    buildDir: BUILD_DIR,
    apiUrl: "http://127.0.0.1:9",
    services: ["auth", "users", "execution"],
    logLevel: "silent",
  });
  server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handle });
  base = server.url.href.replace(/\/$/, "");
}, 120_000);

afterAll(async () => {
  await server?.stop(true);
});

describe("runs pages", () => {
  test.each([
    "/runs",
    "/runs?state=running&mine=1&pages=abc",
    "/runs/new?selector=env%3Dprod",
    "/runs/0b6f2c1e-1111-4e4e-9999-123456789abc?state=failed&q=web&task=x",
  ])("%s renders the document shell", async (path) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<!DOCTYPE html>");
    // The app frame while the browser loads the data (the layout's HydrateFallback).
    expect(html).toContain('aria-busy="true"');
  });

  test("the server bundle has no SDK subscription code", () => {
    const bundle = readFileSync(join(BUILD_DIR, "server", "index.js"), "utf8");
    expect(bundle).not.toContain("httpSubscriptionLink");
    expect(bundle).not.toContain("createOpsClient");
  });
});
