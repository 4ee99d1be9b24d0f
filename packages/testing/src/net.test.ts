import { expect, test } from "bun:test";
import { getFreePort, isPortOpen, waitForPort, waitForUrl } from "./net.ts";

test("getFreePort returns a bindable port and the wait helpers see it once it listens", async () => {
  const port = await getFreePort();
  expect(port).toBeGreaterThan(1024);
  expect(await isPortOpen(port)).toBe(false);
  await expect(waitForPort(port, { timeoutMs: 200 })).rejects.toThrow("timed out after 200 ms");

  const server = Bun.serve({ hostname: "127.0.0.1", port, fetch: () => new Response("ok") });
  try {
    await waitForPort(port, { timeoutMs: 2_000 });
    await waitForUrl(`http://127.0.0.1:${port}/`, { timeoutMs: 2_000 });
  } finally {
    await server.stop(true);
  }
});

test("waitForUrl stops early when abortIf gives a reason", async () => {
  const port = await getFreePort();
  await expect(
    waitForUrl(`http://127.0.0.1:${port}/`, { timeoutMs: 10_000, abortIf: () => "child died" }),
  ).rejects.toThrow("child died");
});
