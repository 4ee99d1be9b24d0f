import { describe, expect, test } from "bun:test";
import { getFreePort, isPortOpen } from "./net.ts";
import { startProcess } from "./process.ts";

const server = `
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT),
  fetch: (req) => new URL(req.url).pathname === "/readyz" ? new Response("ok") : new Response("nope", { status: 404 }),
});
console.log("listening on " + server.port);
console.error("a line on stderr");
`;

describe("startProcess", () => {
  test("waits for readyUrl, captures output and stop() terminates the child", async () => {
    const port = await getFreePort();
    const child = await startProcess({
      cmd: [process.execPath, "-e", server],
      env: { PORT: String(port) },
      readyUrl: `http://127.0.0.1:${port}/readyz`,
    });
    try {
      expect(await isPortOpen(port)).toBe(true);
      expect(child.output()).toContain(`listening on ${port}`);
      expect(child.output()).toContain("a line on stderr");
    } finally {
      await child.stop();
    }
    expect(child.proc.signalCode).toBe("SIGTERM");
    expect(await isPortOpen(port)).toBe(false);
    await child.stop(); // idempotent
  });

  test("falls back to SIGKILL when the child ignores SIGTERM", async () => {
    const child = await startProcess({
      cmd: [
        process.execPath,
        "-e",
        `process.on("SIGTERM", () => console.log("ignored")); console.log("up"); setInterval(() => {}, 1000);`,
      ],
      stopGraceMs: 300,
    });
    // Wait until the handler is installed, otherwise SIGTERM kills it straight away.
    while (!child.output().includes("up")) await Bun.sleep(20);
    const started = performance.now();
    await child.stop();
    expect(child.proc.signalCode).toBe("SIGKILL");
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(child.output()).toContain("ignored");
  });

  test("rejects with the child's output when it exits before it is ready", async () => {
    const port = await getFreePort();
    const attempt = startProcess({
      cmd: [process.execPath, "-e", `console.error("boom: missing config"); process.exit(3);`],
      readyUrl: `http://127.0.0.1:${port}/readyz`,
      timeoutMs: 10_000,
    });
    await expect(attempt).rejects.toThrow(/process exited \(3\)[\s\S]*boom: missing config/);
  });

  test("rejects after timeoutMs when the ready URL never answers 2xx", async () => {
    const port = await getFreePort();
    const attempt = startProcess({
      cmd: [
        process.execPath,
        "-e",
        server.replace('new Response("ok")', 'new Response("no", { status: 503 })'),
      ],
      env: { PORT: String(port) },
      readyUrl: `http://127.0.0.1:${port}/readyz`,
      timeoutMs: 800,
    });
    await expect(attempt).rejects.toThrow("timed out after 800 ms");
    expect(await isPortOpen(port)).toBe(false);
  });
});
