// Exercises the real gateway config (routes.caddy through Caddyfile.local and Caddyfile) against small
// Bun.serve upstreams that echo what they received.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StartedCaddy } from "../packages/testing/src/index.ts";
import { getFreePort, startCaddy } from "../packages/testing/src/index.ts";

interface Echo {
  upstream: string;
  path: string;
  headers: Record<string, string>;
}

const LOCAL = join(import.meta.dir, "Caddyfile.local");
const PRODUCTION = join(import.meta.dir, "Caddyfile");
const BIG_TEXT = "OpsConductor ".repeat(2_000);

function echoServer(name: string) {
  return Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const url = new URL(req.url);
      const headers: Record<string, string> = {};
      req.headers.forEach((value, key) => {
        headers[key] = value;
      });
      // Upstream headers the gateway must remove or keep.
      const extra: Record<string, string> = { server: `bun-${name}` };
      if (url.pathname === "/own-csp") extra["content-security-policy"] = "default-src 'none'";
      if (url.pathname === "/big")
        return new Response(BIG_TEXT, { headers: { ...extra, "content-type": "text/plain" } });
      return Response.json({ upstream: name, path: url.pathname + url.search, headers } satisfies Echo, {
        headers: extra,
      });
    },
  });
}

const upstreams = {
  auth: echoServer("auth"),
  users: echoServer("users"),
  targets: echoServer("targets"),
  discovery: echoServer("discovery"),
  web: echoServer("web"),
};
const upstreamEnv = {
  AUTH_UPSTREAM: `127.0.0.1:${upstreams.auth.port}`,
  USERS_UPSTREAM: `127.0.0.1:${upstreams.users.port}`,
  TARGETS_UPSTREAM: `127.0.0.1:${upstreams.targets.port}`,
  DISCOVERY_UPSTREAM: `127.0.0.1:${upstreams.discovery.port}`,
  WEB_UPSTREAM: `127.0.0.1:${upstreams.web.port}`,
};

afterAll(async () => {
  await Promise.all(Object.values(upstreams).map((server) => server.stop(true)));
});

async function validate(config: string, env: Record<string, string> = {}) {
  const home = mkdtempSync(join(tmpdir(), "opsc-caddy-validate-"));
  try {
    const proc = Bun.spawn({
      cmd: ["caddy", "validate", "--config", config, "--adapter", "caddyfile"],
      env: { ...process.env, ...env, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ]);
    return { code: await proc.exited, output: stdout + stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

describe("caddy validate", () => {
  test("Caddyfile.local is valid and formatted", async () => {
    const { code, output } = await validate(LOCAL);
    expect(output).toContain("Valid configuration");
    expect(output).not.toContain("not formatted");
    expect(code).toBe(0);
  });

  test("Caddyfile (production) is valid and formatted", async () => {
    const { code, output } = await validate(PRODUCTION, { OPSC_HOSTNAME: "ops.example.test" });
    expect(output).toContain("Valid configuration");
    expect(output).not.toContain("not formatted");
    expect(code).toBe(0);
  });
});

describe("Caddyfile.local", () => {
  let caddy: StartedCaddy;
  beforeAll(async () => {
    caddy = await startCaddy({ config: LOCAL, env: upstreamEnv });
  });
  afterAll(() => caddy?.stop());

  async function get(path: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${caddy.url}${path}`, { headers });
    const body = await res.text();
    return {
      res,
      body,
      echo: res.headers.get("content-type")?.includes("json") ? (JSON.parse(body) as Echo) : null,
    };
  }

  test.each([
    ["/api/auth/sign-in/email", "auth"],
    ["/api/v1/auth/setup", "auth"],
    ["/trpc/auth/session.get?batch=1", "auth"],
    ["/api/v1/users", "users"],
    ["/api/v1/users/123", "users"],
    ["/trpc/users/list,get", "users"],
    ["/api/v1/targets/items", "targets"],
    ["/trpc/targets/list,preview", "targets"],
    ["/api/v1/discovery/scans", "discovery"],
    ["/api/v1/discovery/runs/123/diff", "discovery"],
    ["/trpc/discovery/scans.list,runs.list", "discovery"],
    ["/api/v1/discoveryfoo", "web"],
    ["/api/v1/openapi.json", "web"],
    ["/api/docs", "web"],
    ["/api/docs/index.css", "web"],
    ["/api/v1/unknown", "web"],
    ["/", "web"],
    ["/settings/profile", "web"],
    ["/api/v1/usersfoo", "web"],
  ])("%s goes to %s with its path unchanged", async (path, upstream) => {
    const { res, echo } = await get(path);
    expect(res.status).toBe(200);
    expect(echo?.upstream).toBe(upstream);
    expect(echo?.path).toBe(path);
  });

  test.each([
    "/internal",
    "/internal/users/by-ids",
    "/INTERNAL/users",
    "//internal/users",
    "/%69nternal/users",
    "/api/../internal/users",
    "/api/v1/users/%2e%2e/%2e%2e/%2e%2e/internal/users",
    "/api/v1/users/..%2f..%2f..%2finternal/users",
    "/metrics",
  ])("%s is 404 at the gateway", async (path) => {
    // fetch() normalises dot segments, so send the raw request line like an attacker would.
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port: caddy.port,
      socket: {
        data(s, chunk) {
          (s.data as { buf: string }).buf += chunk.toString();
        },
      },
      data: { buf: "" },
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    const deadline = Date.now() + 5_000;
    while (!(socket.data as { buf: string }).buf.includes("\r\n\r\n") && Date.now() < deadline)
      await Bun.sleep(10);
    socket.end();
    const response = (socket.data as { buf: string }).buf;
    expect(response.split("\r\n")[0]).toBe("HTTP/1.1 404 Not Found");
    expect(response).not.toContain('"upstream"');
  });

  test("X-Forwarded-For is the real client; spoofed forwarding headers are discarded", async () => {
    const { echo } = await get("/api/v1/users/me", {
      "X-Forwarded-For": "6.6.6.6, 7.7.7.7",
      "X-Real-IP": "6.6.6.6",
      Forwarded: "for=6.6.6.6;proto=https",
      "X-Forwarded-Proto": "https",
      "X-Forwarded-Host": "evil.example",
      "X-Client-IP": "6.6.6.6",
      "True-Client-IP": "6.6.6.6",
    });
    expect(echo?.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(echo?.headers["x-real-ip"]).toBe("127.0.0.1");
    expect(echo?.headers["x-forwarded-proto"]).toBe("http");
    expect(echo?.headers["x-forwarded-host"]).toBe(`127.0.0.1:${caddy.port}`);
    expect(echo?.headers.forwarded).toBeUndefined();
    expect(echo?.headers["x-client-ip"]).toBeUndefined();
    expect(echo?.headers["true-client-ip"]).toBeUndefined();
    expect(JSON.stringify(echo?.headers)).not.toContain("6.6.6.6");
  });

  test("security headers are set and the Server header is removed", async () => {
    for (const path of ["/", "/api/v1/auth/setup", "/internal/x"]) {
      const { res } = await get(path);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self' 'unsafe-inline'");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get("server")).toBeNull();
      // Plain HTTP: HSTS would be meaningless (and sticky) on loopback.
      expect(res.headers.get("strict-transport-security")).toBeNull();
    }
  });

  test("an upstream's own Content-Security-Policy wins over the default", async () => {
    const { res } = await get("/own-csp");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'");
  });

  test.each(["gzip", "zstd"])("responses are %s-encoded when the client accepts it", async (encoding) => {
    const res = await fetch(`${caddy.url}/big`, {
      headers: { "Accept-Encoding": encoding },
      decompress: false,
    });
    expect(res.headers.get("content-encoding")).toBe(encoding);
    const compressed = new Uint8Array(await res.arrayBuffer());
    expect(compressed.length).toBeLessThan(BIG_TEXT.length / 10);
  });
});

describe("Caddyfile (production)", () => {
  let caddy: StartedCaddy;
  let httpPort: number;
  let ca: string;

  beforeAll(async () => {
    httpPort = await getFreePort();
    caddy = await startCaddy({
      config: PRODUCTION,
      portEnv: "OPSC_HTTPS_PORT",
      scheme: "https",
      host: "localhost",
      env: { ...upstreamEnv, OPSC_HOSTNAME: "localhost", OPSC_HTTP_PORT: String(httpPort) },
    });
    // The internal CA and the site certificate are created in the background right after start-up.
    const root = Bun.file(join(caddy.dataDir, "caddy", "pki", "authorities", "local", "root.crt"));
    const deadline = Date.now() + 20_000;
    while (true) {
      try {
        if (await root.exists()) {
          ca = await root.text();
          await fetch(`${caddy.url}/`, { tls: { ca } });
          break;
        }
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`no certificate from Caddy:\n${caddy.output()}`);
      await Bun.sleep(200);
    }
  });
  afterAll(() => caddy?.stop());

  test("serves HTTPS with a certificate from the internal CA, HSTS and the shared routes", async () => {
    const res = await fetch(`${caddy.url}/api/v1/users/me`, {
      tls: { ca },
      headers: { "X-Forwarded-For": "6.6.6.6" },
    });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo.upstream).toBe("users");
    expect(echo.headers["x-forwarded-proto"]).toBe("https");
    expect(echo.headers["x-forwarded-for"]).not.toContain("6.6.6.6");
    expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("server")).toBeNull();

    const internal = await fetch(`${caddy.url}/internal/users`, { tls: { ca } });
    expect(internal.status).toBe(404);
  });

  test("a certificate the client does not trust is refused", async () => {
    await expect(fetch(`${caddy.url}/`)).rejects.toThrow();
  });

  test("plain HTTP redirects to HTTPS", async () => {
    const res = await fetch(`http://localhost:${httpPort}/settings?tab=1`, { redirect: "manual" });
    expect([301, 308]).toContain(res.status);
    // Caddy 2.6 leaves the port out of the redirect (it assumes 443, the production https_port).
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.protocol).toBe("https:");
    expect(location.hostname).toBe("localhost");
    expect(location.pathname + location.search).toBe("/settings?tab=1");
  });
});
