// The app pages' document shells from the production server (no API behind it): their data (and, on the runs pages,
// the task pages and the live log) is loaded in the browser, so the server must render the frame without touching
// the SDK or the chart library's DOM code.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
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
    services: ["auth", "users", "targets", "execution"],
    logLevel: "silent",
  });
  server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handle });
  base = server.url.href.replace(/\/$/, "");
}, 120_000);

afterAll(async () => {
  await server?.stop(true);
});

describe("targets, credentials and runs pages", () => {
  test.each([
    "/targets",
    "/targets?selector=env%3Dprod&pages=abc",
    "/targets/0b6f2c1e-1111-4e4e-9999-123456789abc",
    "/targets/preview?selector=env%3Dprod",
    "/targets/export?format=yaml",
    "/credentials",
    "/runs",
    "/runs?state=running&mine=1&pages=abc",
    "/runs/new?selector=env%3Dprod",
    "/runs/0b6f2c1e-1111-4e4e-9999-123456789abc?state=failed&q=web&task=x",
  ])("%s renders the document shell", async (path) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<!DOCTYPE html>");
    expect(html).toContain("opsc-theme");
    // The app frame while the browser loads the data (the layout's HydrateFallback).
    expect(html).toContain('aria-busy="true"');
  });

  test("the server bundle does not contain the SDK", () => {
    const server = readFileSync(join(BUILD_DIR, "server", "index.js"), "utf8");
    expect(server).not.toContain("createOpsClient");
    expect(server).not.toContain("httpBatchLink");
    expect(server).not.toContain("httpSubscriptionLink");
  });

  test("the chart library is a separate chunk, fetched only by the detail page", () => {
    const assets = readdirSync(join(BUILD_DIR, "client", "assets"));
    const chart = assets.find((name) => name.startsWith("health-chart-") && name.endsWith(".js"));
    expect(chart).toBeDefined();
    const list = assets.find((name) => name.startsWith("_app.targets._index-main-"));
    expect(list).toBeDefined();
    expect(readFileSync(join(BUILD_DIR, "client", "assets", list!), "utf8")).not.toContain(chart!);
  });
});
