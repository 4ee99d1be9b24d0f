// End to end for /discovery and /discovery/scans/:id through the real system (PostgreSQL, Redis, the auth,
// users, targets and discovery services, the system worker that runs scans, this web server and Caddy), driven
// by Chromium. The scanned hosts are two listeners this test opens on loopback addresses inside 127.1.9.0/29.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Deployment, startDeployment } from "@opsc/testing";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { collectPageErrors, launchChromium, screenshotPage, waitForToast } from "./support/browser.ts";
import { ensureBuild } from "./support/build.ts";

setDefaultTimeout(60_000);

const SCREENSHOTS = join(import.meta.dir, "screenshots");
const ADMIN = { name: "Ada Admin", email: "ada@example.com", password: "correct horse battery" };
const HTTP_HOST = "127.1.9.2";
const SSH_HOST = "127.1.9.3";
const SSH_BANNER = "SSH-2.0-OpenSSH_9.2 Test";
const PAGE_TITLE = "Discovery Test Page";

let deployment: Deployment | undefined;
let web: ReturnType<typeof Bun.serve> | undefined;
let ssh: Bun.TCPSocketListener | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let base: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  await ensureBuild();
  // An HTTP server with a <title>, and a server-first protocol that sends an SSH identification line.
  web = Bun.serve({
    hostname: HTTP_HOST,
    port: 0,
    fetch: () =>
      new Response(`<!doctype html><html><head><title>${PAGE_TITLE}</title></head><body>hi</body></html>`, {
        headers: { "content-type": "text/html", server: "test-httpd" },
      }),
  });
  ssh = Bun.listen({
    hostname: SSH_HOST,
    port: 0,
    socket: {
      open(socket) {
        socket.write(`${SSH_BANNER}\r\n`);
      },
      data() {},
    },
  });
  deployment = await startDeployment({
    web: true,
    workers: true,
    databasePrefix: "opsc_web_discovery_e2e",
    authEnv: { SIGN_IN_RATE_LIMIT_MAX: "30" },
  });
  base = deployment.url;

  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
  page = await context.newPage();
  collectPageErrors(page, pageErrors);
}, 180_000);

afterAll(async () => {
  const steps: (() => Promise<unknown>)[] = [
    async () => browser?.close(),
    async () => deployment?.stop(),
    async () => web?.stop(true),
    async () => ssh?.stop(true),
  ];
  for (const step of steps) await step().catch((error: unknown) => console.error("cleanup:", error));
}, 60_000);

const screenshot = (name: string) => screenshotPage(page, SCREENSHOTS, name);

const toast = (text: string) => waitForToast(page, text);

function nav(): Locator {
  return page.getByRole("navigation", { name: "Main" });
}

function scanPorts(): string {
  return `${web!.port}, ${ssh!.port}`;
}

async function fillScanDialog(dialog: Locator, fields: { name: string; ranges: string; ports: string }) {
  await dialog.getByLabel("Name", { exact: true }).fill(fields.name);
  await dialog.getByLabel("Ranges").fill(fields.ranges);
  await dialog.getByLabel("Ports").fill(fields.ports);
  await dialog.getByLabel("Timeout (ms)").fill("1000");
  await dialog.getByLabel("Concurrency").fill("20");
}

describe("discovery in the web app", () => {
  test("the first administrator signs in and finds Discovery in the menu", async () => {
    const res = await fetch(`${base}/api/v1/auth/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: deployment!.setupToken, ...ADMIN }),
    });
    expect(res.status).toBe(200);
    await page.goto(`${base}/sign-in`);
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/`);

    await nav().getByRole("link", { name: "Discovery" }).click();
    await page.waitForURL(`${base}/discovery`);
    await page.getByRole("heading", { name: "Discovery", level: 1 }).waitFor();
    await page.getByText("No scans yet.").waitFor();
  });

  test("the admin allows 127.1.9.0/29; an invalid CIDR is refused at the field", async () => {
    const ranges = page.locator("#ranges");
    await ranges.getByLabel("CIDR").fill("not-a-network");
    await ranges.getByRole("button", { name: "Add range" }).click();
    await ranges.locator("[data-field-error]").waitFor();
    expect(await ranges.getByLabel("CIDR").getAttribute("aria-invalid")).toBe("true");
    await screenshot("discovery-01-range-error");

    await ranges.getByLabel("CIDR").fill("127.1.9.0/29");
    await ranges.getByLabel("Description").fill("Test listeners");
    await ranges.getByRole("button", { name: "Add range" }).click();
    await toast("Allowed 127.1.9.0/29.");
    await page.locator('[data-range-row="127.1.9.0/29"]').waitFor();
    expect(await ranges.locator("[data-field-error]").count()).toBe(0);
    expect(await ranges.getByLabel("CIDR").inputValue()).toBe("");
  });

  test("a scan outside the allowed ranges is refused at the Ranges field; the right one is created", async () => {
    await page.getByRole("button", { name: "New scan" }).click();
    const dialog = page.getByRole("dialog", { name: "New scan" });
    await fillScanDialog(dialog, { name: "Loopback sweep", ranges: "10.0.0.0/24", ports: scanPorts() });
    await dialog.getByRole("button", { name: "Create scan" }).click();
    await dialog.locator("[data-field-error]").first().waitFor();
    expect(await dialog.getByLabel("Ranges").getAttribute("aria-invalid")).toBe("true");
    const message = await dialog.locator("[data-field-error]").first().textContent();
    expect(message).toContain("not inside an allowed range");
    await screenshot("discovery-02-scan-refused");

    await dialog.getByLabel("Ranges").fill("127.1.9.0/29");
    await dialog.getByRole("button", { name: "Create scan" }).click();
    await dialog.waitFor({ state: "hidden" });
    await toast("Created the scan Loopback sweep.");
    const row = page.locator('[data-scan-row="Loopback sweep"]');
    await row.waitFor();
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("127.1.9.0/29");
    expect(text).toContain(String(web!.port));
    expect(text).toContain(String(ssh!.port));
    expect(text).toContain("Never");
    // Nothing is wider than the window (the ranges panel sits in a narrow column).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
    await screenshot("discovery-03-scans");
  });

  test("running the scan finds both listeners with their banners", async () => {
    await page
      .locator('[data-scan-row="Loopback sweep"]')
      .getByRole("link", { name: "Loopback sweep" })
      .click();
    await page.getByRole("heading", { name: "Loopback sweep", level: 1 }).waitFor();
    await page.getByText("This scan has not run yet.").waitFor();
    await page.getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\?run=/);
    // The page polls by itself while the run is queued or running.
    await page.locator('#run [data-run="completed"]').waitFor({ timeout: 90_000 });
    await page.locator('[data-host-row="127.1.9.2"]').waitFor();
    await page.locator('[data-host-row="127.1.9.3"]').waitFor();
    expect(await page.locator("[data-host-row]").count()).toBe(2);
    expect(await page.locator('[data-host-row="127.1.9.2"]').textContent()).toContain(PAGE_TITLE);
    expect(await page.locator('[data-host-row="127.1.9.3"]').textContent()).toContain(SSH_BANNER);
    await screenshot("discovery-04-results");
  }, 120_000);

  test("both hosts are new in the diff and are imported as targets", async () => {
    const diff = page.locator("#diff");
    expect(await diff.locator("[data-diff-summary]").textContent()).toContain("2 new");
    await diff.locator('[data-new-host="127.1.9.2"]').waitFor();
    await diff.locator('[data-new-host="127.1.9.3"]').waitFor();
    const tags = diff.getByLabel("Tags for 127.1.9.2");
    expect(await tags.inputValue()).toContain("discovered=yes");
    // The suggested name can be changed before importing.
    await diff.getByLabel("Name for 127.1.9.2").fill("test-web");
    await screenshot("discovery-05-diff");

    await diff.getByRole("button", { name: "Import selected" }).click();
    await toast("Imported 2 targets.");
    const created = diff.locator("[data-imported]");
    await created.waitFor();
    await created.getByRole("link", { name: "test-web" }).waitFor();
    expect(await created.getByRole("link").count()).toBe(2);
    // Revalidated: the hosts now have targets, so none is new any more.
    await diff.getByText("No host without a target.").waitFor();
    await page.locator('[data-host-row="127.1.9.2"]').getByRole("link", { name: "Imported" }).waitFor();
    await screenshot("discovery-06-imported");
  });

  test("the targets list shows the imported hosts with discovered=yes", async () => {
    await nav().getByRole("link", { name: "Targets" }).click();
    await page.waitForURL(`${base}/targets`);
    await page.getByLabel("Selector").fill("discovered=yes");
    await page.locator('[data-preview-count="2"]').waitFor();
    const web = page.locator('[data-target-row="test-web"]');
    await web.waitFor();
    expect(await web.textContent()).toContain("127.1.9.2");
    expect(await page.locator("[data-target-row]").count()).toBe(2);
    const rows = (await page.locator("[data-target-row]").allTextContents()).join("\n");
    expect(rows).toContain("127.1.9.3");
    expect(rows).toContain("discovered");
    await screenshot("discovery-07-targets");
  });

  test("the discovery list shows the last run", async () => {
    await nav().getByRole("link", { name: "Discovery" }).click();
    const row = page.locator('[data-scan-row="Loopback sweep"]');
    await row.locator('[data-run-status="completed"]').waitFor();
    expect(await row.textContent()).toContain("2 hosts");
    await screenshot("discovery-08-list-after-run");
  });

  test("an operator edits a scan in a dialog filled with it; API errors show at their fields", async () => {
    const row = page.locator('[data-scan-row="Loopback sweep"]');
    // The row's actions fit beside the ranges panel, none scrolled out of sight.
    const actions = await row.getByRole("button", { name: "Delete" }).boundingBox();
    const section = await page.locator('section[aria-labelledby="scans-title"]').boundingBox();
    expect(actions!.x + actions!.width).toBeLessThanOrEqual(section!.x + section!.width);
    await row.getByRole("button", { name: "Edit" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit Loopback sweep" });
    expect(await dialog.getByLabel("Name", { exact: true }).inputValue()).toBe("Loopback sweep");
    expect(await dialog.getByLabel("Ranges").inputValue()).toBe("127.1.9.0/29");
    const ports = [Number(web!.port), ssh!.port].sort((a, b) => a - b).join(", ");
    expect(await dialog.getByLabel("Ports").inputValue()).toBe(ports);
    expect(await dialog.getByLabel("Timeout (ms)").inputValue()).toBe("1000");
    expect(await dialog.getByLabel("Concurrency").inputValue()).toBe("20");
    expect(await dialog.getByLabel("Schedule (cron)").inputValue()).toBe("");

    // Both refused by the API (an empty name, a timeout under 100 ms), each named at its field.
    await dialog.getByLabel("Name", { exact: true }).fill("");
    await dialog.getByLabel("Timeout (ms)").fill("50");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await dialog.locator("[data-field-error]").nth(1).waitFor();
    expect(await dialog.getByLabel("Name", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(await dialog.getByLabel("Timeout (ms)").getAttribute("aria-invalid")).toBe("true");
    await screenshot("discovery-09-edit-refused");

    await dialog.getByLabel("Name", { exact: true }).fill("Loopback sweep (renamed)");
    await dialog.getByLabel("Timeout (ms)").fill("1000");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await dialog.waitFor({ state: "hidden" });
    await toast("Saved the scan Loopback sweep (renamed).");
    const renamed = page.locator('[data-scan-row="Loopback sweep (renamed)"]');
    await renamed.waitFor();
    expect(await page.locator('[data-scan-row="Loopback sweep"]').count()).toBe(0);
    // The runs stay with the scan.
    await renamed.locator('[data-run-status="completed"]').waitFor();

    // Its own page has the same dialog, and shows the new name at once.
    await renamed.getByRole("link", { name: "Loopback sweep (renamed)" }).click();
    await page.getByRole("heading", { name: "Loopback sweep (renamed)", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    const again = page.getByRole("dialog", { name: "Edit Loopback sweep (renamed)" });
    await again.getByLabel("Name", { exact: true }).fill("Loopback sweep 2");
    await again.getByRole("button", { name: "Save changes" }).click();
    await again.waitFor({ state: "hidden" });
    await toast("Saved the scan Loopback sweep 2.");
    await page.getByRole("heading", { name: "Loopback sweep 2", level: 1 }).waitFor();
    await page.locator('#run [data-run="completed"]').waitFor();
    await screenshot("discovery-10-edited");
  });

  test("deleting a scan asks first; confirmed, it is gone", async () => {
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    const confirm = page.getByRole("dialog", { name: "Delete Loopback sweep 2?" });
    await screenshot("discovery-11-delete-confirm");
    // Cancelling keeps it.
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "hidden" });
    await page.getByRole("heading", { name: "Loopback sweep 2", level: 1 }).waitFor();

    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await confirm.getByRole("button", { name: "Delete scan" }).click();
    await page.waitForURL(`${base}/discovery`);
    await toast("Deleted Loopback sweep 2.");
    await page.getByText("No scans yet.").waitFor();
    expect(await page.locator("[data-scan-row]").count()).toBe(0);
    // The targets imported from it stay.
    await nav().getByRole("link", { name: "Targets" }).click();
    await page.locator('[data-target-row="test-web"]').waitFor();
    await nav().getByRole("link", { name: "Discovery" }).click();
    await page.getByText("No scans yet.").waitFor();
  });

  test("the scans list pages by 20, keeps its page over a reload, and steps back when its last page empties", async () => {
    // 21 scans through the API, with the admin's session cookie from the page.
    const statuses = await page.evaluate(async (port) => {
      const results: number[] = [];
      for (let index = 1; index <= 21; index++) {
        const response = await fetch("/api/v1/discovery/scans", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            name: `Paged ${String(index).padStart(2, "0")}`,
            ranges: ["127.1.9.0/29"],
            ports: [port],
          }),
        });
        results.push(response.status);
      }
      return results;
    }, web!.port);
    expect(statuses.every((status) => status === 200)).toBe(true);

    const pager = page.getByRole("navigation", { name: "Scan pages" });
    const summary = pager.locator("[data-paging-summary]");
    await page.reload();
    await pager.getByText("Page 1 of 2").waitFor();
    expect(await summary.textContent()).toBe("Showing 1–20 of 21");
    expect(await page.locator("[data-scan-row]").count()).toBe(20);
    expect(await pager.getByRole("link", { name: "Previous" }).count()).toBe(0);

    await pager.getByRole("link", { name: "Next" }).click();
    await page.waitForURL(`${base}/discovery?page=2`);
    await pager.getByText("Page 2 of 2").waitFor();
    expect(await summary.textContent()).toBe("Showing 21–21 of 21");
    expect(await page.locator("[data-scan-row]").count()).toBe(1);
    await page.locator('[data-scan-row="Paged 21"]').waitFor();
    await screenshot("discovery-12-page-2");

    await page.reload();
    await page.locator('[data-scan-row="Paged 21"]').waitFor();
    expect(await summary.textContent()).toBe("Showing 21–21 of 21");

    await pager.getByRole("link", { name: "Previous" }).click();
    await page.waitForURL(`${base}/discovery`);
    await page.locator('[data-scan-row="Paged 01"]').waitFor();
    expect(await summary.textContent()).toBe("Showing 1–20 of 21");

    // Deleting the only scan of page 2 from its row lands on page 1, now the only one.
    await pager.getByRole("link", { name: "Next" }).click();
    await page.waitForURL(`${base}/discovery?page=2`);
    await page.locator('[data-scan-row="Paged 21"]').getByRole("button", { name: "Delete" }).click();
    await page
      .getByRole("dialog", { name: "Delete Paged 21?" })
      .getByRole("button", { name: "Delete scan" })
      .click();
    await toast("Deleted Paged 21.");
    await page.waitForURL(`${base}/discovery`);
    await page.locator('[data-scan-row="Paged 01"]').waitFor();
    expect(await summary.textContent()).toBe("Showing 1–20 of 20");
    expect(await pager.getByRole("link").count()).toBe(0);
    expect(await page.locator('[data-scan-row="Paged 21"]').count()).toBe(0);
  });

  test("a scan's runs page by 20; the run picked stays shown while paging, and paging keeps it in the URL", async () => {
    // 21 quick runs (one address, a closed port) through the API; a scan runs once at a time.
    const made = await page.evaluate(async (port) => {
      const created = await fetch("/api/v1/discovery/scans", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Many runs", ranges: ["127.1.9.4/32"], ports: [port] }),
      });
      const scan = (await created.json()) as { id: string };
      const refused: string[] = [];
      for (let index = 0; index < 21; index++) {
        const started = await fetch(`/api/v1/discovery/scans/${scan.id}/run`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        });
        if (!started.ok) {
          refused.push(`${started.status} ${await started.text()}`);
          continue;
        }
        const run = (await started.json()) as { id: string };
        for (let status = "queued"; status === "queued" || status === "running"; ) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          const response = await fetch(`/api/v1/discovery/runs/${run.id}`);
          status = ((await response.json()) as { status: string }).status;
        }
      }
      return { scanId: scan.id, refused };
    }, web!.port);
    expect(made.refused).toEqual([]);
    const { scanId } = made;

    const detail = `${base}/discovery/scans/${scanId}`;
    await page.goto(detail);
    await page.getByRole("heading", { name: "Many runs", level: 1 }).waitFor();
    const runs = page.locator("#runs");
    const pager = page.getByRole("navigation", { name: "Run pages" });
    const summary = pager.locator("[data-paging-summary]");
    await pager.getByText("Page 1 of 2").waitFor();
    expect(await summary.textContent()).toBe("Showing 1–20 of 21");
    expect(await runs.locator("[data-run-row]").count()).toBe(20);

    // Pick the second newest; paging on keeps it below the list.
    const picked = runs.locator("[data-run-row]").nth(1);
    const pickedId = await picked.getAttribute("data-run-row");
    await picked.getByRole("link").click();
    await page.waitForURL(`${detail}?run=${pickedId}`);
    await runs.locator(`[data-run-row="${pickedId}"] [aria-current="true"]`).waitFor();
    await pager.getByRole("link", { name: "Next" }).click();
    await page.waitForURL(`${detail}?run=${pickedId}&page=2`);
    await pager.getByText("Page 2 of 2").waitFor();
    expect(await summary.textContent()).toBe("Showing 21–21 of 21");
    expect(await runs.locator("[data-run-row]").count()).toBe(1);
    await page.locator(`#run [data-run-id="${pickedId}"]`).waitFor();
    await page.reload();
    await page.locator(`#run [data-run-id="${pickedId}"]`).waitFor();
    expect(await summary.textContent()).toBe("Showing 21–21 of 21");
    await screenshot("discovery-13-runs-page-2");

    // Picking the oldest keeps page 2; Previous goes back to page 1 with that run still shown.
    const oldest = runs.locator("[data-run-row]").first();
    const oldestId = await oldest.getAttribute("data-run-row");
    await oldest.getByRole("link").click();
    await page.waitForURL(`${detail}?run=${oldestId}&page=2`);
    await pager.getByRole("link", { name: "Previous" }).click();
    await page.waitForURL(`${detail}?run=${oldestId}`);
    await pager.getByText("Page 1 of 2").waitFor();
    expect(await runs.locator(`[data-run-row="${oldestId}"]`).count()).toBe(0);
    await page.locator(`#run [data-run-id="${oldestId}"]`).waitFor();
  });

  test("no page raised an uncaught error or a React error", () => {
    expect(pageErrors).toEqual([]);
  });
});
