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
