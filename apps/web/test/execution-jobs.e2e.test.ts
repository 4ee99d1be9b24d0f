// End to end for the run pages of multi-step job runs, through the real system (PostgreSQL, Redis, every service,
// one execution worker with local commands enabled, this web server and Caddy), driven by Chromium. Job runs are
// started the way the jobs service starts them: the execution service's internal `runs.startPlan`, with the internal
// token, on the service's own port (never through the gateway). The targets are HTTP targets on loopback that are
// never contacted: the steps run on the worker host ("run on local"), once per target.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TStartPlanRunRequest, TStartPlanRunResponse, TStepInput } from "@opsc/contracts/execution/plan";
import type { TRun } from "@opsc/contracts/execution/runs";
import type { OpsClient } from "@opsc/sdk";
import { INTERNAL_TOKEN_HEADER } from "@opsc/server-kit";
import type { Deployment } from "@opsc/testing";
import type { Browser, Locator, Page } from "playwright-core";
import {
  ADMIN,
  cleanUp,
  collectPageErrors,
  openBrowserPage,
  SCREENSHOTS,
  screenshotPage,
  setUpAdmin,
  signInAndWait,
  signInClient,
  startWebDeployment,
  VIEWER,
} from "./support/browser.ts";

// Generous: the machine is shared, and a slow moment must not fail a test that only waits for things to happen.
setDefaultTimeout(90_000);

const EDGES = ["edge-1", "edge-2"];
const JOB = { id: crypto.randomUUID(), name: "deploy-edge", version: 4 };

let deployment: Deployment | undefined;
let browser: Browser | undefined;
let page: Page;
let base: string;
let ops: OpsClient;
let adminId: string;
let targetIds: string[] = [];
/** Where step 2 looks for its cause of failure: `broken-<target>`; removing the file removes the cause. */
let scratch: string | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "opsc-web-jobs-"));
  deployment = await startWebDeployment({
    executionWorkers: 1,
    executionWorkerEnv: { EXECUTION_LOCAL_ENABLED: "true", KILL_GRACE_MS: "500" },
    databasePrefix: "opsc_web_execution_jobs_e2e",
  });
  base = deployment.url;
  ({ browser, page } = await openBrowserPage(
    { viewport: { width: 1440, height: 1000 }, defaultTimeoutMs: 45_000 },
    pageErrors,
  ));
}, 180_000);

afterAll(
  () =>
    cleanUp([
      () => browser?.close(),
      () => deployment?.stop(),
      () => scratch && rmSync(scratch, { recursive: true, force: true }),
    ]),
  60_000,
);

const screenshot = (name: string) => screenshotPage(page, SCREENSHOTS, name);

const signIn = (credentials: { email: string; password: string }) => signInAndWait(page, base, credentials);

/**
 * `runs.startPlan` on the execution service's internal router, as the jobs service calls it (tRPC over HTTP without a
 * transformer: the input is the body, the answer is `result.data`).
 */
async function startPlan(input: TStartPlanRunRequest): Promise<TStartPlanRunResponse> {
  const response = await fetch(
    `http://127.0.0.1:${deployment!.ports.execution}/internal/trpc/execution/runs.startPlan`,
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [INTERNAL_TOKEN_HEADER]: deployment!.internalToken,
        "x-request-id": crypto.randomUUID(),
      },
      body: JSON.stringify(input),
    },
  );
  const body = (await response.json()) as { result?: { data: TStartPlanRunResponse } };
  if (!response.ok || !body.result) throw new Error(`startPlan: ${response.status} ${JSON.stringify(body)}`);
  return body.result.data;
}

const local = (key: string, name: string, command: string, extra: Partial<TStepInput> = {}): TStepInput => ({
  key,
  name,
  action: { type: "command", command, shell: "bash" },
  runOn: "local",
  ...extra,
});

async function waitForRun(id: string, done: (run: TRun) => boolean, timeoutMs = 60_000): Promise<TRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await ops.execution.runs.get.query({ id });
    if (done(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.state}: ${JSON.stringify(run.counts)}`);
    await Bun.sleep(100);
  }
}

/** Waits until `read` gives `expected` (a list re-rendering after a poll, rows arriving), then checks it. */
async function eventually<T>(read: () => Promise<T>, expected: Awaited<T>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!Bun.deepEquals(value, expected) && Date.now() < deadline) {
    await Bun.sleep(100);
    value = await read();
  }
  expect(value).toEqual(expected);
}

const finished = (run: TRun) => ["succeeded", "failed", "cancelled"].includes(run.state);

/** The run page's summary, by the run's state. */
function runIn(state: string): Locator {
  return page.locator(`#summary [data-run="${state}"]`);
}

/** A row of the grid: one step on one target. */
function taskRow(target: string, step: string): Locator {
  return page.locator(`#tasks [data-task-row="${target}"][data-task-step="${step}"]`);
}

const runIdOfPage = () => new URL(page.url()).pathname.split("/").at(-1)!;

let firstRunId: string;
let resumedRunId: string;
let retriedRunId: string;
/** Runs of the job started after the first resume, oldest first. */
const laterRunIds: string[] = [];

describe("job runs in the web app", () => {
  test("the admin signs in; two HTTP targets and a viewer are created through the SDK", async () => {
    await setUpAdmin(deployment!);
    ops = await signInClient(base, ADMIN);
    adminId = (await ops.users.me.get.query()).user.id;
    targetIds = [];
    for (const [index, name] of EDGES.entries()) {
      const target = await ops.targets.create.mutate({
        name,
        address: "127.0.0.1",
        port: 8100 + index,
        kind: "http",
        tags: { role: "edge" },
      });
      targetIds.push(target.id);
    }
    await ops.users.accounts.create.mutate({ ...VIEWER, role: "viewer" });
    await signIn(ADMIN);
  });

  test("a job run whose second step fails on one target: steps, trigger, parameters and the failed task", async () => {
    // edge-2's cause of failure; step 2 prints it and exits 4 while the file is there.
    writeFileSync(join(scratch!, "broken-edge-2"), "disk full\n");
    const started = await startPlan({
      name: "deploy-edge",
      job: JOB,
      plan: {
        strategy: "target-first",
        steps: [
          local("prepare", "Prepare the build", 'echo "::output build=b-$OPSC_TARGET_NAME"'),
          local(
            "install",
            "Install",
            `if [ -e "${scratch}/broken-$OPSC_TARGET_NAME" ]; then cat "${scratch}/broken-$OPSC_TARGET_NAME" >&2; exit 4; fi; echo "installed $OPSC_OUTPUT_prepare_build"`,
          ),
          local("verify", "Verify", 'echo "verified $OPSC_TARGET_NAME"'),
        ],
      },
      targets: { ids: targetIds },
      env: { VERSION: "1.2" },
      parameters: { version: "1.2", token: "********" },
      trigger: { kind: "manual", id: null, label: null },
      createdBy: adminId,
    });
    expect(started.outcome).toBe("started");
    firstRunId = started.runId!;
    const run = await waitForRun(firstRunId, finished);
    expect(run.state).toBe("failed");

    await page.goto(`${base}/runs/${firstRunId}`);
    await runIn("failed").waitFor();
    // The header: the job (linking to its page), its version and how the run started.
    const header = page.locator("[data-job-run]");
    expect(await header.locator("[data-run-job]").textContent()).toBe("deploy-edge");
    expect(await header.locator("[data-run-job]").getAttribute("href")).toBe(`/jobs/${JOB.id}`);
    expect(await header.locator("[data-run-job-version]").textContent()).toBe("version 4");
    expect(await header.locator('[data-run-trigger="manual"]').textContent()).toBe("started manually");
    // The parameters, the secret one masked.
    expect(await page.locator('[data-parameter="version"] [data-parameter-value]').textContent()).toBe("1.2");
    expect(await page.locator('[data-parameter="token"] [data-parameter-value]').textContent()).toBe(
      "•••• (secret)",
    );
    expect(await page.locator("#summary").textContent()).not.toContain("********");

    // The steps, in order, each with its tasks counted by state.
    const steps = page.locator("#steps [data-step]");
    expect(await steps.evaluateAll((items) => items.map((item) => item.getAttribute("data-step")))).toEqual([
      "prepare",
      "install",
      "verify",
    ]);
    await page.locator('#steps [data-step-counts="loaded"]').first().waitFor();
    const counted = (step: string) =>
      page.locator(`#steps [data-step="${step}"] [data-counts]`).getAttribute("data-counts");
    expect(await counted("prepare")).toBe("2 succeeded of 2 targets");
    expect(await counted("install")).toBe("1 succeeded, 1 failed of 2 targets");
    expect(await counted("verify")).toBe("1 succeeded, 1 skipped of 2 targets");
    expect(await page.locator('#steps [data-step="install"] [data-step-facts]').textContent()).toBe(
      "on the worker host · if no earlier step failed · no retries",
    );

    // The grid: a row per step and target, with the step; the failed task, and why the next one was skipped.
    await taskRow("edge-2", "install").locator('[data-task-state="failed"]').waitFor();
    expect(await taskRow("edge-2", "verify").locator("[data-task-skip-reason]").textContent()).toBe(
      "an earlier step failed",
    );
    await taskRow("edge-1", "verify").locator('[data-task-state="succeeded"]').waitFor();
    // Only the failed task offers to resume its target.
    expect(await page.locator("#tasks").getByRole("button", { name: "Resume this target" }).count()).toBe(1);
    expect(
      await taskRow("edge-2", "install").getByRole("button", { name: "Resume this target" }).count(),
    ).toBe(1);
    await page.getByRole("button", { name: "Resume from failed step" }).waitFor();
    await page.getByRole("button", { name: "Retry failed targets" }).waitFor();
    // Nothing to link yet: the run has no retries, parent or children.
    expect(await page.locator("#lineage").count()).toBe(0);
    await screenshot("execution-jobs-01-failed-run");
  });

  test("a task's details show its outputs; its output in the log carries target and step", async () => {
    await taskRow("edge-1", "prepare")
      .getByRole("button", { name: /edge-1/ })
      .click();
    const detail = page.locator("#task-detail");
    await detail.locator('[data-task-output="build"] [data-value]').filter({ hasText: "b-edge-1" }).waitFor();
    expect(await detail.getByRole("heading").first().textContent()).toBe("edge-1 · prepare");
    await page.locator('[data-log-filter="edge-1 · prepare"]').waitFor();

    await taskRow("edge-2", "install")
      .getByRole("button", { name: /edge-2/ })
      .click();
    await detail.locator('[data-task-state="failed"]').waitFor();
    await detail.getByText("None. A step sets one").waitFor();
    const log = page.getByRole("log", { name: "Run output" });
    await log.locator('[data-log-line="stderr"]').filter({ hasText: "disk full" }).waitFor();
    await detail.getByRole("button", { name: "Close the task's details" }).click();
    await page.locator("#task-detail").waitFor({ state: "detached" });
  });

  test("a viewer sees the job run but not its retry and resume actions", async () => {
    const viewer = await browser!.newContext({ viewport: { width: 1440, height: 1000 } });
    viewer.setDefaultTimeout(45_000);
    const viewerPage = await viewer.newPage();
    collectPageErrors(viewerPage, pageErrors);
    try {
      await signInAndWait(viewerPage, base, VIEWER);
      await viewerPage.goto(`${base}/runs/${firstRunId}`);
      await viewerPage.locator('#summary [data-run="failed"]').waitFor();
      await viewerPage
        .locator('#tasks [data-task-row="edge-2"][data-task-step="install"] [data-task-state="failed"]')
        .waitFor();
      expect(await viewerPage.getByRole("button", { name: "Resume this target" }).count()).toBe(0);
      expect(await viewerPage.getByRole("button", { name: "Resume from failed step" }).count()).toBe(0);
      expect(await viewerPage.getByRole("button", { name: "Retry failed targets" }).count()).toBe(0);
    } finally {
      await viewer.close();
    }
  });

  test("with the cause removed, “Resume this target” starts a new run from the failed step, which succeeds", async () => {
    rmSync(join(scratch!, "broken-edge-2"));
    await taskRow("edge-2", "install").getByRole("button", { name: "Resume this target" }).click();
    await page.waitForURL(
      (url) => /^\/runs\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(firstRunId),
    );
    resumedRunId = runIdOfPage();
    await runIn("succeeded").waitFor({ timeout: 45_000 });

    // Only edge-2, from its failed step: "prepare" was done in the first run and carried its output over.
    await eventually(
      () =>
        page
          .locator("#tasks [data-task-row]")
          .evaluateAll((rows) =>
            rows.map((row) => `${row.getAttribute("data-task-row")}/${row.getAttribute("data-task-step")}`),
          ),
      ["edge-2/prepare", "edge-2/install", "edge-2/verify"],
    );
    expect(await taskRow("edge-2", "prepare").locator("[data-task-skip-reason]").textContent()).toBe(
      `done in run ${firstRunId}`,
    );
    await taskRow("edge-2", "install").locator('[data-task-state="succeeded"]').waitFor();
    await taskRow("edge-2", "verify").locator('[data-task-state="succeeded"]').waitFor();
    const log = page.getByRole("log", { name: "Run output" });
    await log.locator("[data-log-line]").filter({ hasText: "installed b-edge-2" }).waitFor();
    await log.locator("[data-log-line]").filter({ hasText: "verified edge-2" }).waitFor();
    // The summary names the run this one resumes.
    expect(await page.locator("[data-retry-of]").textContent()).toBe("deploy-edge");
    expect(await page.locator("#summary").textContent()).toContain("Resumes deploy-edge");
    // A succeeded run offers nothing to retry.
    expect(await page.getByRole("button", { name: "Resume from failed step" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Resume this target" }).count()).toBe(0);

    const run = await ops.execution.runs.get.query({ id: resumedRunId });
    expect(run).toMatchObject({ retryOf: firstRunId, retryMode: "resume", rootRunId: firstRunId });
  });

  test("the lineage links both runs, the current one marked, from either page", async () => {
    const lineage = page.locator("#lineage [data-lineage='chain']");
    const entries = lineage.locator("[data-lineage-run]");
    expect(
      await entries.evaluateAll((items) => items.map((item) => item.getAttribute("data-lineage-run"))),
    ).toEqual([firstRunId, resumedRunId]);
    expect(await lineage.locator(`[data-lineage-run="${resumedRunId}"]`).getAttribute("aria-current")).toBe(
      "page",
    );
    expect(
      await lineage.locator(`[data-lineage-run="${resumedRunId}"] [data-lineage-mode]`).textContent(),
    ).toBe("resume from the failed step");
    await screenshot("execution-jobs-02-resumed-run");

    await lineage
      .locator(`[data-lineage-run="${firstRunId}"]`)
      .getByRole("link", { name: "deploy-edge" })
      .click();
    await page.waitForURL(`${base}/runs/${firstRunId}`);
    const back = page.locator("#lineage [data-lineage='chain']");
    // The page re-renders just after the URL changes: wait for the new run to be the marked one.
    await back.locator(`[data-lineage-run="${firstRunId}"][aria-current="page"]`).waitFor();
    await back.locator(`[data-lineage-run="${resumedRunId}"] [data-run-state="succeeded"]`).waitFor();
    await back.locator(`[data-lineage-run="${resumedRunId}"]`).getByRole("link").click();
    await page.waitForURL(`${base}/runs/${resumedRunId}`);
  });

  test("“Retry failed targets” runs them from the first step, “Resume from failed step” from where they failed", async () => {
    await page.goto(`${base}/runs/${firstRunId}`);
    await runIn("failed").waitFor();
    await page.getByRole("button", { name: "Retry failed targets" }).click();
    await page.waitForURL(
      (url) => /^\/runs\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(firstRunId),
    );
    retriedRunId = runIdOfPage();
    await runIn("succeeded").waitFor({ timeout: 45_000 });
    // From the start: every step of edge-2 ran again, none carried over.
    await taskRow("edge-2", "prepare").locator('[data-task-state="succeeded"]').waitFor();
    await taskRow("edge-2", "verify").locator('[data-task-state="succeeded"]').waitFor();
    expect(await page.locator("#tasks [data-task-row]").count()).toBe(3);
    const chain = page.locator("#lineage [data-lineage='chain'] [data-lineage-run]");
    await eventually(
      () => chain.evaluateAll((items) => items.map((item) => item.getAttribute("data-lineage-run"))),
      [firstRunId, resumedRunId, retriedRunId],
    );
    expect(await chain.last().locator("[data-lineage-mode]").textContent()).toBe(
      "retry of the failed targets",
    );
    expect(await ops.execution.runs.get.query({ id: retriedRunId })).toMatchObject({
      retryOf: firstRunId,
      retryMode: "retry",
    });

    await page.goto(`${base}/runs/${firstRunId}`);
    await runIn("failed").waitFor();
    await page.getByRole("button", { name: "Resume from failed step" }).click();
    await page.waitForURL(
      (url) => /^\/runs\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(firstRunId),
    );
    const resumedAgain = runIdOfPage();
    await runIn("succeeded").waitFor({ timeout: 45_000 });
    expect(await taskRow("edge-2", "prepare").locator("[data-task-skip-reason]").textContent()).toBe(
      `done in run ${firstRunId}`,
    );
    expect(await ops.execution.runs.get.query({ id: resumedAgain })).toMatchObject({
      retryOf: firstRunId,
      retryMode: "resume",
    });
    laterRunIds.push(retriedRunId, resumedAgain);
  });

  test("a tolerated failure is marked continued and the run succeeds with nothing to retry", async () => {
    const started = await startPlan({
      name: "lenient",
      job: { id: crypto.randomUUID(), name: "lenient", version: 1 },
      plan: {
        strategy: "step-first",
        steps: [
          local("probe", "Probe", 'if [ "$OPSC_TARGET_NAME" = edge-1 ]; then exit 2; fi', {
            continueOnError: true,
          }),
          local("report", "Report", "echo reported"),
        ],
      },
      targets: { ids: targetIds },
      trigger: { kind: "schedule", id: crypto.randomUUID(), label: "nightly" },
      createdBy: null,
    });
    const run = await waitForRun(started.runId!, finished);
    expect(run.state).toBe("succeeded");
    await page.goto(`${base}/runs/${run.id}`);
    await runIn("succeeded").waitFor();
    expect(await page.locator('[data-run-trigger="schedule"]').textContent()).toBe(
      "started by schedule “nightly”",
    );
    await taskRow("edge-1", "probe").locator("[data-task-continued]").waitFor();
    expect(await taskRow("edge-2", "probe").locator("[data-task-continued]").count()).toBe(0);
    await taskRow("edge-1", "report").locator('[data-task-state="succeeded"]').waitFor();
    expect(await page.locator('#steps [data-step="probe"]').textContent()).toContain("continues on error");
    expect(await page.getByRole("button", { name: "Resume this target" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Retry failed targets" }).count()).toBe(0);
  });

  test("a step that runs another job links to the child run, and each run's lineage to the other", async () => {
    const started = await startPlan({
      name: "release",
      job: { id: crypto.randomUUID(), name: "release", version: 1 },
      plan: {
        strategy: "target-first",
        steps: [
          {
            key: "notify",
            name: "Notify",
            action: {
              type: "job",
              job: "notify",
              parameters: {},
              resolved: {
                job: { id: crypto.randomUUID(), name: "notify", version: 2 },
                parameters: [],
                // Filled in by the service's schema (defaults), as when the jobs service resolves a child job.
                plan: { steps: [local("send", "Send", "echo sent")] as never, strategy: "target-first" },
                workerGroup: "default",
                exclusive: false,
              },
            },
          },
        ],
      },
      targets: { ids: [targetIds[0]!] },
      createdBy: adminId,
    });
    const parent = await waitForRun(started.runId!, finished);
    expect(parent.state).toBe("succeeded");
    await page.goto(`${base}/runs/${parent.id}`);
    await runIn("succeeded").waitFor();
    // The parent's lineage lists the run its step started.
    const children = page.locator("#lineage [data-lineage='children'] [data-lineage-run]");
    await children.first().waitFor();
    const childId = (await children.first().getAttribute("data-lineage-run"))!;
    expect(await children.first().getByRole("link").textContent()).toBe("notify");

    // The step's row links to the child run; there, the trigger and the lineage link back.
    await taskRow("edge-1", "notify").locator("[data-task-child-run]").click();
    await page.waitForURL(`${base}/runs/${childId}`);
    const trigger = page.locator('[data-run-trigger="job"]');
    await trigger.waitFor();
    expect(await trigger.textContent()).toBe("started by a step of run release");
    expect(await trigger.getByRole("link").getAttribute("href")).toBe(`/runs/${parent.id}`);
    const up = page.locator("#lineage [data-lineage='parent'] [data-lineage-run]");
    expect(await up.getAttribute("data-lineage-run")).toBe(parent.id);
    await up.getByRole("link", { name: "release" }).click();
    await page.waitForURL(`${base}/runs/${parent.id}`);
    await page.locator(`#lineage [data-lineage='children'] [data-lineage-run="${childId}"]`).waitFor();
  });

  test("a run held behind its job's active run says so, and why it was let into a blackout window", async () => {
    const job = { id: crypto.randomUUID(), name: "serial", version: 1 };
    const plan = (command: string) => ({
      strategy: "target-first" as const,
      steps: [local("work", "Work", command)],
    });
    const active = await startPlan({
      name: "serial",
      job,
      plan: plan("sleep 1000"),
      targets: { ids: [targetIds[0]!] },
      concurrency: "queue",
      createdBy: adminId,
    });
    expect(active.outcome).toBe("started");
    const held = await startPlan({
      name: "serial",
      job,
      plan: plan("echo done"),
      targets: { ids: [targetIds[0]!] },
      concurrency: "queue",
      createdBy: adminId,
      overrideReason: "hotfix approved by ops",
    });
    expect(held.outcome).toBe("queued");
    await page.goto(`${base}/runs/${held.runId}`);
    await page.locator("[data-run-held]").waitFor();
    expect(await page.locator("[data-run-held]").textContent()).toBe(
      "Held: waiting for the active run of this job to end.",
    );
    expect(await page.locator("[data-override-reason]").textContent()).toBe(
      "Started inside a blackout window: hotfix approved by ops",
    );
    await screenshot("execution-jobs-04-held");
    // Once the active run is over the held one starts; the page follows it without a reload.
    await ops.execution.runs.cancel.mutate({ id: active.runId! });
    await runIn("succeeded").waitFor({ timeout: 45_000 });
    expect(await page.locator("[data-run-held]").count()).toBe(0);
  });

  test("the runs list has a Job column and filters by job from ?jobId=", async () => {
    // An ad-hoc run alongside, to be filtered out.
    await ops.execution.runs.start.mutate({
      name: "ad-hoc no-op",
      action: { type: "noop", sleepMs: 0 },
      targets: { selector: "name=edge-1" },
    });
    await page.goto(`${base}/runs`);
    const rows = page.locator("[data-run-row]");
    await page.locator('[data-run-row="ad-hoc no-op"]').waitFor();
    expect(
      await page.locator(`[data-run-id="${firstRunId}"] [data-run-job]`).getAttribute("data-run-job"),
    ).toBe("deploy-edge");
    const jobCell = page.locator(`[data-run-id="${firstRunId}"] [data-run-job]`);
    expect(await jobCell.getByRole("link", { name: "deploy-edge" }).getAttribute("href")).toBe(
      `/jobs/${JOB.id}`,
    );
    expect(await jobCell.textContent()).toContain("version 4");
    expect(
      await page.locator('[data-run-row="ad-hoc no-op"] [data-run-job]').getAttribute("data-run-job"),
    ).toBe("");

    await page.goto(`${base}/runs?jobId=${JOB.id}`);
    await page.locator(`[data-job-filter="${JOB.id}"]`).getByRole("link", { name: "deploy-edge" }).waitFor();
    await eventually(
      () => rows.evaluateAll((items) => items.map((item) => item.getAttribute("data-run-id"))),
      [...laterRunIds].reverse().concat([resumedRunId, firstRunId]),
    );
    // The state filter keeps the job filter.
    await page.getByLabel("State").selectOption("failed");
    await page.waitForURL((url) => url.searchParams.get("state") === "failed");
    expect(new URL(page.url()).searchParams.get("jobId")).toBe(JOB.id);
    await eventually(
      () => rows.evaluateAll((items) => items.map((item) => item.getAttribute("data-run-id"))),
      [firstRunId],
    );
    await screenshot("execution-jobs-03-runs-of-job");
    await page.getByRole("link", { name: "Show all jobs' runs" }).click();
    await page.waitForURL(`${base}/runs?state=failed`);
  });

  test("no page raised an uncaught error or a React error", () => {
    expect(pageErrors).toEqual([]);
  });
});
