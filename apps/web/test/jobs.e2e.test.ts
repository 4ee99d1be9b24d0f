// End to end for the jobs pages (/jobs, the editor, a job's page and its tabs, the run form, /schedules,
// /calendars, /jobs/import) and the dashboard, through the real system (PostgreSQL, Redis, every service including
// jobs, one execution worker that may run local commands, this web server and Caddy), driven by Chromium. The
// targets are HTTP targets on loopback that are never contacted: the steps run on the worker host ("local").
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { OpsClient } from "@opsc/sdk";
import type { Deployment } from "@opsc/testing";
import type { Browser, Locator, Page } from "playwright-core";
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
  waitForToast,
} from "./support/browser.ts";

setDefaultTimeout(60_000);

const PROBES = ["probe-1", "probe-2"];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

let deployment: Deployment | undefined;
let browser: Browser | undefined;
let page: Page;
let base: string;
let ops: OpsClient;
let jobId: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  deployment = await startWebDeployment({
    executionWorkers: 1,
    executionWorkerEnv: { EXECUTION_LOCAL_ENABLED: "true" },
    databasePrefix: "opsc_web_jobs_e2e",
  });
  base = deployment.url;
  ({ browser, page } = await openBrowserPage(
    { viewport: { width: 1280, height: 900 }, acceptDownloads: true },
    pageErrors,
  ));
}, 180_000);

afterAll(() => cleanUp([() => browser?.close(), () => deployment?.stop()]), 60_000);

const screenshot = (name: string) => screenshotPage(page, SCREENSHOTS, name);
const nav = (): Locator => page.getByRole("navigation", { name: "Main" });
const group = (name: string): Locator => page.getByRole("group", { name, exact: true });
const dialog = (): Locator => page.locator("dialog[open]");
const jobSection = (name: string) =>
  page.getByRole("navigation", { name: "Job sections" }).getByRole("link", { name, exact: true });

const signIn = (credentials: { email: string; password: string }) => signInAndWait(page, base, credentials);

async function waitForRun(id: string) {
  for (let attempt = 0; attempt < 300; attempt++) {
    const run = await ops.execution.runs.get.query({ id });
    if (run.state === "succeeded" || run.state === "failed" || run.state === "cancelled") return run;
    await Bun.sleep(100);
  }
  throw new Error(`run ${id} did not finish`);
}

/** Opens the editor's save dialog, says what changed, saves, and lands on the job's page. */
async function save(message: string, button: string) {
  await page.getByRole("button", { name: "Save", exact: true }).first().click();
  await dialog().getByLabel("What changed").fill(message);
  await dialog().getByRole("button", { name: button }).click();
  await page.waitForURL(new RegExp(`/jobs/${UUID.source}$`));
}

describe("jobs in the web app", () => {
  test("the admin signs in; targets and a viewer are created through the SDK", async () => {
    await setUpAdmin(deployment!);
    ops = await signInClient(base, ADMIN);
    for (const [index, name] of PROBES.entries())
      await ops.targets.create.mutate({
        name,
        address: "127.0.0.1",
        port: 8000 + index,
        kind: "http",
        tags: { role: "probe" },
      });
    await ops.targets.create.mutate({
      name: "bystander",
      address: "127.0.0.1",
      kind: "http",
      tags: { role: "other" },
    });
    await ops.users.accounts.create.mutate({ ...VIEWER, role: "viewer" });
    await signIn(ADMIN);
  });

  test("a three-step job with a choice parameter and a condition is written in the editor", async () => {
    await nav().getByRole("link", { name: "Jobs" }).click();
    await page.waitForURL(`${base}/jobs`);
    await page.getByText("No jobs match these filters.").waitFor();
    await page.getByRole("link", { name: "New job" }).click();
    await page.waitForURL(`${base}/jobs/new`);

    const general = page.locator("#general");
    await general.getByLabel("Name", { exact: true }).fill("deploy-web");
    await general.getByLabel("Folder").fill("/web");
    await general.getByLabel("Tags").fill("deploy, nightly");

    await page.getByRole("button", { name: "Add parameter" }).click();
    const parameter = group("Parameter 1");
    await parameter.getByLabel("Name", { exact: true }).fill("ENV");
    await parameter.getByLabel("Type").selectOption("choice");
    await parameter.getByLabel("Required").check();
    await parameter.getByLabel("Choice 1 value").fill("staging");
    await parameter.getByRole("button", { name: "+ Add choice" }).click();
    await parameter.getByLabel("Choice 2 value").fill("prod");
    await parameter.getByLabel("Choice 2 label").fill("Production");

    await page.locator("#targets").getByRole("textbox", { name: "Selector" }).fill("role=probe");

    // Step 1 prints an output; step 2 runs only when it exists; step 3 runs whatever happened before.
    const build = group("Step 1");
    await build.getByLabel("Key").fill("build");
    await build.getByLabel("Name", { exact: true }).fill("Build");
    await build.getByLabel("Command").fill('echo "::output version=1.2.3"; echo "building for $ENV"');
    await build.getByLabel("Runs", { exact: true }).selectOption("local");
    await page.getByRole("button", { name: "Add step" }).click();
    const check = group("Step 2");
    await check.getByLabel("Key").fill("check");
    await check.getByLabel("Name", { exact: true }).fill("Check");
    await check.getByLabel("Command").fill('echo "checked $OPSC_OUTPUT_build_version"');
    await check.getByLabel("Runs", { exact: true }).selectOption("local");
    await check.getByRole("button", { name: "+ Add output test" }).click();
    await check.getByLabel("Output test 1 step").selectOption("build");
    await check.getByLabel("Output test 1 output key").fill("version");
    await check.getByLabel("Output test 1 comparison").selectOption("exists");
    await page.getByRole("button", { name: "Add step" }).click();
    const notify = group("Step 3");
    await notify.getByLabel("Key").fill("notify");
    await notify.getByLabel("Name", { exact: true }).fill("Notify");
    await notify.getByLabel("Command").fill("echo done");
    await notify.getByLabel("Runs", { exact: true }).selectOption("local");
    await notify.getByLabel("Runs when").selectOption("always");
    await screenshot("jobs-01-editor");
  });

  test("the editor refuses what the API would, at the field, with the API's message", async () => {
    const build = group("Step 1");
    await build.getByLabel("Key").fill("Build Step");
    await page.getByRole("button", { name: "Save", exact: true }).first().click();
    const error = build.locator("[data-field-error]").filter({ hasText: "lower-case letters" });
    await error.waitFor();
    expect(await build.getByLabel("Key").getAttribute("aria-invalid")).toBe("true");
    expect(await dialog().count()).toBe(0);
    await build.getByLabel("Key").fill("build");
    await error.waitFor({ state: "detached" });
  });

  test("the YAML tab shows the same definition, and an edit there comes back to the form", async () => {
    await page.getByRole("tab", { name: "YAML" }).click();
    const yaml = page.locator("[data-job-yaml]");
    const text = await yaml.inputValue();
    expect(text.startsWith("name: deploy-web\n")).toBe(true);
    for (const line of ["type: choice", "selector: role=probe", "key: build", "op: exists", "status: always"])
      expect(text).toContain(line);
    await yaml.fill(text.replace('description: ""', "description: Written in YAML"));
    await page.getByRole("tab", { name: "Form" }).click();
    expect(await page.locator("#general").getByLabel("Description").inputValue()).toBe("Written in YAML");
    // Broken YAML stays in its tab, with the line.
    await page.getByRole("tab", { name: "YAML" }).click();
    await yaml.fill("name: deploy-web\nsteps:\n  - key: a\n   name: b\n");
    await page.getByRole("tab", { name: "Form" }).click();
    await page.locator("[data-yaml-problem]").filter({ hasText: "Line 4" }).waitFor();
    expect(await page.getByRole("tab", { name: "YAML" }).getAttribute("aria-selected")).toBe("true");
    await yaml.fill(text.replace('description: ""', "description: Written in YAML"));
    await page.getByRole("tab", { name: "Form" }).click();
    await page.locator("#general").waitFor();
  });

  test("saving asks what changed and opens the job", async () => {
    await save("First version", "Create job");
    jobId = new URL(page.url()).pathname.split("/").at(-1)!;
    await page.getByRole("heading", { name: "deploy-web", level: 1 }).waitFor();
    await page.locator("[data-job-steps]").getByText("exists").waitFor();
    const job = await ops.jobs.get.query({ id: jobId });
    expect(job.latestVersion).toBe(1);
    expect(job.definition.steps.map((step) => step.key)).toEqual(["build", "check", "notify"]);
    expect(job.definition.steps[1]!.when.outputs).toEqual([{ step: "build", key: "version", op: "exists" }]);
    expect(job.definition.parameters[0]).toMatchObject({ name: "ENV", type: "choice", required: true });
    await screenshot("jobs-02-detail");
  });

  test("editing makes version 2; versions 1 and 2 are compared side by side", async () => {
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await page.waitForURL(`${base}/jobs/${jobId}/edit`);
    await page.locator("#general").getByLabel("Description").fill("Builds, checks and notifies.");
    await save("Describe it", "Save version");
    expect((await ops.jobs.get.query({ id: jobId })).latestVersion).toBe(2);

    await page.locator('[data-version-row="2"]').getByText("Describe it").waitFor();
    await page.getByLabel("Compare from version 1").check();
    await page.getByLabel("Compare to version 2").check();
    await page.getByRole("button", { name: "Compare versions" }).click();
    await page.waitForURL(`${base}/jobs/${jobId}?tab=versions&from=1&to=2`);
    await page.locator('[data-diff-cell="old:removed"]').filter({ hasText: "Written in YAML" }).waitFor();
    await page
      .locator('[data-diff-cell="new:added"]')
      .filter({ hasText: "Builds, checks and notifies." })
      .waitFor();
    await screenshot("jobs-03-diff");
  });

  test("a stale editor is told someone saved meanwhile, and reloads the latest version", async () => {
    await page.goto(`${base}/jobs/${jobId}/edit`);
    await page.locator("#general").getByLabel("Description").waitFor();
    // Someone else saves version 3 while this editor is open on version 2.
    const current = await ops.jobs.get.query({ id: jobId });
    await ops.jobs.update.mutate({
      id: jobId,
      baseVersion: 2,
      definition: { ...current.definition, description: "Saved elsewhere" },
    });
    await page.locator("#general").getByLabel("Description").fill("My change");
    await page.getByRole("button", { name: "Save", exact: true }).first().click();
    await dialog().getByRole("button", { name: "Save version" }).click();
    await page.locator("[data-save-conflict]").waitFor();
    await page.getByRole("button", { name: "Reload the latest version" }).click();
    await page.waitForFunction(
      () =>
        (document.querySelector('#general textarea[name="description"]') as HTMLTextAreaElement | null)
          ?.value === "Saved elsewhere",
    );
  });

  test("the run form: the choice is required (checked before sending), then the run page opens", async () => {
    await page.goto(`${base}/jobs/${jobId}/run`);
    await page.getByRole("heading", { name: "Run deploy-web", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page
      .locator('[data-parameter="ENV"] [data-field-error]')
      .filter({ hasText: "ENV is required" })
      .waitFor();
    expect(new URL(page.url()).pathname).toBe(`/jobs/${jobId}/run`);
    await page.getByLabel("ENV").selectOption("prod");
    await screenshot("jobs-04-run-form");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.waitForURL(new RegExp(`/runs/${UUID.source}$`));
    const runId = new URL(page.url()).pathname.split("/").at(-1)!;
    const run = await ops.execution.runs.get.query({ id: runId });
    expect(run.job).toEqual({ id: jobId, name: "deploy-web", version: 3 });
    expect(run.parameters).toEqual({ ENV: "prod" });
    expect((await waitForRun(runId)).state).toBe("succeeded");
  });

  test("a choice from the targets is fetched again when the parameter it depends on changes", async () => {
    const job = await ops.jobs.create.mutate({
      name: "pick-host",
      definition: {
        folder: "/tools",
        parameters: [
          {
            name: "ROLE",
            type: "choice",
            required: true,
            choices: { type: "static", values: [{ value: "probe" }, { value: "other" }] },
          },
          {
            name: "HOST",
            type: "choice",
            required: true,
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a `${NAME}` reference of a choice source, not a template
            choices: { type: "targets", selector: "role=${ROLE}" },
          },
        ],
        targets: { selector: "role=probe" },
        steps: [{ key: "noop", name: "Nothing", action: { type: "noop" } }],
      },
    });
    await page.goto(`${base}/jobs/${job.id}/run`);
    const host = page.locator('[data-parameter="HOST"] select');
    await page.getByLabel("ROLE").selectOption("probe");
    await host.locator("option", { hasText: "probe-2" }).waitFor({ state: "attached" });
    expect(await host.locator("option").allTextContents()).toEqual(["Choose…", "probe-1", "probe-2"]);
    await page.getByLabel("ROLE").selectOption("other");
    await host.locator("option", { hasText: "bystander" }).waitFor({ state: "attached" });
    expect(await host.locator("option").allTextContents()).toEqual(["Choose…", "bystander"]);
    await screenshot("jobs-04b-dynamic-choices");
  });

  test("inside a blackout window the run form asks for a reason, then runs", async () => {
    const now = Date.now();
    const local = (time: number) => new Date(time).toISOString().slice(0, 16);
    await ops.jobs.calendars.create.mutate({
      name: "Now frozen",
      timeZone: "UTC",
      windows: [{ type: "once", start: local(now - 3_600_000), end: local(now + 3_600_000) }],
      scope: { folders: ["/held"], tags: [] },
    });
    const job = await ops.jobs.create.mutate({
      name: "held-job",
      definition: {
        folder: "/held",
        targets: { selector: "role=probe" },
        steps: [{ key: "noop", name: "Nothing", action: { type: "noop" } }],
      },
    });
    await page.goto(`${base}/jobs/${job.id}/run`);
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const reason = page.getByLabel("Override reason");
    await reason.waitFor();
    await page.locator("#override").getByText("Now frozen").waitFor();
    expect(new URL(page.url()).pathname).toBe(`/jobs/${job.id}/run`);
    await screenshot("jobs-04c-blackout");
    await reason.fill("Hotfix for the outage");
    await page.getByRole("button", { name: "Run anyway" }).click();
    await page.waitForURL(new RegExp(`/runs/${UUID.source}$`));
    const run = await ops.execution.runs.get.query({ id: new URL(page.url()).pathname.split("/").at(-1)! });
    expect(run.overrideReason).toBe("Hotfix for the outage");
  });

  test("a job that skips while it runs says so instead of opening a run", async () => {
    const job = await ops.jobs.create.mutate({
      name: "slow-skip",
      definition: {
        folder: "/tools",
        concurrency: "skip",
        targets: { selector: "name=probe-1" },
        steps: [
          { key: "wait", name: "Wait", action: { type: "command", command: "sleep 20" }, runOn: "local" },
        ],
      },
    });
    const active = await ops.jobs.run.mutate({ id: job.id, parameters: {} });
    expect(active.outcome).toBe("started");
    await page.goto(`${base}/jobs/${job.id}/run`);
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.locator('[data-run-outcome="skipped"]').waitFor();
    await page.getByRole("link", { name: "Open the active run" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/jobs/${job.id}/run`);
    await ops.execution.runs.cancel.mutate({ id: active.runId! });
  });

  test("the job's runs are listed on its page", async () => {
    await page.goto(`${base}/jobs/${jobId}`);
    await jobSection("Runs").click();
    await page.waitForURL(`${base}/jobs/${jobId}?tab=runs`);
    await page.locator("[data-job-run]").first().locator('[data-run-state="succeeded"]').waitFor();
  });

  test("a schedule every five minutes in Europe/Paris shows its next fire times", async () => {
    await jobSection("Schedules").click();
    await page.waitForURL(`${base}/jobs/${jobId}?tab=schedules`);
    await page.getByRole("button", { name: "New schedule" }).click();
    await dialog().getByLabel("Schedule name").fill("Every five minutes");
    await dialog().getByLabel("Cron expression").fill("*/5 * * * *");
    await dialog().getByLabel("Time zone").fill("Europe/Paris");
    const fires = dialog().locator("[data-next-fires] [data-fire-time]");
    await fires.nth(4).waitFor();
    const instants = await fires.evaluateAll((items) =>
      items.map((item) => item.getAttribute("data-fire-time")!),
    );
    expect(instants).toHaveLength(5);
    const times = instants.map((instant) => Date.parse(instant));
    expect(times[0]! > Date.now()).toBe(true);
    for (const [index, time] of times.entries()) {
      expect(new Date(time).getUTCMinutes() % 5).toBe(0);
      if (index) expect(time - times[index - 1]!).toBe(300_000);
    }
    // Shown on Paris clocks.
    expect(await fires.first().textContent()).toMatch(/GMT\+1|CET|GMT\+2|CEST/);
    await dialog().getByLabel("ENV").selectOption("staging");
    await screenshot("jobs-05-schedule");
    await dialog().getByRole("button", { name: "Create schedule" }).click();
    await waitForToast(page, "Created the schedule Every five minutes");
    const row = page.locator('[data-schedule-row="Every five minutes"]');
    await row.getByText("*/5 * * * * (Europe/Paris)").waitFor();
    const [schedule] = (await ops.jobs.schedules.list.query({ jobId })).items;
    expect(schedule).toMatchObject({
      cron: "*/5 * * * *",
      timeZone: "Europe/Paris",
      parameters: { ENV: "staging" },
    });
    expect(await row.getAttribute("data-schedule-row")).toBe("Every five minutes");
    expect(await row.locator("[data-next-fire]").getAttribute("data-next-fire")).toBe(schedule!.nextFireAt);

    // Edited in the same dialog: the new timing shows, with its next fire times.
    await row.getByRole("button", { name: "Edit Every five minutes" }).click();
    await dialog().getByLabel("Cron expression").fill("*/10 * * * *");
    await dialog().locator("[data-fire-time]").nth(4).waitFor();
    expect(await dialog().getByLabel("ENV").inputValue()).toBe("staging");
    await dialog().getByRole("button", { name: "Save schedule" }).click();
    await row.getByText("*/10 * * * * (Europe/Paris)").waitFor();

    // Paused and resumed from its row; the list of all schedules shows it too.
    await row.getByRole("button", { name: "Pause Every five minutes" }).click();
    await row.locator('[data-schedule-state="paused"]').waitFor();
    await row.getByRole("button", { name: "Resume Every five minutes" }).click();
    await row.locator('[data-schedule-state="active"]').waitFor();
    await nav().getByRole("link", { name: "Schedules" }).click();
    await page.waitForURL(`${base}/schedules`);
    await page
      .locator('[data-schedule-row="Every five minutes"]')
      .getByRole("link", { name: "deploy-web" })
      .waitFor();
    await page.getByRole("button", { name: "History of Every five minutes" }).click();
    await page.locator("[data-fire-history]").getByText("Not fired yet.").waitFor();

    // Created from this page: the job is picked, its parameters asked for with the run form's fields.
    await page.getByRole("button", { name: "New schedule" }).click();
    await dialog().getByLabel("Job", { exact: true }).selectOption({ label: "pick-host (/tools)" });
    await dialog().getByLabel("ROLE").waitFor();
    await dialog().getByLabel("Schedule name").fill("Every two hours");
    await dialog().getByText("Every…", { exact: true }).click();
    await dialog().getByLabel("Every", { exact: true }).fill("2");
    await dialog().getByLabel("Unit").selectOption("3600");
    await dialog().locator("[data-fire-time]").nth(4).waitFor();
    // The choices are checked before sending: the required ones are missing.
    await dialog().getByRole("button", { name: "Create schedule" }).click();
    await dialog().locator('[data-parameter="ROLE"] [data-field-error]').waitFor();
    await dialog().getByLabel("ROLE").selectOption("probe");
    await dialog()
      .getByLabel("HOST")
      .locator("option", { hasText: "probe-1" })
      .waitFor({ state: "attached" });
    await dialog().getByLabel("HOST").selectOption("probe-1");
    await dialog().getByRole("button", { name: "Create schedule" }).click();
    await page.locator('[data-schedule-row="Every two hours"]').getByText("every 2 h").waitFor();
  });

  test("a calendar with a weekly blackout window shows its upcoming windows", async () => {
    await nav().getByRole("link", { name: "Calendars" }).click();
    await page.waitForURL(`${base}/calendars`);
    await page.getByRole("button", { name: "New calendar" }).click();
    await dialog().getByLabel("Calendar name").fill("Change freeze");
    await dialog().getByLabel("Time zone").fill("Europe/Paris");
    const window = dialog().getByRole("group", { name: "Window 1" });
    await window.getByLabel("Starts (cron)").fill("0 22 * * 5");
    await window.getByLabel("Lasts (minutes)").fill("120");
    await dialog().locator("[data-occurrence]").nth(1).waitFor();
    expect(await dialog().locator("[data-occurrence]").count()).toBe(2);
    // A folder no job is in: the window must not hold back this file's runs, whatever the day.
    await dialog().getByLabel("All jobs").uncheck();
    await dialog().getByLabel("Folders").fill("/frozen");
    await screenshot("jobs-06-calendar");
    await dialog().getByRole("button", { name: "Create calendar" }).click();
    const row = page.locator('[data-calendar-row="Change freeze"]');
    await row.getByText("0 22 * * 5 for 2 h").waitFor();
    await row.getByText("Folders /frozen").waitFor();
    await page.getByRole("button", { name: "Upcoming windows of Change freeze" }).click();
    await page.locator("[data-occurrences]").locator("[data-occurrence]").nth(1).waitFor();
    await page.getByRole("button", { name: "Edit Change freeze" }).click();
    await dialog().getByRole("group", { name: "Window 1" }).getByLabel("Lasts (minutes)").fill("90");
    await dialog().getByRole("button", { name: "Save calendar" }).click();
    await row.getByText("0 22 * * 5 for 1 h 30 min").waitFor();
    const calendar = (await ops.jobs.calendars.list.query({})).items.find(
      (item) => item.name === "Change freeze",
    );
    expect(calendar).toMatchObject({
      timeZone: "Europe/Paris",
      windows: [{ type: "recurring", cron: "0 22 * * 5", durationMinutes: 90 }],
      scope: { folders: ["/frozen"], tags: [] },
    });
  });

  test("a webhook's URL and secret are shown once; a signed call starts a run and is listed", async () => {
    await page.goto(`${base}/jobs/${jobId}?tab=webhooks`);
    await page.getByRole("button", { name: "New webhook" }).click();
    await dialog().getByLabel("Webhook name").fill("ci");
    await dialog().getByLabel("Mapping 1 key").fill("ENV");
    await dialog().getByLabel("Mapping 1 value").fill("env");
    await dialog().getByRole("button", { name: "Create webhook" }).click();
    const revealed = page.locator("[data-webhook-secret]");
    await revealed.waitFor();
    const url = await revealed.getByRole("textbox", { name: "URL" }).inputValue();
    const secret = await revealed.getByRole("textbox", { name: "Secret" }).inputValue();
    expect(url).toMatch(new RegExp(`^${base}/api/v1/jobs/hooks/\\S+$`));
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    await revealed.getByRole("button", { name: "Copy the URL" }).waitFor();
    await revealed.getByRole("button", { name: "Copy the secret" }).waitFor();
    await screenshot("jobs-07-webhook-secret");
    await revealed.getByRole("button", { name: "Done" }).click();
    await revealed.waitFor({ state: "detached" });
    // Once closed, the secret is nowhere: not in the page, not after a reload.
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await page.locator('[data-webhook-row="ci"]').waitFor();
    expect(await page.content()).not.toContain(secret);

    const body = JSON.stringify({ env: "staging" });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomUUID();
    const signature = createHmac("sha256", secret).update(`${timestamp}.${nonce}.${body}`).digest("hex");
    const call = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-opsc-timestamp": timestamp,
        "x-opsc-nonce": nonce,
        "x-opsc-signature": `sha256=${signature}`,
      },
      body,
    });
    expect(call.status).toBe(202);
    await page.getByRole("button", { name: "Deliveries of ci" }).click();
    await page.locator("[data-deliveries]").getByText("started").waitFor();

    // Disabled, then enabled again, from its row.
    const hook = page.locator('[data-webhook-row="ci"]');
    await page.getByRole("button", { name: "Disable ci" }).click();
    await hook.getByText("Disabled").waitFor();
    await page.getByRole("button", { name: "Enable ci" }).click();
    await hook.getByText("Enabled").waitFor();

    // Rotating shows a new secret, once.
    await page.getByRole("button", { name: "Rotate the secret of ci" }).click();
    await revealed.waitFor();
    const rotated = await revealed.getByRole("textbox", { name: "Secret" }).inputValue();
    expect(rotated).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated).not.toBe(secret);
    await revealed.getByRole("button", { name: "Done" }).click();
  });

  test("importing YAML previews each job (create, update with its diff, errors) before applying", async () => {
    const exported = (await ops.jobs.export.query({})).yaml;
    const changed = exported.replace("description: Saved elsewhere", "description: Imported change");
    expect(changed).not.toBe(exported);
    const newJob = [
      "name: disk-usage",
      "folder: /maintenance",
      "targets: { selector: role=probe }",
      "steps:",
      "  - key: df",
      "    name: Disk usage",
      "    action: { type: command, command: df -h }",
      "    runOn: local",
    ].join("\n");

    await page.goto(`${base}/jobs`);
    await page.getByRole("link", { name: "Import YAML" }).click();
    await page.waitForURL(`${base}/jobs/import`);
    const yaml = page.getByLabel("Jobs", { exact: true });
    // An invalid document: the error names the document and the field, and nothing can be applied.
    await yaml.fill(
      `${newJob}\n---\nname: broken\ntargets: { selector: x }\nsteps:\n  - { key: Bad, name: b, action: { type: noop } }\n`,
    );
    await page.getByRole("button", { name: "Preview" }).click();
    await page
      .locator("[data-import-errors]")
      .getByText(/documents\[1\]/)
      .waitFor();
    expect(await page.getByRole("button", { name: "Apply" }).isDisabled()).toBe(true);

    await yaml.fill(`${newJob}\n---\n${changed}`);
    await page.getByRole("button", { name: "Preview" }).click();
    await page.locator('[data-import-job="disk-usage"][data-import-action="create"]').waitFor();
    const update = page.locator('[data-import-job="deploy-web"][data-import-action="update"]');
    await update.locator('[data-diff-cell="new:added"]').filter({ hasText: "Imported change" }).waitFor();
    await screenshot("jobs-08-import-preview");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByRole("status").filter({ hasText: "Imported: 2 jobs created or updated." }).waitFor();
    const jobs = await ops.jobs.list.query({});
    expect(jobs.items.map((job) => job.name).sort()).toEqual([
      "deploy-web",
      "disk-usage",
      "held-job",
      "pick-host",
      "slow-skip",
    ]);
    expect((await ops.jobs.get.query({ id: jobId })).definition.description).toBe("Imported change");
  });

  test("the list: folder tree, search, last run state, export", async () => {
    await page.goto(`${base}/jobs`);
    await page.locator('[data-job-row="deploy-web"] [data-run-state]').waitFor();
    await page.locator('[data-folder="/maintenance"]').click();
    await page.waitForURL(`${base}/jobs?folder=%2Fmaintenance`);
    await page.locator('[data-job-row="disk-usage"]').waitFor();
    expect(await page.locator("[data-job-row]").count()).toBe(1);
    await page.locator('[data-folder="/"]').click();
    await page.getByLabel("Search").fill("deploy");
    await page.waitForURL(`${base}/jobs?q=deploy`);
    await page.locator('[data-job-row="disk-usage"]').waitFor({ state: "detached" });
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^jobs-\d{4}-\d{2}-\d{2}\.yaml$/);
    const text = readFileSync((await file.path())!, "utf8");
    expect(text).toContain("name: deploy-web");
    expect(text).toContain("name: disk-usage");
    await screenshot("jobs-09-list");
  });

  test("the dashboard draws its charts and lists what is next", async () => {
    await nav().getByRole("link", { name: "Dashboard" }).click();
    await page.waitForURL(`${base}/`);
    await page.getByRole("heading", { name: "Welcome, Ada", level: 1 }).waitFor();
    for (const chart of ["runs-per-hour", "success-rate", "targets-health"])
      await page.locator(`[data-chart="${chart}"] svg.recharts-surface`).first().waitFor();
    // The runs of the last day are bars in the current hour.
    expect(
      await page.locator('[data-chart="runs-per-hour"] .recharts-bar-rectangle').count(),
    ).toBeGreaterThan(0);
    expect(await page.locator("[data-success-rate]").textContent()).toMatch(/%$/);
    await page
      .locator('[data-health="unknown"]')
      .getByText(String(PROBES.length + 1))
      .waitFor();
    await page.locator("[data-next-scheduled]").getByRole("link", { name: "deploy-web" }).waitFor();
    await screenshot("jobs-10-dashboard");
  });

  test("deleting a job asks first, then returns to the list", async () => {
    const held = (await ops.jobs.list.query({ search: "held-job" })).items[0]!;
    await page.goto(`${base}/jobs/${held.id}`);
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await dialog().getByRole("button", { name: "Delete job" }).click();
    await page.waitForURL(`${base}/jobs`);
    await page.locator('[data-job-row="deploy-web"]').waitFor();
    expect(await page.locator('[data-job-row="held-job"]').count()).toBe(0);
  });

  test("a viewer reads everything but gets no write buttons", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    await signIn(VIEWER);
    await page.goto(`${base}/jobs`);
    await page.locator('[data-job-row="deploy-web"]').waitFor();
    expect(await page.getByRole("link", { name: "New job" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Import YAML" }).count()).toBe(0);
    await page.goto(`${base}/jobs/${jobId}`);
    await page.getByRole("heading", { name: "deploy-web", level: 1 }).waitFor();
    for (const name of ["Run", "Edit"])
      expect(await page.getByRole("main").getByRole("link", { name, exact: true }).count()).toBe(0);
    expect(await page.getByRole("main").getByRole("button", { name: "Delete", exact: true }).count()).toBe(0);
    await jobSection("Schedules").click();
    await page.locator('[data-schedule-row="Every five minutes"]').waitFor();
    expect(await page.getByRole("button", { name: "New schedule" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Pause / }).count()).toBe(0);
    await page.goto(`${base}/jobs/${jobId}/run`);
    await page.getByText("You need the operator role to run jobs").waitFor();
    expect(await page.getByRole("button", { name: "Run", exact: true }).count()).toBe(0);
    await page.goto(`${base}/calendars`);
    await page.locator('[data-calendar-row="Change freeze"]').waitFor();
    expect(await page.getByRole("button", { name: "New calendar" }).count()).toBe(0);
    await screenshot("jobs-11-viewer");
  });

  test("no page threw or logged an error", () => {
    expect(pageErrors).toEqual([]);
  });
});
