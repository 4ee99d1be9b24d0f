// The jobs pages' document shells from the production server (no API behind it), and where the heavy libraries
// land in the browser bundle: zod (the contract's schemas the job editor and run form check with) and recharts (the
// dashboard's charts) only in the chunks of the pages that use them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createWebHandler } from "../server.ts";
import { BUILD_DIR, ensureBuild } from "./support/build.ts";

const ASSETS = join(BUILD_DIR, "client", "assets");
const JOB = "0b6f2c1e-1111-4e4e-9999-123456789abc";

let server: ReturnType<typeof Bun.serve>;
let base: string;

beforeAll(async () => {
  await ensureBuild();
  const handle = await createWebHandler({
    buildDir: BUILD_DIR,
    // Port 9 (discard) on loopback: nothing listens there.
    apiUrl: "http://127.0.0.1:9",
    services: ["jobs"],
    logLevel: "silent",
  });
  server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handle });
  base = server.url.href.replace(/\/$/, "");
}, 120_000);

afterAll(async () => {
  await server?.stop(true);
});

/** The asset whose name starts with `prefix` (route chunks are `<route>-main-<hash>.js`). */
function asset(prefix: string): string {
  const name = readdirSync(ASSETS).find((file) => file.startsWith(prefix) && file.endsWith(".js"));
  if (!name) throw new Error(`no asset ${prefix}*`);
  return name;
}

/** Every chunk a chunk loads before it runs (static imports, transitively); lazy `import()`s are left out. */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const code = readFileSync(join(ASSETS, name), "utf8");
    for (const match of code.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) visit(match[1]!);
  };
  visit(entry);
  return seen;
}

const containsZod = (name: string) => readFileSync(join(ASSETS, name), "utf8").includes("invalid_union");
const containsRecharts = (name: string) =>
  readFileSync(join(ASSETS, name), "utf8").includes("recharts-surface");

describe("jobs, schedules, calendars and the dashboard", () => {
  test.each([
    "/",
    "/jobs",
    "/jobs?folder=%2Fweb&q=deploy&tag=nightly&pages=abc",
    "/jobs/new",
    "/jobs/import",
    `/jobs/${JOB}`,
    `/jobs/${JOB}?tab=versions&from=1&to=2`,
    `/jobs/${JOB}/edit`,
    `/jobs/${JOB}/run`,
    "/schedules",
    "/schedules?page=2",
    "/calendars",
  ])("%s renders the document shell", async (path) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<!DOCTYPE html>");
    // The app frame while the browser loads the data (the layout's HydrateFallback).
    expect(html).toContain('aria-busy="true"');
  });

  test("zod comes only with the pages that check jobs: the editor, the run form, schedules", () => {
    for (const page of [
      "_app.jobs.new-main-",
      "_app.jobs._id.edit-main-",
      "_app.jobs._id.run-main-",
      "_app.schedules-main-",
    ])
      expect([...staticClosure(asset(page))].some(containsZod)).toBe(true);
    for (const page of [
      "entry.client-",
      "_app-main-",
      "_app._index-main-",
      "_app.jobs._index-main-",
      "_app.calendars-main-",
      "_app.runs._index-main-",
      "_app.targets._index-main-",
    ])
      expect([...staticClosure(asset(page))].filter(containsZod)).toEqual([]);
  });

  test("the dashboard's charts are fetched after the page, not with it", () => {
    const dashboard = staticClosure(asset("_app._index-main-"));
    expect([...dashboard].filter(containsRecharts)).toEqual([]);
    expect(readFileSync(join(ASSETS, asset("_app._index-main-")), "utf8")).toContain(
      asset("dashboard-charts-"),
    );
  });
});
