// End to end for /runs, /runs/new and /runs/:id through the real system (PostgreSQL, Redis, the auth, users,
// targets and execution services, one execution worker with local commands enabled, this web server and Caddy),
// driven by Chromium. The targets are HTTP targets on loopback that are never contacted: the commands run on the
// worker host ("run on local"), once per target. The deployment gives the execution service and the worker one
// file system object store, where saved files (artifacts) and finished runs' logs go.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { OpsClient } from "@opsc/sdk";
import type { Deployment } from "@opsc/testing";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import {
  ADMIN,
  cleanUp,
  openBrowserPage,
  SCREENSHOTS,
  screenshotPage,
  setUpAdmin,
  signInAndWait,
  signInClient,
  startWebDeployment,
  VIEWER,
} from "./support/browser.ts";

setDefaultTimeout(60_000);

const COMMAND = "for i in 1 2 3; do echo line-$i; done; echo oops >&2";
const PROBES = ["probe-1", "probe-2", "probe-3"];

let deployment: Deployment | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let base: string;
let ops: OpsClient;
const pageErrors: string[] = [];

beforeAll(async () => {
  deployment = await startWebDeployment({
    executionWorkers: 1,
    executionWorkerEnv: { EXECUTION_LOCAL_ENABLED: "true", KILL_GRACE_MS: "500" },
    databasePrefix: "opsc_web_execution_e2e",
  });
  base = deployment.url;
  ({ browser, context, page } = await openBrowserPage(
    { viewport: { width: 1280, height: 900 }, acceptDownloads: true },
    pageErrors,
  ));
}, 180_000);

afterAll(() => cleanUp([() => browser?.close(), () => deployment?.stop()]), 60_000);

const screenshot = (name: string) => screenshotPage(page, SCREENSHOTS, name);

const signIn = (credentials: { email: string; password: string }) => signInAndWait(page, base, credentials);

/** Waits until `read` gives `expected` (a list re-rendering after a poll, lines arriving), then checks it. */
async function eventually<T>(read: () => Promise<T>, expected: Awaited<T>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!Bun.deepEquals(value, expected) && Date.now() < deadline) {
    await Bun.sleep(100);
    value = await read();
  }
  expect(value).toEqual(expected);
}

/** A whole run's log.txt as `<target> (<state>)` → the task's lines, in the order of the file. */
function logSections(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.trimEnd().split("\n")) {
    const header = /^== (.+) ==$/.exec(line);
    if (header) {
      current = [];
      sections.set(header[1]!, current);
    } else if (current) current.push(line);
    else throw new Error(`a line before the first header: ${line}`);
  }
  return sections;
}

function nav(): Locator {
  return page.getByRole("navigation", { name: "Main" });
}

/** The run page's summary, by the run's state. */
function runIn(state: string): Locator {
  return page.locator(`#summary [data-run="${state}"]`);
}

/** Fills "Run command" and starts it; resolves on the new run's page with its id. */
async function startFromForm(fields: {
  selector: string;
  command: string;
  local?: boolean;
}): Promise<string> {
  await page.goto(`${base}/runs/new`);
  await page.getByLabel("Selector").fill(fields.selector);
  await page.getByRole("textbox", { name: "Command" }).fill(fields.command);
  if (fields.local ?? true) await page.getByLabel("Run on local").check();
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname.split("/").at(-1)!;
}

async function waitForRun(id: string, done: (state: string) => boolean) {
  for (let attempt = 0; attempt < 300; attempt++) {
    const run = await ops.execution.runs.get.query({ id });
    if (done(run.state)) return run;
    await Bun.sleep(100);
  }
  throw new Error(`run ${id} did not finish`);
}

describe("runs in the web app", () => {
  test("the admin signs in; HTTP targets are created through the SDK", async () => {
    await setUpAdmin(deployment!);
    ops = await signInClient(base, ADMIN);
    for (const [index, name] of PROBES.entries()) {
      await ops.targets.create.mutate({
        name,
        address: "127.0.0.1",
        port: 8000 + index,
        kind: "http",
        tags: { role: "probe" },
        http: { scheme: "http", path: "/", insecureTls: false },
      });
    }
    await ops.targets.create.mutate({
      name: "bystander",
      address: "127.0.0.1",
      kind: "http",
      tags: { role: "other" },
    });
    await ops.users.accounts.create.mutate({ ...VIEWER, role: "viewer" });
    await signIn(ADMIN);
  });

  test("Runs is in the menu; Run command previews what the selector matches", async () => {
    await nav().getByRole("link", { name: "Runs" }).click();
    await page.waitForURL(`${base}/runs`);
    await page.getByRole("heading", { name: "Runs", level: 1 }).waitFor();
    await page.getByText("No runs match these filters.").waitFor();

    await page.getByRole("link", { name: "Run command" }).click();
    await page.waitForURL(`${base}/runs/new`);
    await page.getByRole("heading", { name: "Run command", level: 1 }).waitFor();
    await page.getByLabel("Selector").fill("role=probe");
    const status = page.locator("[data-selector-status]");
    await status.locator('[data-preview-count="3"]').waitFor();
    for (const name of PROBES) await status.getByRole("link", { name }).waitFor();
    // A syntax error is pointed at while typing.
    await page.getByLabel("Selector").fill("role in (probe");
    await status.locator("[data-selector-error]").waitFor();
    await page.getByLabel("Selector").fill("role=probe");
    await status.locator('[data-preview-count="3"]').waitFor();
    await screenshot("execution-01-run-command");
  });

  test("the API's objections show at their fields", async () => {
    await page.getByLabel("Selector").fill("role=nobody");
    await page.getByRole("textbox", { name: "Command" }).fill("uptime");
    await page.getByLabel("Run on local").check();
    await page.getByLabel("Variable 1 key").fill("OPSC_SECRET");
    await page.getByLabel("Variable 1 value").fill("x");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    // The variable name is refused by the request's schema, before any target is looked up.
    const env = page.getByRole("group", { name: "Environment variables" });
    await env.locator("[data-field-error]").filter({ hasText: "OPSC_SECRET" }).waitFor();
    expect(await page.getByLabel("Variable 1 key").getAttribute("aria-invalid")).toBe("true");

    await page.getByRole("button", { name: "Remove variable 1" }).click();
    await page.getByRole("button", { name: "Run", exact: true }).click();
    // Nothing matches: the targets service's answer lands at the selector.
    await page.locator("#targets [data-field-error]").filter({ hasText: "No target matches" }).waitFor();
    expect(await page.getByLabel("Selector").getAttribute("aria-invalid")).toBe("true");
    expect(new URL(page.url()).pathname).toBe("/runs/new");
    await screenshot("execution-02-refused");
  });

  test("a command runs on local: the run succeeds and its lines carry their target's name", async () => {
    await startFromForm({ selector: "role=probe", command: COMMAND });
    await runIn("succeeded").waitFor({ timeout: 30_000 });
    await page.locator('#summary [data-count="succeeded"]').filter({ hasText: "3" }).waitFor();

    const log = page.getByRole("log", { name: "Run output" });
    await page.locator('[data-log-status="complete"]').waitFor();
    // Four lines from each target: three on stdout, one on stderr.
    await eventually(() => log.locator("[data-log-line]").count(), 12);
    for (const name of PROBES) {
      for (const text of ["line-1", "line-2", "line-3"]) {
        await log
          .locator('[data-log-line="stdout"]')
          .filter({ has: page.locator("[data-log-target]", { hasText: name }) })
          .filter({ hasText: text })
          .waitFor();
      }
      await log
        .locator('[data-log-line="stderr"]')
        .filter({ has: page.locator("[data-log-target]", { hasText: name }) })
        .filter({ hasText: "oops" })
        .waitFor();
    }

    // The grid lists the three targets, all succeeded with exit code 0.
    const grid = page.locator("#tasks");
    for (const name of PROBES)
      await grid.locator(`[data-task-row="${name}"] [data-task-state="succeeded"]`).waitFor();
    expect(await grid.locator('[data-task-tab="succeeded"]').textContent()).toContain("3");
    await screenshot("execution-03-run-succeeded");

    // Dark mode keeps the page readable (the log is dark in both).
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForFunction(() => document.documentElement.classList.contains("dark"));
    await screenshot("execution-04-run-succeeded-dark");
    await page.emulateMedia({ colorScheme: "light" });
    await page.waitForFunction(() => !document.documentElement.classList.contains("dark"));
  });

  test("picking a target shows only its output; downloads hold the target's or the whole log", async () => {
    await page.locator('[data-task-row="probe-2"]').getByRole("button").click();
    await page.locator('[data-log-filter="probe-2"]').waitFor();
    expect(new URL(page.url()).searchParams.get("task")).toBeTruthy();
    const log = page.getByRole("log", { name: "Run output" });
    await page.locator('[data-log-status="complete"]').waitFor();
    await eventually(() => log.locator("[data-log-line]").count(), 4);
    expect(new Set(await log.locator("[data-log-target]").allTextContents())).toEqual(new Set(["probe-2"]));

    let download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download" }).click();
    let file = await download;
    expect(file.suggestedFilename()).toMatch(/^run-for-i-in-1-2-3.*-[0-9a-f]{8}-probe-2\.log$/);
    expect(readFileSync((await file.path())!, "utf8")).toBe("line-1\nline-2\nline-3\n[stderr] oops\n");

    // The whole run's log is the execution service's log.txt: a plain link, task by task under a header.
    await page.getByRole("button", { name: "Show all targets" }).click();
    await eventually(() => log.locator("[data-log-line]").count(), 12);
    const runId = new URL(page.url()).pathname.split("/").at(-1)!;
    const link = page.getByRole("link", { name: "Download", exact: true });
    expect(await link.getAttribute("href")).toBe(`/api/v1/execution/runs/${runId}/log.txt`);
    download = page.waitForEvent("download");
    await link.click();
    file = await download;
    expect(file.suggestedFilename()).toBe(`run-${runId}.log`);
    const sections = logSections(readFileSync((await file.path())!, "utf8"));
    expect([...sections.keys()]).toEqual(PROBES.map((name) => `${name} (succeeded)`));
    // stdout and stderr as they came: the order between the two streams is the worker's.
    for (const lines of sections.values())
      expect(lines.sort()).toEqual(["line-1", "line-2", "line-3", "oops"]);
  });

  test("the log follows a running command live", async () => {
    await startFromForm({
      selector: "name=probe-1",
      command: "for i in 1 2 3 4 5 6; do echo tick-$i; sleep 0.4; done",
    });
    const log = page.getByRole("log", { name: "Run output" });
    // Lines appear while the run is still going: they come from the live tail.
    await log.locator("[data-log-line]").filter({ hasText: "tick-2" }).waitFor();
    expect(await page.locator('[data-log-status="live"]').count()).toBe(1);
    expect(await runIn("succeeded").count()).toBe(0);
    await screenshot("execution-05-live-tail");
    await runIn("succeeded").waitFor({ timeout: 30_000 });
    await log.locator("[data-log-line]").filter({ hasText: "tick-6" }).waitFor();
    await page.locator('[data-log-status="complete"]').waitFor();
    // The grid's row followed the run too, without a reload.
    await page.locator('#tasks [data-task-row="probe-1"] [data-task-state="succeeded"]').waitFor();
  });

  test("a long log keeps its last 50,000 lines on screen, says so, and downloads whole", async () => {
    await startFromForm({ selector: "name=probe-1", command: "seq 1 60000" });
    await runIn("succeeded").waitFor({ timeout: 30_000 });
    await page.locator('[data-log-status="complete"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-log-dropped="10000"]').waitFor();
    const log = page.getByRole("log", { name: "Run output" });
    // Following the end: the last line is on screen, and only a screenful of lines is in the page.
    await log.locator("[data-log-text]", { hasText: /^60000$/ }).waitFor();
    expect(await log.locator("[data-log-line]").count()).toBeLessThan(100);
    await screenshot("execution-05b-long-log");

    // Scrolling up stops following; the button resumes it.
    await log.evaluate((element) => element.scrollBy(0, -2000));
    await page.getByRole("button", { name: "Follow the end" }).click();
    await page.locator('[data-follow="on"]').waitFor();

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download", exact: true }).click();
    const text = readFileSync((await (await download).path())!, "utf8");
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(60001);
    expect(lines[0]).toBe("== probe-1 (succeeded) ==");
    expect(lines[1]).toBe("1");
    expect(lines.at(-1)).toBe("60000");
  });

  test("ANSI colours in the output are shown as colours, not as escape codes", async () => {
    const { run } = await ops.execution.runs.start.mutate({
      name: "Colours",
      action: {
        type: "command",
        command: "printf '\\033[31mred\\033[0m plain \\033[1mbold\\033[0m\\n'",
        shell: "sh",
      },
      runOn: "local",
      targets: { selector: "name=probe-1" },
    });
    await waitForRun(run.id, (state) => !["queued", "running", "cancelling"].includes(state));
    await page.goto(`${base}/runs/${run.id}`);
    const text = page.getByRole("log", { name: "Run output" }).locator("[data-log-text]").first();
    await text.waitFor();
    expect(await text.textContent()).toBe("red plain bold");
    expect(await text.locator("span", { hasText: "red" }).getAttribute("style")).toContain(
      "color: rgb(187, 0, 0)",
    );
    expect(await text.locator("span", { hasText: "bold" }).getAttribute("style")).toContain(
      "font-weight: 700",
    );
  });

  test("a long command is cancelled from its page", async () => {
    await startFromForm({ selector: "name=probe-1", command: "sleep 1000" });
    await runIn("running").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: /^Cancel sleep 1000\?$/ });
    await dialog.getByRole("button", { name: "Cancel run" }).click();
    await runIn("cancelled").waitFor({ timeout: 30_000 });
    expect(await page.locator("[data-stop-reason]").textContent()).toContain("cancelled by");
    await page.locator('#tasks [data-task-row="probe-1"] [data-task-state="cancelled"]').waitFor();
    expect(await page.getByRole("button", { name: "Cancel", exact: true }).count()).toBe(0);
    await screenshot("execution-06-cancelled");
  });

  test("a failed run is retried from its page as a new run linked to it", async () => {
    const { run } = await ops.execution.runs.start.mutate({
      name: "Fails on purpose",
      action: { type: "command", command: "echo failing; exit 3", shell: "sh" },
      runOn: "local",
      targets: { selector: "role=probe" },
    });
    await waitForRun(run.id, (state) => state === "failed");
    await page.goto(`${base}/runs/${run.id}`);
    await runIn("failed").waitFor();
    await page.locator('[data-task-row="probe-3"] [data-task-state="failed"]').waitFor();
    // The worker's own line reports the exit status.
    await page.getByRole("log", { name: "Run output" }).locator('[data-log-line="system"]').first().waitFor();
    await page.getByRole("button", { name: "Retry failed (3)" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/runs/") && !url.pathname.endsWith(run.id));
    await page.locator("[data-retry-of]").filter({ hasText: "Fails on purpose" }).waitFor();
    await runIn("failed").waitFor({ timeout: 30_000 });
    await page.locator("[data-retry-of]").click();
    await page.waitForURL(`${base}/runs/${run.id}`);
  });

  test("the runs list: state badges, counts, filters, and paging with next and previous", async () => {
    await page.goto(`${base}/runs`);
    const rows = page.locator("[data-run-row]");
    await eventually(() => rows.count(), 7);
    await page.locator('[data-run-row="Fails on purpose"] [data-run-state="failed"]').waitFor();
    await page.locator('[data-run-row="sleep 1000"] [data-run-state="cancelled"]').waitFor();
    expect(
      await page.locator('[data-run-row="Fails on purpose"] [data-counts]').getAttribute("data-counts"),
    ).toBe("3 failed of 3 targets");
    expect(await page.locator('[data-run-row="sleep 1000"]').textContent()).toContain("you");
    await screenshot("execution-07-runs");

    await page.getByLabel("State").selectOption("cancelled");
    await page.waitForURL(`${base}/runs?state=cancelled`);
    await eventually(() => rows.count(), 1);
    await page.getByLabel("State").selectOption("");
    // The filter change lands first (it re-renders the form from the URL), then the next one.
    await page.waitForURL(`${base}/runs`);
    await eventually(() => rows.count(), 7);
    await page.getByLabel("Only runs I started").check();
    await page.waitForURL(`${base}/runs?mine=1`);
    await eventually(() => rows.count(), 7);

    // 19 more quick runs make a second page of the newest-first list (25 a page).
    for (let index = 1; index <= 19; index++) {
      await ops.execution.runs.start.mutate({
        name: `noop-${String(index).padStart(2, "0")}`,
        action: { type: "noop", sleepMs: 0 },
        targets: { selector: "name=bystander" },
      });
    }
    await page.goto(`${base}/runs`);
    await eventually(() => rows.count(), 25);
    expect(await rows.first().getAttribute("data-run-row")).toBe("noop-19");
    const pager = page.getByRole("navigation", { name: "Run pages" });
    await pager.getByRole("link", { name: "Next" }).click();
    await page.waitForURL(/\?pages=/);
    await pager.getByText("Page 2").waitFor();
    await eventually(() => rows.count(), 1);
    expect(await rows.first().getAttribute("data-run-row")).toBe(
      `for i in 1 2 3; do echo line-$i; done; echo oops >&2`,
    );
    expect(await pager.getByRole("link", { name: "Next" }).getAttribute("aria-disabled")).toBe("true");
    await pager.getByRole("link", { name: "Previous" }).click();
    await pager.getByText("Page 1").waitFor();
    await eventually(() => rows.count(), 25);
  });

  test("the list refreshes itself while a run on it is active", async () => {
    const { run } = await ops.execution.runs.start.mutate({
      name: "Short sleep",
      action: { type: "command", command: "sleep 2", shell: "sh" },
      runOn: "local",
      targets: { selector: "name=probe-1" },
    });
    await page.goto(`${base}/runs`);
    const row = page.locator(`[data-run-id="${run.id}"]`);
    await row.locator('[data-run-state="running"], [data-run-state="queued"]').waitFor();
    // No reload: the page polls until the run is over.
    await row.locator('[data-run-state="succeeded"]').waitFor({ timeout: 20_000 });
  });

  test("a run over 5,000 targets: the grid loads 1,000 rows at a time as it scrolls, and filters by state and name", async () => {
    const lines = Array.from(
      { length: 5000 },
      (_, index) => `bulk-${String(index).padStart(4, "0")},127.0.2.${index % 250},80,http,batch=bulk,,,`,
    );
    const report = await ops.targets.import.mutate({
      format: "csv",
      content: ["name,address,port,kind,tags,description,enabled,maintenance", ...lines].join("\n"),
      dryRun: false,
    });
    expect(report.create).toHaveLength(5000);
    const { run } = await ops.execution.runs.start.mutate({
      name: "Bulk no-op",
      action: { type: "noop", sleepMs: 0 },
      targets: { selector: "batch=bulk" },
    });
    await waitForRun(run.id, (state) => state === "succeeded");

    await page.goto(`${base}/runs/${run.id}`);
    await runIn("succeeded").waitFor();
    const loaded = page.locator("[data-tasks-loaded]");
    await page.locator('[data-tasks-loaded="1000"]').waitFor();
    // Only the rows on screen are in the page, not thousands.
    expect(await page.locator("#task-rows li").count()).toBeLessThan(40);
    // Scrolling to the end of what is loaded fetches the next page, until all are there.
    for (const expected of ["2000", "3000", "4000", "5000"]) {
      await page.locator("#task-rows").evaluate((element) => element.scrollTo(0, element.scrollHeight));
      await page.locator(`[data-tasks-loaded="${expected}"]`).waitFor();
    }
    await page.locator("#task-rows").evaluate((element) => element.scrollTo(0, element.scrollHeight));
    await page.locator('[data-task-row="bulk-4999"]').waitFor();
    expect(await loaded.textContent()).toBe("5,000 targets");
    await screenshot("execution-09-bulk");

    // Search by name goes to the API; the tabs count by state.
    await page.getByLabel("Search targets").fill("bulk-012");
    await page.locator('[data-tasks-loaded="10"]').waitFor();
    expect(new URL(page.url()).searchParams.get("q")).toBe("bulk-012");
    await page.getByRole("tab", { name: /^Succeeded/ }).click();
    await page.locator('[data-task-row="bulk-0129"]').waitFor();
    expect(await page.getByRole("tab", { name: /^All/ }).textContent()).toContain("5,000");
  }, 120_000);

  test("files a task saves are listed as tasks finish, filtered by target, and downloaded", async () => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    // Each target saves report.txt and a file named after itself; probe-3 finishes seconds after the others.
    const { run } = await ops.execution.runs.start.mutate({
      name: "Saves files",
      action: {
        type: "command",
        command: [
          'echo hello > "$OPSC_ARTIFACTS_DIR/report.txt"',
          'echo "$OPSC_TARGET_NAME" > "$OPSC_ARTIFACTS_DIR/$OPSC_TARGET_NAME.txt"',
          'if [ "$OPSC_TARGET_NAME" = probe-3 ]; then sleep 4; fi',
        ].join("; "),
        shell: "sh",
      },
      runOn: "local",
      targets: { selector: "role=probe" },
    });
    await page.goto(`${base}/runs/${run.id}`);
    const card = page.locator("#artifacts");
    const row = (name: string, target: string) =>
      card
        .locator(`[data-artifact-row="${name}"]`)
        .filter({ has: page.locator("[data-artifact-target]", { hasText: target }) });

    // probe-1's and probe-2's files are listed while probe-3 still runs; probe-3's join without a reload.
    await row("report.txt", "probe-1").waitFor({ timeout: 20_000 });
    await row("report.txt", "probe-2").waitFor();
    // (The summary may still show the run as queued until its next poll.)
    expect(await page.locator('#summary [data-run="queued"], #summary [data-run="running"]').count()).toBe(1);
    expect(await row("report.txt", "probe-3").count()).toBe(0);
    await screenshot("execution-10-artifacts-live");
    await row("probe-3.txt", "probe-3").waitFor({ timeout: 20_000 });
    await runIn("succeeded").waitFor({ timeout: 20_000 });
    await eventually(() => card.locator("[data-artifact-row]").count(), 6);

    // Name, human size, the short hash with the whole one copied, and the link to the content route.
    const report = row("report.txt", "probe-1");
    const sha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"; // sha256 of "hello\n"
    expect(await report.locator("[data-artifact-size]").textContent()).toBe("6 B");
    expect(await report.locator("[data-artifact-size]").getAttribute("data-artifact-size")).toBe("6");
    expect(await report.locator(`[data-artifact-sha256="${sha}"]`).textContent()).toBe(sha.slice(0, 12));
    expect(await row("probe-1.txt", "probe-1").locator("[data-artifact-size]").textContent()).toBe("8 B");
    await report.getByRole("button", { name: "Copy the SHA-256 of report.txt" }).click();
    await report
      .getByRole("button", { name: "Copy the SHA-256 of report.txt" })
      .filter({ hasText: "Copied" })
      .waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(sha);

    const link = report.getByRole("link", { name: "Download report.txt" });
    const href = await link.getAttribute("href");
    expect(href).toMatch(/^\/api\/v1\/execution\/artifacts\/[0-9a-f-]{36}\/content$/);
    const download = page.waitForEvent("download");
    await link.click();
    const file = await download;
    expect(file.suggestedFilename()).toBe("report.txt");
    expect(readFileSync((await file.path())!, "utf8")).toBe("hello\n");
    // The same bytes from the page with its session cookie, with the stored hash alongside.
    const fetched = await page.evaluate(async (url) => {
      const response = await fetch(url);
      return {
        status: response.status,
        text: await response.text(),
        sha: response.headers.get("x-opsc-sha256"),
      };
    }, href!);
    expect(fetched).toEqual({ status: 200, text: "hello\n", sha });
    // The worker's line in each task's log names what it saved.
    await page
      .getByRole("log", { name: "Run output" })
      .locator('[data-log-line="system"]', { hasText: "saved 2 artifacts" })
      .first()
      .waitFor();
    await screenshot("execution-11-artifacts");

    // The log viewer's target filter narrows the files too; "Show all targets" there brings them back.
    await page.locator('#tasks [data-task-row="probe-2"]').getByRole("button").click();
    await card.locator('[data-artifacts-filter="probe-2"]').waitFor();
    await eventually(() => card.locator("[data-artifact-target]").allTextContents(), ["probe-2", "probe-2"]);
    expect(
      new Set(
        await card
          .locator("[data-artifact-row]")
          .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-artifact-row"))),
      ),
    ).toEqual(new Set(["report.txt", "probe-2.txt"]));
    await card.getByRole("button", { name: "Show all targets" }).click();
    await eventually(() => card.locator("[data-artifact-row]").count(), 6);
    expect(new URL(page.url()).searchParams.get("task")).toBeNull();
  });

  test("a run that saved no files has no artifacts section", async () => {
    await page.goto(`${base}/runs`);
    // The page asked for the run's files (a batched tRPC call naming the procedure) and got none.
    const listed = page.waitForResponse(
      (response) => response.url().includes("/trpc/execution/") && response.url().includes("artifacts.list"),
    );
    await page
      .locator('[data-run-row="Fails on purpose"]')
      .getByRole("link", { name: "Fails on purpose" })
      .click();
    await runIn("failed").waitFor();
    expect((await listed).status()).toBe(200);
    await page.locator('[data-log-status="complete"]').waitFor();
    await page.locator('[data-task-row="probe-1"]').waitFor();
    expect(await page.locator("#artifacts").count()).toBe(0);
  });

  test("a viewer sees runs but cannot start, cancel or retry one", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in\?signed-out=1$/);
    await signIn(VIEWER);
    await nav().getByRole("link", { name: "Runs" }).click();
    await page.locator('[data-run-row="Fails on purpose"]').waitFor();
    expect(await page.getByRole("link", { name: "Run command" }).count()).toBe(0);
    await page
      .locator('[data-run-row="Fails on purpose"]')
      .getByRole("link", { name: "Fails on purpose" })
      .click();
    await runIn("failed").waitFor();
    expect(await page.getByRole("button", { name: /Retry failed/ }).count()).toBe(0);

    await page.goto(`${base}/runs/new`);
    await page.getByText("You need the operator role to start runs").waitFor();
    expect(await page.getByRole("button", { name: "Run", exact: true }).count()).toBe(0);
    await screenshot("execution-08-viewer-new-run");
  });

  test("no page raised an uncaught error or a React error", () => {
    expect(pageErrors).toEqual([]);
  });
});
