import { expect } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createOpsClient, type OpsClient } from "@opsc/sdk";
import { type Deployment, type DeploymentOptions, startDeployment } from "@opsc/testing";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from "playwright-core";
import { ensureBuild } from "./build.ts";

/** The accounts the end-to-end tests set up: the first user (an admin) and a viewer. */
export const ADMIN = { name: "Ada Admin", email: "ada@example.com", password: "correct horse battery" };
export const VIEWER = { name: "Vera Viewer", email: "vera@example.com", password: "viewer passphrase 1" };

/** Where screenshotPage() writes; openBrowserPage() creates it. */
export const SCREENSHOTS = join(import.meta.dir, "..", "screenshots");

/** Debian's chromium package (scripts/bootstrap.sh installs it); CHROMIUM_BIN points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_BIN || Bun.which("chromium") || "/usr/bin/chromium";

/**
 * Headless Chromium for the end-to-end tests. The background-networking flags keep it from reaching out to
 * Google's services at start (the machine's network is closed; it would only retry and fill the log).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/**
 * Collects uncaught exceptions and console errors of a page into `errors`; a test fails at its end if any were
 * seen. Failed requests are left out: the tests provoke refusals (a 4xx from the API) on purpose, while React's own
 * errors (a hydration mismatch, #418) are exactly what this is for.
 */
export function collectPageErrors(page: Page, errors: string[]): void {
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      errors.push(message.text());
  });
}

/** A full-page screenshot `<dir>/<name>.png`, from the top (a scrolled page draws the sticky sidebar mid-page). */
export async function screenshotPage(page: Page, dir: string, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

/** Waits for a toast with `text` (the polite live region at the bottom right). */
export async function waitForToast(page: Page, text: string): Promise<void> {
  await page.getByRole("status").filter({ hasText: text }).first().waitFor();
}

/** Fills and submits the sign-in form; the caller waits for where it should land (home, or the 2FA step). */
export async function submitSignIn(
  page: Page,
  base: string,
  credentials: { email: string; password: string },
): Promise<void> {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel("E-mail").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/**
 * Builds the app when app/ changed, then starts the real system with this web server and Caddy. Every browser
 * sign-in comes from 127.0.0.1, so the sign-in limit is raised (the default, 5 a minute, is for real clients).
 */
export async function startWebDeployment(options: Omit<DeploymentOptions, "web">): Promise<Deployment> {
  await ensureBuild();
  return startDeployment({
    ...options,
    web: true,
    authEnv: { SIGN_IN_RATE_LIMIT_MAX: "30", ...options.authEnv },
  });
}

export interface BrowserPage {
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/**
 * Chromium with one light-themed page whose uncaught exceptions and console errors land in `errors`
 * (see collectPageErrors). `defaultTimeoutMs` sets the context's timeout for every wait and action.
 */
export async function openBrowserPage(
  options: BrowserContextOptions & { defaultTimeoutMs?: number },
  errors: string[],
): Promise<BrowserPage> {
  const { defaultTimeoutMs, ...contextOptions } = options;
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await launchChromium();
  const context = await browser.newContext({ colorScheme: "light", ...contextOptions });
  if (defaultTimeoutMs !== undefined) context.setDefaultTimeout(defaultTimeoutMs);
  const page = await context.newPage();
  collectPageErrors(page, errors);
  return { browser, context, page };
}

/** Runs each clean-up step on its own: one failure must not leave the others running. */
export async function cleanUp(steps: (() => unknown)[]): Promise<void> {
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      console.error("cleanup:", error);
    }
  }
}

/** Signs in through the form and waits for the home page. */
export async function signInAndWait(
  page: Page,
  base: string,
  credentials: { email: string; password: string },
): Promise<void> {
  await submitSignIn(page, base, credentials);
  await page.waitForURL(`${base}/`);
}

/** The SDK as the user of `credentials`, with the bearer token of an API sign-in. */
export async function signInClient(
  base: string,
  credentials: { email: string; password: string },
): Promise<OpsClient> {
  const response = await fetch(`${base}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ email: credentials.email, password: credentials.password }),
  });
  const token = response.headers.get("set-auth-token");
  if (!response.ok || !token)
    throw new Error(`API sign-in failed: ${response.status} ${await response.text()}`);
  return createOpsClient({ baseUrl: base, token });
}

/** Creates ADMIN as the first user, with the deployment's one-time setup token. */
export async function setUpAdmin(deployment: Deployment): Promise<void> {
  const response = await fetch(`${deployment.url}/api/v1/auth/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: deployment.setupToken, ...ADMIN }),
  });
  expect(response.status).toBe(200);
}
