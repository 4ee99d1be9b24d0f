import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StartedCaddy } from "./caddy.ts";
import { startCaddy } from "./caddy.ts";
import { isPortOpen } from "./net.ts";

const dir = mkdtempSync(join(tmpdir(), "opsc-caddy-test-"));
const upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("from upstream") });

afterAll(async () => {
  await upstream.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

describe("startCaddy", () => {
  let caddy: StartedCaddy;
  const config = join(dir, "Caddyfile");

  beforeAll(async () => {
    writeFileSync(
      config,
      `{\n\tadmin off\n\tauto_https off\n}\n\nhttp://:{$OPSC_PORT} {\n\tbind 127.0.0.1\n\treverse_proxy {$UPSTREAM}\n}\n`,
    );
    caddy = await startCaddy({ config, env: { UPSTREAM: `127.0.0.1:${upstream.port}` } });
  });
  afterAll(() => caddy?.stop());

  test("runs the config on a free port and proxies", async () => {
    expect(caddy.url).toBe(`http://127.0.0.1:${caddy.port}`);
    const res = await fetch(`${caddy.url}/anything`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("from upstream");
  });

  test("stop() frees the port and removes the temporary XDG folders", async () => {
    const { dataDir, port } = caddy;
    await caddy.stop();
    expect(await isPortOpen(port)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  });

  test("rejects with Caddy's error when the config is invalid", async () => {
    const bad = join(dir, "Caddyfile.bad");
    // One-line blocks are rejected by Caddy 2.6.
    writeFileSync(bad, `http://:{$OPSC_PORT} {\n\thandle /x { respond "x" }\n}\n`);
    await expect(startCaddy({ config: bad, timeoutMs: 10_000 })).rejects.toThrow(
      /caddy exited \(1\)[\s\S]*Unexpected next token/,
    );
  });
});
