// End to end through the real system: PostgreSQL, Redis, the auth and users services, this web server and the
// Caddy gateway, driven by Chromium. Each run gets its own database, Redis prefix and ports.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Deployment } from "@opsc/testing";
import { Validator } from "@seriousme/openapi-schema-validator";
import type { Browser, Page } from "playwright-core";
import {
  ADMIN,
  cleanUp,
  openBrowserPage,
  SCREENSHOTS,
  screenshotPage,
  startWebDeployment,
  submitSignIn,
  waitForToast,
} from "./support/browser.ts";
import { totpFromUri } from "./support/totp.ts";

// Each test is a browser flow with several API round trips; bun's default of 5 s is meant for unit tests.
setDefaultTimeout(30_000);

const OPERATOR = { name: "Otto Operator", email: "otto@example.com", password: "operator passphrase 1" };
/** What the admin resets the operator's password to; the operator changes it back on the profile page. */
const RESET_PASSWORD = "reset by the admin 42";

let deployment: Deployment | undefined;
let browser: Browser | undefined;
let page: Page;
let base: string;
let setupToken: string;
/** Uncaught exceptions and React errors in the page; any of them fails the run at the end. */
const pageErrors: string[] = [];

beforeAll(async () => {
  deployment = await startWebDeployment({ databasePrefix: "opsc_web_e2e" });
  base = deployment.url;
  setupToken = deployment.setupToken;
  ({ browser, page } = await openBrowserPage({ viewport: { width: 1280, height: 860 } }, pageErrors));
}, 180_000);

afterAll(() => cleanUp([() => browser?.close(), () => deployment?.stop()]), 60_000);

const screenshot = (name: string) => screenshotPage(page, SCREENSHOTS, name);

async function signIn(credentials: { email: string; password: string }) {
  await submitSignIn(page, base, credentials);
}

const toast = (text: string) => waitForToast(page, text);

async function signOut() {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/sign-in\?signed-out=1$/);
  await page.getByText("You have signed out.").waitFor();
}

describe("OpsConductor web app", () => {
  test("the gateway serves the merged OpenAPI document of both services", async () => {
    const res = await fetch(`${base}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const document = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe("3.1.0");
    const paths = Object.keys(document.paths);
    expect(paths).toContain("/auth/setup");
    expect(paths).toContain("/users/accounts");
    expect(paths).toContain("/users/me");
    // What the gateway serves is checked by a real OpenAPI 3.1 validator, not only by its shape.
    const validation = await new Validator().validate(document as never);
    expect(validation.errors ?? []).toEqual([]);
    expect(validation.valid).toBe(true);
  });

  test("the setup page shows the API's verdict on a wrong token", async () => {
    await page.goto(`${base}/setup?token=wrong-token-0123456789`);
    await page.getByLabel("Name").fill(ADMIN.name);
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await page.getByLabel("Repeat the password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Create administrator" }).click();
    // The rejected token comes back as a visible field, with the API's message under it.
    await page.getByLabel("Setup token").waitFor();
    expect(await page.locator("[data-field-error]").textContent()).toBe("The setup token is wrong");
    await screenshot("00-setup-wrong-token");
  });

  test("the first administrator is created with the setup token", async () => {
    const res = await fetch(`${base}/api/v1/auth/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: setupToken, ...ADMIN }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { userId: string }).userId).toBeString();
  });

  test("the setup page sends visitors to sign-in once an administrator exists", async () => {
    await page.goto(`${base}/setup?token=${setupToken}`);
    await page.waitForURL(/\/sign-in\?setup=exists$/);
    await page.getByText("An administrator already exists").waitFor();
  });

  test("a wrong password is refused with a clear message", async () => {
    await signIn({ email: ADMIN.email, password: "not the password" });
    await page.getByRole("alert").filter({ hasText: "Wrong e-mail or password." }).waitFor();
    await screenshot("01-sign-in-error");
  });

  test("the admin signs in and creates an operator, fixing a bad e-mail first", async () => {
    await signIn(ADMIN);
    await page.waitForURL(`${base}/`);
    await page.getByRole("heading", { name: "Welcome, Ada" }).waitFor();
    expect(await page.locator("[data-current-user]").textContent()).toBe(ADMIN.name);
    await screenshot("02-dashboard-admin");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    await page.waitForURL(`${base}/users`);
    await page.locator(`[data-user-row="${ADMIN.email}"]`).waitFor();

    await page.getByRole("button", { name: "Create user" }).click();
    const dialog = page.getByRole("dialog", { name: "Create user" });
    await dialog.getByLabel("Name").fill(OPERATOR.name);
    await dialog.getByLabel("E-mail").fill("not-an-email");
    await dialog.getByLabel("Role").selectOption("operator");
    await dialog.getByLabel("Initial password").fill(OPERATOR.password);
    await dialog.getByRole("button", { name: "Create user" }).click();
    // The API's message, shown under the e-mail field (and announced through aria-describedby).
    const emailError = dialog.locator("[data-field-error]");
    await emailError.waitFor();
    expect(await emailError.textContent()).toMatch(/email/i);
    expect(await dialog.getByLabel("E-mail").getAttribute("aria-invalid")).toBe("true");
    await screenshot("03-users-create-field-error");

    await dialog.getByLabel("E-mail").fill(OPERATOR.email);
    await dialog.getByRole("button", { name: "Create user" }).click();
    await dialog.waitFor({ state: "hidden" });
    await toast(`Created ${OPERATOR.email}.`);
    const row = page.locator(`[data-user-row="${OPERATOR.email}"]`);
    expect(await row.getByLabel(`Role of ${OPERATOR.email}`).inputValue()).toBe("operator");
    await screenshot("04-users-admin");

    // The search is debounced into the URL and filters on the server.
    // Typing on after the first reload must still land in the box (it keeps focus and its text).
    const search = page.getByLabel("Search");
    await search.pressSequentially("ot");
    await page.waitForURL(`${base}/users?q=ot`);
    await search.pressSequentially("to");
    await page.waitForURL(`${base}/users?q=otto`);
    await page.locator(`[data-user-row="${ADMIN.email}"]`).waitFor({ state: "detached" });
    expect(await page.locator("[data-user-row]").count()).toBe(1);
    // So does the role filter, which keeps the search.
    await page.getByLabel("Role", { exact: true }).selectOption("admin");
    await page.waitForURL(`${base}/users?q=otto&role=admin`);
    await page.getByText("No users match these filters.").waitFor();
  });

  test("the admin changes a role, disables, enables, resets a password and deletes a user", async () => {
    await page.goto(`${base}/users`);
    const row = page.locator(`[data-user-row="${OPERATOR.email}"]`);
    const roleSelect = row.getByLabel(`Role of ${OPERATOR.email}`);
    await roleSelect.selectOption("viewer");
    await toast(`${OPERATOR.email} is now viewer.`);
    await roleSelect.selectOption("operator");
    await toast(`${OPERATOR.email} is now operator.`);

    await row.getByRole("button", { name: "Disable" }).click();
    const disableDialog = page.getByRole("dialog", { name: `Disable ${OPERATOR.name}?` });
    await disableDialog.getByLabel("Reason (optional)").fill("On holiday");
    await disableDialog.getByRole("button", { name: "Disable" }).click();
    await row.getByText("Disabled", { exact: true }).waitFor();
    await row.getByText("On holiday").waitFor();
    await row.getByRole("button", { name: "Enable" }).click();
    await row.getByText("Active", { exact: true }).waitFor();

    await row.getByRole("button", { name: "Reset password" }).click();
    const resetDialog = page.getByRole("dialog", { name: `Set a new password for ${OPERATOR.name}` });
    await resetDialog.getByLabel("New password").fill("short");
    await resetDialog.getByRole("button", { name: "Set password" }).click();
    await resetDialog.locator("[data-field-error]").filter({ hasText: "12" }).waitFor();
    await resetDialog.getByLabel("New password").fill(RESET_PASSWORD);
    await resetDialog.getByRole("button", { name: "Set password" }).click();
    await resetDialog.waitFor({ state: "hidden" });
    await toast(`Set a new password for ${OPERATOR.email}`);

    // A throw-away account to delete, so the operator stays for the next steps.
    await page.getByRole("button", { name: "Create user" }).click();
    const create = page.getByRole("dialog", { name: "Create user" });
    await create.getByLabel("Name").fill("Temp User");
    await create.getByLabel("E-mail").fill("temp@example.com");
    await create.getByLabel("Initial password").fill("temporary password 1");
    await create.getByRole("button", { name: "Create user" }).click();
    const tempRow = page.locator('[data-user-row="temp@example.com"]');
    await tempRow.getByRole("button", { name: "Delete" }).click();
    const deleteDialog = page.getByRole("dialog", { name: "Delete Temp User?" });
    await deleteDialog.waitFor();
    await screenshot("05-users-delete-confirm");
    await deleteDialog.getByRole("button", { name: "Delete user" }).click();
    await tempRow.waitFor({ state: "detached" });
    await toast("Deleted temp@example.com.");

    // The admin's own row offers no way to lock themselves out.
    const ownRow = page.locator(`[data-user-row="${ADMIN.email}"]`);
    expect(await ownRow.getByRole("button", { name: "Delete" }).isDisabled()).toBe(true);
    expect(await ownRow.getByRole("button", { name: "Disable" }).isDisabled()).toBe(true);

    await signOut();
  });

  test("the operator sees no admin features, and the API refuses admin calls", async () => {
    await signIn({ email: OPERATOR.email, password: RESET_PASSWORD });
    await page.waitForURL(`${base}/`);
    await page.getByRole("heading", { name: "Welcome, Otto" }).waitFor();
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Profile" }).waitFor();
    expect(await nav.getByRole("link", { name: "Users" }).count()).toBe(0);
    expect(await page.locator('header [data-role-badge="operator"]').count()).toBe(1);
    await screenshot("06-dashboard-operator");

    await page.goto(`${base}/users`);
    await page.getByRole("heading", { name: "You need the admin role" }).waitFor();
    expect(await page.getByRole("button", { name: "Create user" }).count()).toBe(0);
    expect(await page.locator("[data-user-row]").count()).toBe(0);
    await screenshot("07-users-forbidden");

    const status = await page.evaluate(
      async () => (await fetch("/trpc/users/accounts.list?input=%7B%7D")).status,
    );
    expect(status).toBe(403);
  });

  test("the theme toggle cycles system, light and dark, and is remembered", async () => {
    await page.goto(`${base}/`);
    const toggle = page.locator("[data-theme-toggle]");
    await toggle.waitFor();
    const isDark = () => page.evaluate(() => document.documentElement.classList.contains("dark"));
    expect(await toggle.getAttribute("data-theme-toggle")).toBe("system");
    expect(await isDark()).toBe(false);

    await toggle.click(); // → light
    await page.locator('[data-theme-toggle="light"]').waitFor();
    expect(await isDark()).toBe(false);
    const saved = page.waitForResponse((response) => response.url().includes("me.updatePreferences"));
    await toggle.click(); // → dark
    await page.locator('[data-theme-toggle="dark"]').waitFor();
    expect((await saved).ok()).toBe(true);
    expect(await isDark()).toBe(true);
    await screenshot("08-dashboard-dark");

    // Saved to the account and to localStorage: dark from the first paint after a reload.
    await page.reload();
    expect(await isDark()).toBe(true);
    await page.locator('[data-theme-toggle="dark"]').waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Profile" }).click();
    await page.waitForURL(`${base}/profile`);
    await page.locator("#appearance").waitFor();
    await screenshot("09-profile-dark");

    await toggle.click(); // → system, which follows the OS setting live
    await page.locator('[data-theme-toggle="system"]').waitFor();
    expect(await isDark()).toBe(false);
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForFunction(() => document.documentElement.classList.contains("dark"));
    await page.emulateMedia({ colorScheme: "light" });
    await page.waitForFunction(() => !document.documentElement.classList.contains("dark"));
  });

  test("the operator renames themselves and changes the password back", async () => {
    await page.goto(`${base}/profile`);
    const account = page.locator("#account");
    await account.getByLabel("Name").fill("Otto Ops");
    await account.getByRole("button", { name: "Save name" }).click();
    // The layout reloads the profile after the action, so the top bar follows.
    await page.locator("[data-current-user]").filter({ hasText: "Otto Ops" }).waitFor();

    const password = page.locator("#password");
    await password.getByLabel("Current password").fill("not my password");
    await password.getByLabel("New password", { exact: true }).fill(OPERATOR.password);
    await password.getByLabel("Repeat the new password").fill(OPERATOR.password);
    await password.getByRole("button", { name: "Change password" }).click();
    await password
      .locator("[data-field-error]")
      .filter({ hasText: "The current password is wrong" })
      .waitFor();
    await password.getByLabel("Current password").fill(RESET_PASSWORD);
    await password.getByRole("button", { name: "Change password" }).click();
    await toast("Your password has been changed.");
    // The form clears itself after the toast appears (a render later), so wait for it rather than read at once.
    const current = password.getByLabel("Current password");
    await current.evaluate(
      (input) =>
        new Promise<void>((resolve) => {
          const check = () =>
            (input as HTMLInputElement).value === "" ? resolve() : requestAnimationFrame(check);
          check();
        }),
    );
    expect(await current.inputValue()).toBe("");

    await account.getByLabel("Name").fill(OPERATOR.name);
    await account.getByRole("button", { name: "Save name" }).click();
    await page.locator("[data-current-user]").filter({ hasText: OPERATOR.name }).waitFor();
  });

  test("the operator creates an API key that works once and stops after revoking", async () => {
    await page.goto(`${base}/profile`);
    const panel = page.locator("#api-keys");
    await panel.getByLabel("Name").fill("ci-deploy");
    await panel.getByLabel("Expires after (days)").fill("30");
    // An operator may hand out viewer or operator, never admin.
    const roleOptions = await panel.getByLabel("Role").locator("option").allTextContents();
    expect(roleOptions).toEqual(["Viewer", "Operator"]);
    await panel.getByLabel("Role").selectOption("viewer");
    await panel.getByRole("button", { name: "Create key" }).click();
    const key = await panel.getByLabel("New API key").inputValue();
    expect(key).toStartWith("opsc_");
    await panel.locator('[data-api-key-row="ci-deploy"]').waitFor();
    await screenshot("10-profile-api-key");

    const me = await fetch(`${base}/api/v1/users/me`, { headers: { "x-api-key": key } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { effectiveRole: string }).effectiveRole).toBe("viewer");

    await panel.getByRole("button", { name: "I have stored it" }).click();
    await panel.locator('[data-api-key-row="ci-deploy"]').getByRole("button", { name: "Revoke" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
    await panel.locator('[data-api-key-row="ci-deploy"]').waitFor({ state: "detached" });
    expect((await fetch(`${base}/api/v1/users/me`, { headers: { "x-api-key": key } })).status).toBe(401);
  });

  test("the operator turns on two-factor and then signs in with a TOTP code", async () => {
    await page.goto(`${base}/profile`);
    const panel = page.locator("#two-factor");
    await panel.getByLabel("Confirm with your password").fill(OPERATOR.password);
    await panel.getByRole("button", { name: "Set up two-factor" }).click();
    const uri = await panel.locator("[data-totp-uri]").inputValue();
    expect(uri).toStartWith("otpauth://totp/");
    expect(await panel.locator("[data-backup-codes] li").count()).toBeGreaterThan(0);
    await screenshot("11-profile-two-factor-setup");
    await panel.getByLabel("Enter the 6-digit code the app shows").fill(totpFromUri(uri));
    await panel.getByRole("button", { name: "Turn on two-factor" }).click();
    await panel.getByText("On", { exact: true }).waitFor();
    await screenshot("12-profile");

    await signOut();
    await signIn(OPERATOR);
    await page.getByRole("heading", { name: "Two-factor sign-in" }).waitFor();
    await page.getByLabel("Code").fill("000000");
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("alert").filter({ hasText: "That code is not valid" }).waitFor();
    await screenshot("13-sign-in-two-factor");
    await page.getByLabel("Code").fill(totpFromUri(uri));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL(`${base}/`);
    await page.getByRole("heading", { name: "Welcome, Otto" }).waitFor();
  });

  test("the API reference renders operations from both services", async () => {
    await page.goto(`${base}/api/docs`);
    await page.locator(".swagger-ui .opblock").first().waitFor({ timeout: 20_000 });
    const text = await page.locator(".swagger-ui").textContent();
    expect(text).toContain("/users/accounts");
    expect(text).toContain("/auth/setup");
    await screenshot("14-api-docs");
  });

  test("the layout works on a phone-sized screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/profile`);
    await page.locator("#appearance").waitFor();
    // Nothing may be wider than the screen except the tables, which scroll inside their own box.
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(pageWidth).toBeLessThanOrEqual(390);
    await screenshot("15-profile-phone");
  });

  test("no page raised an uncaught error or a React error", () => {
    expect(pageErrors).toEqual([]);
  });
});
