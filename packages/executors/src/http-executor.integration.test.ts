import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getFreePort } from "@opsc/testing/net";
import { parseVaultKeys, seal } from "@opsc/vault";
import type { ExecuteRequest } from "./executor.ts";
import { HttpExecutor } from "./http-executor.ts";
import { collectOutput, makeRequest, makeTarget } from "./test-support/tasks.ts";

const vault = parseVaultKeys(`k1:${Buffer.alloc(32, 7).toString("base64")}`);
const executor = new HttpExecutor({ vault });

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}
const seen: Seen[] = [];
let server: ReturnType<typeof Bun.serve>;
let tlsServer: ReturnType<typeof Bun.serve>;
let certDir: string;

async function handle(request: Request): Promise<Response> {
  const url = new URL(request.url);
  seen.push({
    method: request.method,
    path: url.pathname + url.search,
    headers: Object.fromEntries(request.headers),
    body: await request.text(),
  });
  switch (url.pathname) {
    case "/created":
      return new Response("made it", { status: 201 });
    case "/missing":
      return new Response("no such thing", { status: 404 });
    case "/redirect":
      return new Response(null, { status: 302, headers: { location: "/created" } });
    case "/hang":
      return new Promise(() => {});
    case "/trickle": {
      // Streams forever, one line per 20 ms: only a cancel ends it.
      let timer: ReturnType<typeof setInterval>;
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("first line\n"));
          timer = setInterval(() => controller.enqueue(new TextEncoder().encode("more\n")), 20);
        },
        cancel() {
          clearInterval(timer);
        },
      });
      return new Response(body);
    }
    default:
      return new Response(`hello from ${url.pathname}`);
  }
}

beforeAll(() => {
  server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handle });
  certDir = mkdtempSync(join(tmpdir(), "opsc-executors-tls-"));
  const openssl = Bun.spawnSync([
    "openssl",
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-days",
    "1",
    "-keyout",
    join(certDir, "key.pem"),
    "-out",
    join(certDir, "cert.pem"),
  ]);
  if (openssl.exitCode !== 0) throw new Error(`openssl failed: ${openssl.stderr.toString()}`);
  tlsServer = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: {
      cert: readFileSync(join(certDir, "cert.pem"), "utf8"),
      key: readFileSync(join(certDir, "key.pem"), "utf8"),
    },
    fetch: handle,
  });
}, 60_000);
afterAll(() => {
  server?.stop(true);
  tlsServer?.stop(true);
  rmSync(certDir, { recursive: true, force: true });
});

const httpTarget = (overrides: Parameters<typeof makeTarget>[0] = {}) =>
  makeTarget({
    kind: "http",
    port: server.port!,
    http: { scheme: "http", path: "/", insecureTls: false },
    ...overrides,
  });

const sealed = (id: string, secret: unknown) => ({
  id,
  kind: (secret as { kind: string }).kind,
  username: null,
  headerName: null,
  sealed: seal(vault, JSON.stringify(secret), id),
});

function httpRequest(
  action: Partial<Extract<ExecuteRequest["action"], { type: "http" }>>,
  overrides: Partial<ExecuteRequest> = {},
) {
  return makeRequest({
    target: httpTarget(),
    action: { type: "http", method: "GET", path: "/", headers: {}, expectStatus: [], ...action },
    ...overrides,
  });
}

describe("HttpExecutor", () => {
  test("GET: the status line, then the body, on stdout", async () => {
    const out = collectOutput();
    const result = await executor.execute(
      httpRequest({ path: "/status?verbose=1" }, { onOutput: out.onOutput }),
      () => {},
    );
    expect(result).toMatchObject({ status: "succeeded", exitCode: null, error: null, cancel: null });
    expect(out.text()).toBe("HTTP 200 OK\nhello from /status");
    expect(seen.at(-1)).toMatchObject({ method: "GET", path: "/status?verbose=1" });
  });

  test("method, headers and body go out as given", async () => {
    const result = await executor.execute(
      httpRequest({
        method: "POST",
        path: "/created",
        headers: { "x-trace": "abc", "content-type": "text/plain" },
        body: "payload",
      }),
      () => {},
    );
    expect(result.status).toBe("succeeded");
    expect(seen.at(-1)).toMatchObject({
      method: "POST",
      body: "payload",
      headers: { "x-trace": "abc", "content-type": "text/plain" },
    });
  });

  test("each credential kind becomes its header, and every secret value is registered for redaction", async () => {
    const basic = Buffer.from("ops:pw-basic-987").toString("base64");
    const cases = [
      {
        secret: { kind: "http_bearer", token: "tok-abcdef-123" },
        header: ["authorization", "Bearer tok-abcdef-123"],
        secrets: ["tok-abcdef-123"],
      },
      {
        secret: { kind: "http_basic", username: "ops", password: "pw-basic-987" },
        header: ["authorization", `Basic ${basic}`],
        secrets: ["pw-basic-987", basic],
      },
      {
        secret: { kind: "http_header", headerName: "X-Api-Key", value: "key-5555-zzzz" },
        header: ["x-api-key", "key-5555-zzzz"],
        secrets: ["key-5555-zzzz"],
      },
    ];
    for (const { secret, header, secrets } of cases) {
      const registered: string[] = [];
      const result = await executor.execute(
        httpRequest(
          { headers: { authorization: "from-the-action" } },
          { target: httpTarget({ credential: sealed("c1", secret) }) },
        ),
        (values) => registered.push(...values),
      );
      expect(result.status).toBe("succeeded");
      expect(seen.at(-1)?.headers[header[0]!]).toBe(header[1]!);
      expect(registered).toEqual(secrets);
    }
  });

  test("expectStatus decides success; without it any 2xx; redirects are not followed", async () => {
    expect((await executor.execute(httpRequest({ path: "/created" }), () => {})).status).toBe("succeeded");
    const wrong = await executor.execute(httpRequest({ path: "/", expectStatus: [201, 204] }), () => {});
    expect(wrong).toMatchObject({ status: "failed", error: { kind: "http_status" } });
    expect(wrong.error?.message).toContain("answered 200, expected 201, 204");
    const missing = await executor.execute(httpRequest({ path: "/missing" }), () => {});
    expect(missing).toMatchObject({ status: "failed", error: { kind: "http_status" } });
    const redirect = await executor.execute(httpRequest({ path: "/redirect" }), () => {});
    expect(redirect).toMatchObject({ status: "failed", error: { kind: "http_status" } });
    expect(
      (await executor.execute(httpRequest({ path: "/redirect", expectStatus: [302] }), () => {})).status,
    ).toBe("succeeded");
  });

  test("cancel aborts a response that is still streaming", async () => {
    const out = collectOutput();
    const controller = new AbortController();
    const running = executor.execute(
      httpRequest({ path: "/trickle" }, { signal: controller.signal, onOutput: out.onOutput }),
      () => {},
    );
    await out.waitFor("more");
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ status: "cancelled", error: null, cancel: { outcome: "aborted" } });
    expect(out.text()).toStartWith("HTTP 200 OK\nfirst line\nmore\n");
  });

  test("a server that never answers times out", async () => {
    const result = await executor.execute(httpRequest({ path: "/hang" }, { timeoutMs: 300 }), () => {});
    expect(result).toMatchObject({
      status: "timed_out",
      error: { kind: "timeout" },
      cancel: { outcome: "aborted" },
    });
  });

  test("nothing listening: refused", async () => {
    const port = await getFreePort();
    const result = await executor.execute(httpRequest({}, { target: httpTarget({ port }) }), () => {});
    expect(result).toMatchObject({ status: "failed", error: { kind: "refused" } });
  });

  test("https: a self-signed certificate fails as tls unless the target allows it", async () => {
    const https = (insecureTls: boolean) =>
      httpTarget({ port: tlsServer.port!, http: { scheme: "https", path: "/", insecureTls } });
    const refused = await executor.execute(httpRequest({}, { target: https(false) }), () => {});
    expect(refused).toMatchObject({ status: "failed", error: { kind: "tls" } });
    const out = collectOutput();
    const accepted = await executor.execute(
      httpRequest({ path: "/secure" }, { target: https(true), onOutput: out.onOutput }),
      () => {},
    );
    expect(accepted.status).toBe("succeeded");
    expect(out.text()).toBe("HTTP 200 OK\nhello from /secure");
  });

  test("credentials that do not open, or cannot authenticate HTTP, fail without quoting the secret", async () => {
    const moved = { ...sealed("c2", { kind: "http_bearer", token: "moved-token-1234" }), id: "c3" };
    const unopened = await executor.execute(
      httpRequest({}, { target: httpTarget({ credential: moved }) }),
      () => {},
    );
    expect(unopened).toMatchObject({ status: "failed", error: { kind: "credential" } });
    expect(unopened.error?.message).not.toContain("moved-token-1234");
    const sshKey = sealed("c4", { kind: "ssh_password", username: "root", password: "ssh-pass-4321" });
    const wrongKind = await executor.execute(
      httpRequest({}, { target: httpTarget({ credential: sshKey }) }),
      () => {},
    );
    expect(wrongKind).toMatchObject({ status: "failed", error: { kind: "credential" } });
    expect(wrongKind.error?.message).not.toContain("ssh-pass-4321");
  });

  test("a body on a GET is refused before anything is sent", async () => {
    const before = seen.length;
    const result = await executor.execute(httpRequest({ body: "x" }), () => {});
    expect(result).toMatchObject({ status: "failed", error: { kind: "invalid_request" } });
    expect(seen.length).toBe(before);
  });
});
