import { type Browser, chromium, type Page } from "playwright-core";

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
