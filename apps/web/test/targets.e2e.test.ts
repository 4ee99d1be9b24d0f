// End to end for /targets, /targets/:id and /credentials through the real system (PostgreSQL, Redis, the auth,
// users and targets services, this web server and Caddy), driven by Chromium. The HTTP target points at a
// small server this test runs on loopback; the SSH targets are never contacted (no health worker runs here).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { type Deployment, type StartedSshd, startSshd } from "@opsc/testing";
import type { Browser, Locator, Page } from "playwright-core";
import {
  ADMIN,
  cleanUp,
  openBrowserPage,
  SCREENSHOTS,
  screenshotPage,
  setUpAdmin,
  signInAndWait,
  startWebDeployment,
  VIEWER,
  waitForToast,
} from "./support/browser.ts";

setDefaultTimeout(60_000);

/** What the probe server expects; stored write-only in the credential and never shown again. */
const PROBE_TOKEN = `probe-${crypto.randomUUID()}`;

let deployment: Deployment | undefined;
let probe: ReturnType<typeof Bun.serve> | undefined;
let sshd: StartedSshd | undefined;
let browser: Browser | undefined;
let page: Page;
let base: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  // The HTTP target: /health answers 200 only with the right bearer token, 401 otherwise.
  probe = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      if (new URL(request.url).pathname !== "/health") return new Response("not found", { status: 404 });
      return request.headers.get("authorization") === `Bearer ${PROBE_TOKEN}`
        ? new Response("ok")
        : new Response("unauthorized", { status: 401 });
    },
  });
  deployment = await startWebDeployment({ databasePrefix: "opsc_web_targets_e2e" });
  base = deployment.url;
  ({ browser, page } = await openBrowserPage(
    { viewport: { width: 1280, height: 900 }, acceptDownloads: true },
    pageErrors,
  ));
}, 180_000);

afterAll(
  () =>
    cleanUp([() => browser?.close(), () => deployment?.stop(), () => probe?.stop(true), () => sshd?.stop()]),
  60_000,
);

const screenshot = (name: string) => screenshotPage(page, SCREENSHOTS, name);

const signIn = (credentials: { email: string; password: string }) => signInAndWait(page, base, credentials);

const toast = (text: string) => waitForToast(page, text);

function nav(): Locator {
  return page.getByRole("navigation", { name: "Main" });
}

/** A target's row on /targets. */
function row(name: string): Locator {
  return page.locator(`[data-target-row="${name}"]`);
}

/** Fills the "New target" dialog; `tags` go into the key = value rows. */
async function fillTargetDialog(
  dialog: Locator,
  fields: { name: string; address: string; port?: string; tags?: [string, string][] },
) {
  await dialog.getByLabel("Name", { exact: true }).fill(fields.name);
  await dialog.getByLabel("Address").fill(fields.address);
  if (fields.port) await dialog.getByLabel("Port").fill(fields.port);
  for (const [index, [key, value]] of (fields.tags ?? []).entries()) {
    if (index > 0) await dialog.getByRole("button", { name: "+ Add tag" }).click();
    await dialog.getByLabel(`Tag ${index + 1} key`).fill(key);
    await dialog.getByLabel(`Tag ${index + 1} value`).fill(value);
  }
}

async function openNewTarget(): Promise<Locator> {
  await page.getByRole("button", { name: "New target" }).click();
  const dialog = page.getByRole("dialog", { name: "New target" });
  // The credential pickers load with the dialog.
  await dialog.getByRole("button", { name: "Create target" }).waitFor();
  return dialog;
}

describe("targets and credentials in the web app", () => {
  test("the first administrator is created and a viewer added through the API", async () => {
    await setUpAdmin(deployment!);

    await signIn(ADMIN);
    // The admin's session cookie rides along with a same-origin fetch from the page.
    const status = await page.evaluate(async (viewer) => {
      const response = await fetch("/api/v1/users/accounts", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...viewer, role: "viewer" }),
      });
      return response.status;
    }, VIEWER);
    expect(status).toBe(200);
  });

  test("the admin stores an HTTP bearer credential; the secret is never shown", async () => {
    await page.goto(`${base}/`);
    await nav().getByRole("link", { name: "Credentials" }).click();
    await page.waitForURL(`${base}/credentials`);
    await page.getByText("No credentials yet.").waitFor();

    await page.getByRole("button", { name: "New credential" }).click();
    const dialog = page.getByRole("dialog", { name: "New credential" });
    await dialog.getByLabel("Name", { exact: true }).fill("probe-token");
    await dialog.getByLabel("Kind").selectOption("http_bearer");
    const token = dialog.getByLabel("Token");
    expect(await token.getAttribute("type")).toBe("password");
    await token.fill(PROBE_TOKEN);
    await screenshot("targets-01-credential-create");
    await dialog.getByRole("button", { name: "Store credential" }).click();
    await dialog.waitFor({ state: "hidden" });
    await toast("Stored the credential probe-token.");

    const credentialRow = page.locator('[data-credential-row="probe-token"]');
    await credentialRow.waitFor();
    expect(await credentialRow.textContent()).toContain("HTTP bearer token");
    expect(await credentialRow.textContent()).toContain("Not used");
    // Only metadata comes back: the token is nowhere in the page.
    expect(await page.content()).not.toContain(PROBE_TOKEN);

    // Editing shows no secret either; replacing one asks for a new value.
    await credentialRow.getByRole("button", { name: "Edit" }).click();
    const edit = page.getByRole("dialog", { name: "Edit probe-token" });
    expect(await edit.getByLabel("Token").count()).toBe(0);
    await edit.getByLabel("Replace secret").check();
    expect(await edit.getByLabel("Token").inputValue()).toBe("");
    await edit.getByRole("button", { name: "Cancel" }).click();
    await edit.waitFor({ state: "hidden" });
    await screenshot("targets-02-credentials");
  });

  test("an HTTP target with the credential passes its connection test", async () => {
    await nav().getByRole("link", { name: "Targets" }).click();
    await page.waitForURL(`${base}/targets`);
    await page.getByText("No targets match these filters.").waitFor();

    const dialog = await openNewTarget();
    await dialog.getByRole("radiogroup", { name: "Kind" }).getByText("HTTP", { exact: true }).click();
    // SSH's slots give way to the HTTP settings, and only HTTP credentials are offered.
    await dialog.getByLabel("Path").waitFor();
    expect(await dialog.getByLabel("sudo credential").count()).toBe(0);
    await fillTargetDialog(dialog, {
      name: "probe-api",
      address: "127.0.0.1",
      port: String(probe!.port),
      tags: [["role", "probe"]],
    });
    await dialog.getByLabel("Scheme").selectOption("http");
    await dialog.getByLabel("Path").fill("/health");
    await dialog.getByLabel("Expected status").fill("200");
    const options = await dialog
      .getByLabel("Credential", { exact: true })
      .locator("option")
      .allTextContents();
    expect(options).toEqual(["None", "probe-token (HTTP bearer token)"]);
    await dialog
      .getByLabel("Credential", { exact: true })
      .selectOption({ label: "probe-token (HTTP bearer token)" });
    await screenshot("targets-03-new-http-target");
    await dialog.getByRole("button", { name: "Create target" }).click();
    await dialog.waitFor({ state: "hidden" });
    await toast("Created probe-api.");

    await row("probe-api").getByRole("link", { name: "probe-api" }).click();
    await page.getByRole("heading", { name: "probe-api", level: 1 }).waitFor();
    const attached = page.locator("[data-attached-credentials]");
    await attached.getByRole("link", { name: "probe-token" }).waitFor();

    await page.getByRole("button", { name: "Test connection" }).click();
    const result = page.locator('[data-connection-test="ok"]');
    await result.waitFor();
    expect(await result.locator("[data-test-detail]").textContent()).toBe("HTTP 200");
    expect(await result.textContent()).toContain("Connection works");
    await screenshot("targets-04-http-test-ok");
  });

  test("without the token the test fails, explained in plain words", async () => {
    await page.goto(`${base}/targets`);
    const dialog = await openNewTarget();
    await dialog.getByRole("radiogroup", { name: "Kind" }).getByText("HTTP", { exact: true }).click();
    await fillTargetDialog(dialog, {
      name: "probe-no-token",
      address: "127.0.0.1",
      port: String(probe!.port),
    });
    await dialog.getByLabel("Scheme").selectOption("http");
    await dialog.getByLabel("Path").fill("/health");
    await dialog.getByRole("button", { name: "Create target" }).click();
    await dialog.waitFor({ state: "hidden" });
    await row("probe-no-token").getByRole("link", { name: "probe-no-token" }).click();
    await page.getByRole("heading", { name: "probe-no-token", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Test connection" }).click();
    const result = page.locator('[data-connection-test="failed"]');
    await result.waitFor();
    const text = await result.textContent();
    expect(text).toContain("The server answered with an unexpected HTTP status.");
    expect(text).toContain("http_status");
    expect(text).toContain("401");
    await screenshot("targets-05-http-test-failed");

    // Deleting from the detail page asks first, then returns to the list.
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    const confirm = page.getByRole("dialog", { name: "Delete probe-no-token?" });
    await confirm.getByRole("button", { name: "Delete target" }).click();
    await page.waitForURL(`${base}/targets`);
    await toast("Deleted probe-no-token.");
    await row("probe-api").waitFor();
    expect(await row("probe-no-token").count()).toBe(0);
  });

  test("two SSH targets with tags are created, the first after fixing a bad name", async () => {
    await page.goto(`${base}/targets`);
    const dialog = await openNewTarget();
    // SSH is the default kind: its login and sudo slots show.
    await dialog.getByLabel("Login credential").waitFor();
    await dialog.getByLabel("sudo credential").waitFor();
    await fillTargetDialog(dialog, {
      name: "bad name!",
      address: "127.0.0.2",
      tags: [
        ["env", "prod"],
        ["role", "web"],
      ],
    });
    await dialog.getByRole("button", { name: "Create target" }).click();
    const nameError = dialog.locator("[data-field-error]");
    await nameError.waitFor();
    expect(await nameError.textContent()).toContain("letters, digits");
    expect(await dialog.getByLabel("Name", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    await screenshot("targets-06-new-target-field-error");

    await dialog.getByLabel("Name", { exact: true }).fill("web-1");
    await dialog.getByRole("button", { name: "Create target" }).click();
    await dialog.waitFor({ state: "hidden" });
    await toast("Created web-1.");

    const second = await openNewTarget();
    await fillTargetDialog(second, {
      name: "web-2",
      address: "127.0.0.3",
      port: "2222",
      tags: [
        ["env", "staging"],
        ["role", "web"],
      ],
    });
    await second.getByRole("button", { name: "Create target" }).click();
    await second.waitFor({ state: "hidden" });
    await toast("Created web-2.");

    await row("web-2").waitFor();
    expect(await row("web-1").textContent()).toContain("127.0.0.2:22");
    expect(await row("web-2").textContent()).toContain("127.0.0.3:2222");
    expect(await row("web-2").getByRole("listitem").allTextContents()).toEqual(["env=staging", "role=web"]);
    expect(await row("web-1").locator('[data-health="unknown"]').textContent()).toContain("never checked");
    await screenshot("targets-07-list");
  });

  test("the selector box previews matches live and points at a syntax error", async () => {
    await page.goto(`${base}/targets`);
    const selector = page.getByLabel("Selector");
    await selector.fill("role=web");
    await page.locator('[data-preview-count="2"]').waitFor();
    expect(await page.locator("[data-selector-status]").textContent()).toContain("2 targets match");

    await selector.fill("role=web env=prod");
    await page.locator('[data-preview-count="1"]').waitFor();

    // A space instead of a comma inside the list: the parser stops at "api", column 23.
    await selector.fill("env=prod role in (web api)");
    const error = page.locator("[data-selector-error]");
    await error.waitFor();
    expect(await error.getByRole("alert").textContent()).toMatch(/^at column 23, expected .* but found "a"$/);
    const mark = error.locator("mark");
    expect(await mark.getAttribute("data-error-column")).toBe("23");
    expect(await mark.textContent()).toBe("a");
    expect(await selector.getAttribute("aria-invalid")).toBe("true");
    await screenshot("targets-08-selector-error");

    // Enter applies the selector to the list (and the URL).
    await selector.fill("role=web");
    await page.locator('[data-preview-count="2"]').waitFor();
    await selector.press("Enter");
    await page.waitForURL(`${base}/targets?selector=role%3Dweb`);
    await row("probe-api").waitFor({ state: "detached" });
    expect(await page.locator("[data-target-row]").count()).toBe(2);
    await screenshot("targets-09-selector-applied");
  });

  test("both targets are tagged and put in maintenance in bulk", async () => {
    await page.getByLabel("Select every target on this page").check();
    const bar = page.locator("[data-bulk-bar]");
    await bar.waitFor();
    expect(await bar.locator("[data-bulk-scope]").textContent()).toBe("2 targets selected");
    await screenshot("targets-10-bulk-bar");
    await bar.getByRole("button", { name: "Tag…", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Tag targets (2 targets)" });
    await dialog.getByLabel("Tags (key=value)").fill("tier=frontend, owner=ops");
    await screenshot("targets-11-bulk-tag");
    await dialog.getByRole("button", { name: "Add tags" }).click();
    await toast("Tagged 2 targets.");
    await row("web-1").getByText("tier=frontend").waitFor();
    await row("web-2").getByText("owner=ops").waitFor();
    // The selection is cleared once the action is done.
    await bar.waitFor({ state: "detached" });

    await row("web-2").getByLabel("Select web-2").check();
    await page.locator("[data-bulk-bar]").getByRole("button", { name: "Maintenance on" }).click();
    await toast("Put 1 target in maintenance.");
    await row("web-2").getByText("Maintenance").waitFor();
  });

  test("a CSV import is checked in a dry run, then applied", async () => {
    await page.getByRole("button", { name: "Import" }).click();
    const dialog = page.getByRole("dialog", { name: "Import targets" });
    const header = "name,address,port,kind,tags,description,enabled,maintenance";
    await dialog
      .getByLabel("Content")
      .fill(
        [
          header,
          "web-3,127.0.0.4,22,ssh,env=prod;role=web,imported,true,false",
          "web-4,not an address!,22,ssh,,,,",
        ].join("\n"),
      );
    await dialog.getByRole("button", { name: "Dry run" }).click();
    const report = dialog.locator("[data-import-report]");
    await report.waitFor();
    expect(await report.locator("[data-import-summary]").textContent()).toBe(
      "1 to create, 0 to update, 0 unchanged, 1 error",
    );
    const errorRows = report.locator("[data-import-errors] tbody tr");
    expect(await errorRows.count()).toBe(1);
    expect(await errorRows.first().locator("td").first().textContent()).toBe("3");
    expect(await dialog.getByRole("button", { name: "Apply" }).isDisabled()).toBe(true);
    await screenshot("targets-12-import-errors");

    // The fixed file, uploaded: web-3 is new, web-1 gets a new description (tags kept as they are now).
    const fixed = [
      header,
      "web-3,127.0.0.4,22,ssh,env=prod;role=web,imported,true,false",
      "web-1,127.0.0.2,22,ssh,env=prod;owner=ops;role=web;tier=frontend,front door,true,false",
    ].join("\n");
    await dialog
      .locator('input[type="file"]')
      .setInputFiles({ name: "targets.csv", mimeType: "text/csv", buffer: Buffer.from(fixed) });
    await dialog.getByLabel("Content (from targets.csv)").waitFor();
    // The old report described other content: it is gone until the next dry run.
    await report.waitFor({ state: "detached" });
    await dialog.getByRole("button", { name: "Dry run" }).click();
    await report.locator("[data-import-summary]").filter({ hasText: "1 to create, 1 to update" }).waitFor();
    expect(await report.locator("[data-import-create]").textContent()).toContain("web-3");
    expect(await report.locator("[data-import-update]").textContent()).toContain("description");
    await screenshot("targets-13-import-dry-run");
    await dialog.getByRole("button", { name: "Apply" }).click();
    await dialog.waitFor({ state: "hidden" });
    await toast("Imported: 1 created, 1 updated.");
    await row("web-3").waitFor();
  });

  test("the targets the selector matches are exported as YAML", async () => {
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export YAML" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^targets-\d{4}-\d{2}-\d{2}\.yaml$/);
    const yaml = readFileSync((await file.path())!, "utf8");
    expect(yaml).toStartWith("targets:");
    for (const name of ["web-1", "web-2", "web-3"]) expect(yaml).toContain(`name: ${name}`);
    expect(yaml).not.toContain("probe-api");
    await toast("Exported 3 targets.");
  });

  test("keyset paging walks 120 targets; all matches are deleted in bulk after a confirmation", async () => {
    const lines = Array.from(
      { length: 120 },
      (_, index) => `batch-${String(index).padStart(3, "0")},127.0.1.${index},22,ssh,batch=paging,,,`,
    );
    await page.getByRole("button", { name: "Import" }).click();
    const dialog = page.getByRole("dialog", { name: "Import targets" });
    await dialog
      .getByLabel("Content")
      .fill(["name,address,port,kind,tags,description,enabled,maintenance", ...lines].join("\n"));
    await dialog.getByRole("button", { name: "Dry run" }).click();
    await dialog.locator("[data-import-summary]").filter({ hasText: "120 to create" }).waitFor();
    await dialog.getByRole("button", { name: "Apply" }).click();
    await toast("Imported: 120 created, 0 updated.");

    await page.goto(`${base}/targets?selector=batch%3Dpaging`);
    const summary = page.locator("[data-paging-summary]");
    await summary.filter({ hasText: "Showing 1–50 of 120" }).waitFor();
    expect(await page.locator("[data-target-row]").count()).toBe(50);
    const pages = page.getByRole("navigation", { name: "Pages" });
    await pages.getByRole("link", { name: "Next" }).click();
    await summary.filter({ hasText: "Showing 51–100 of 120" }).waitFor();
    await row("batch-050").waitFor();
    await pages.getByRole("link", { name: "Next" }).click();
    await summary.filter({ hasText: "Showing 101–120 of 120" }).waitFor();
    expect(await page.locator("[data-target-row]").count()).toBe(20);
    expect(await pages.getByRole("link", { name: "Next" }).getAttribute("aria-disabled")).toBe("true");
    expect(new URL(page.url()).searchParams.get("pages")?.split(",")).toHaveLength(2);
    await screenshot("targets-13b-paging");
    // Previous pops the cursor stack; the browser's back button works the same way.
    await pages.getByRole("link", { name: "Previous" }).click();
    await summary.filter({ hasText: "Showing 51–100 of 120" }).waitFor();
    await page.goBack();
    await summary.filter({ hasText: "Showing 101–120 of 120" }).waitFor();
    await pages.getByRole("link", { name: "First" }).click();
    await summary.filter({ hasText: "Showing 1–50 of 120" }).waitFor();

    // Ticking the whole page offers every match, which only a selector can express.
    await page.getByLabel("Select every target on this page").check();
    const bar = page.locator("[data-bulk-bar]");
    expect(await bar.locator("[data-bulk-scope]").textContent()).toBe("50 targets selected");
    await bar.getByRole("button", { name: "Select all 120 matching" }).click();
    expect(await bar.locator("[data-bulk-scope]").textContent()).toBe(
      "All 120 targets matching the selector",
    );
    await bar.getByRole("button", { name: "Delete…" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete targets? (120 targets)" });
    await screenshot("targets-13c-bulk-delete-confirm");
    await confirm.getByRole("button", { name: "Delete 120 targets" }).click();
    await toast("Deleted 120 targets.");
    await page.getByText("No targets match these filters.").waitFor();
    await page.goto(`${base}/targets?selector=role%3Dweb`);
    await row("web-1").waitFor();
  });

  test("the detail page shows settings, host key and an empty health history", async () => {
    await row("web-1").getByRole("link", { name: "web-1" }).click();
    await page.getByRole("heading", { name: "web-1", level: 1 }).waitFor();
    await page.locator("[data-health-empty]").waitFor();
    await page.locator('[data-host-key="none"]').waitFor();
    expect(await page.getByRole("button", { name: "Re-pin host key" }).count()).toBe(1);
    const settings = page.locator("#settings");
    expect(await settings.getByLabel("Name", { exact: true }).inputValue()).toBe("web-1");
    expect(await settings.getByLabel("Description").inputValue()).toBe("front door");

    // A change saved from the edit form, with the API's field error first.
    await settings.getByLabel("Port").fill("70000");
    await settings.getByRole("button", { name: "Save changes" }).click();
    await settings.locator("[data-field-error]").waitFor();
    await settings.getByLabel("Port").fill("2200");
    await settings.getByRole("button", { name: "Save changes" }).click();
    await toast("Saved web-1.");
    await page.getByRole("heading", { name: "web-1", level: 1 }).waitFor();
    await page.getByText("127.0.0.2:2200").first().waitFor();
    await screenshot("targets-14-detail-ssh");
  });

  test("recorded health checks are drawn as a latency chart and listed", async () => {
    // No health worker runs here: write a few checks the way it would record them.
    const sql = new Bun.SQL(deployment!.database.url);
    try {
      const [target] = await sql`select id from targets.targets where name = 'probe-api'`;
      const now = Date.now();
      for (let index = 0; index < 24; index++) {
        const status = index === 5 ? "down" : index === 6 ? "degraded" : "up";
        const latency = status === "down" ? null : status === "degraded" ? 450 : 20 + ((index * 7) % 15);
        await sql`insert into targets.health_checks (target_id, status, latency_ms, error, checked_at)
                  values (${target.id}, ${status}, ${latency}, ${status === "down" ? "timeout" : null},
                          ${new Date(now - (24 - index) * 60_000)})`;
      }
    } finally {
      await sql.close();
    }
    await page.goto(`${base}/targets?q=probe-api`);
    await row("probe-api").getByRole("link", { name: "probe-api" }).click();
    await page.getByRole("heading", { name: "probe-api", level: 1 }).waitFor();
    // The chart module loads on demand; its SVG appears once it has.
    await page.locator("[data-health-chart] svg.recharts-surface").waitFor();
    expect(await page.locator("[data-health-checks] tbody tr").count()).toBe(10);
    expect(await page.locator("#health-history").textContent()).toContain("92% up over 24 checks");
    await screenshot("targets-15-detail-health-chart");

    // The chart follows dark mode (the theme is "system", so the OS setting decides).
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForFunction(() => document.documentElement.classList.contains("dark"));
    await screenshot("targets-16-detail-health-chart-dark");
    await page.emulateMedia({ colorScheme: "light" });
    await page.waitForFunction(() => !document.documentElement.classList.contains("dark"));
  });

  test("an SSH target: the test pins the host key, a changed key is refused, an admin re-pins it", async () => {
    sshd = await startSshd();
    const user = sshd.users[0]!;
    await page.goto(`${base}/credentials`);
    await page.getByRole("button", { name: "New credential" }).click();
    const create = page.getByRole("dialog", { name: "New credential" });
    await create.getByLabel("Name", { exact: true }).fill("sshd-key");
    // SSH key is the default kind: user name, the private key in a textarea, an optional passphrase.
    await create.getByLabel("User name").fill(user.username);
    await create.getByLabel("Private key").fill(user.privateKeyPem);
    await create.getByRole("button", { name: "Store credential" }).click();
    await create.waitFor({ state: "hidden" });
    const credentialRow = page.locator('[data-credential-row="sshd-key"]');
    expect(await credentialRow.textContent()).toContain(user.username);
    expect(await credentialRow.textContent()).toContain("SHA256:");
    expect(await page.content()).not.toContain("PRIVATE KEY");

    await page.goto(`${base}/targets`);
    const dialog = await openNewTarget();
    await fillTargetDialog(dialog, { name: "sshd-host", address: "127.0.0.1", port: String(sshd.port) });
    await dialog
      .getByLabel("Login credential")
      .selectOption({ label: `sshd-key (SSH key, ${user.username})` });
    await dialog.getByRole("button", { name: "Create target" }).click();
    await dialog.waitFor({ state: "hidden" });
    await row("sshd-host").getByRole("link", { name: "sshd-host" }).click();
    await page.getByRole("heading", { name: "sshd-host", level: 1 }).waitFor();
    await page.locator('[data-host-key="none"]').waitFor();

    const firstKey = sshd.hostKeys.ed25519.fingerprintSha256;
    await page.getByRole("button", { name: "Test connection" }).click();
    const ok = page.locator('[data-connection-test="ok"]');
    await ok.waitFor();
    expect(await ok.locator("[data-test-detail]").textContent()).toContain("OpenSSH");
    expect(await ok.textContent()).toContain(firstKey);
    await ok.getByText("Pinned now").waitFor();
    // The page reloads the target after the test: the panel shows the key that was pinned.
    await page.locator("[data-host-key]").filter({ hasText: firstKey }).waitFor();
    await screenshot("targets-16b-ssh-test-pinned");

    // The host "is re-installed": the next test is refused before the key is used, in plain words.
    const secondKey = await sshd.rotateHostKey();
    await page.getByRole("button", { name: "Test connection" }).click();
    const failed = page.locator('[data-connection-test="failed"]');
    await failed.waitFor();
    expect(await failed.textContent()).toContain("different host key than the pinned one");
    expect(await failed.textContent()).toContain("host_key_mismatch");

    await page.getByRole("button", { name: "Re-pin host key" }).click();
    const repin = page.getByRole("dialog", { name: "Re-pin the host key of sshd-host?" });
    await repin.getByText("someone may be intercepting the connection").waitFor();
    await screenshot("targets-16c-repin-confirm");
    await repin.getByRole("button", { name: "Trust the new key" }).click();
    await toast("Pinned the new host key of sshd-host.");
    await page.locator("[data-host-key]").filter({ hasText: secondKey }).waitFor();

    await page.getByRole("button", { name: "Test connection" }).click();
    await page.locator('[data-connection-test="ok"]').getByText("matches the pinned key").waitFor();
    await screenshot("targets-16d-ssh-repinned");
  });

  test("a credential in use cannot be deleted; the API's reason is shown", async () => {
    await page.goto(`${base}/credentials`);
    const credentialRow = page.locator('[data-credential-row="probe-token"]');
    expect(await credentialRow.textContent()).toContain("1 target");
    await credentialRow.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete probe-token?" });
    await dialog.getByRole("button", { name: "Delete credential" }).click();
    await dialog.getByRole("alert").filter({ hasText: "In use by 1 target(s)" }).waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
  });

  test("a viewer sees targets but no edit, bulk or credential actions", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in\?signed-out=1$/);
    await signIn(VIEWER);
    await nav().getByRole("link", { name: "Targets" }).waitFor();
    expect(await nav().getByRole("link", { name: "Credentials" }).count()).toBe(0);

    await nav().getByRole("link", { name: "Targets" }).click();
    await row("web-1").waitFor();
    expect(await page.getByRole("button", { name: "New target" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Import" }).count()).toBe(0);
    expect(await page.getByRole("checkbox").count()).toBe(0);
    // Reading is allowed: the selector preview and the export work for viewers too.
    await page.getByLabel("Selector").fill("tier=frontend");
    await page.locator('[data-preview-count="2"]').waitFor();
    expect(await page.getByRole("button", { name: "Export CSV" }).count()).toBe(1);
    await screenshot("targets-17-viewer-list");

    await row("web-1").getByRole("link", { name: "web-1" }).click();
    await page.getByRole("heading", { name: "web-1", level: 1 }).waitFor();
    await page.locator("#overview").waitFor();
    for (const name of ["Test connection", "Delete", "Save changes", "Re-pin host key"])
      expect(await page.getByRole("button", { name }).count()).toBe(0);
    expect(await page.locator("#settings").count()).toBe(0);
    await screenshot("targets-18-viewer-detail");

    await page.goto(`${base}/credentials`);
    await page.getByRole("heading", { name: "You need the operator role" }).waitFor();
    expect(await page.getByRole("button", { name: "New credential" }).count()).toBe(0);
  });

  test("the targets page fits a phone-sized screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/targets`);
    await row("web-1").waitFor();
    // Only the table may be wider than the screen, and it scrolls inside its own box.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot("targets-19-viewer-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test("no page raised an uncaught error or a React error", () => {
    expect(pageErrors).toEqual([]);
  });
});
