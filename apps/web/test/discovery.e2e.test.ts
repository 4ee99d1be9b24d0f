// End to end for /discovery and /discovery/scans/:id through the real system (PostgreSQL, Redis, the auth,
// users, targets and discovery services, the system worker that runs scans, this web server and Caddy), driven
// by Chromium. The scanned hosts are two listeners this test opens on loopback addresses inside 127.1.9.0/29.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Deployment, startDeployment } from "@opsc/testing";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { collectPageErrors, launchChromium } from "./support/browser.ts";
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

async function screenshot(name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function toast(text: string) {
  await page.getByRole("status").filter({ hasText: text }).first().waitFor();
}

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

  test("no page raised an uncaught error or a React error", () => {
    expect(pageErrors).toEqual([]);
  });
});
