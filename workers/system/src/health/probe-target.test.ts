import { afterAll, describe, expect, test } from "bun:test";
import type { THealthCheckTarget } from "@opsc/contracts/targets/health";
import { parseVaultKeys, seal } from "@opsc/vault";
import { CredentialUnavailableError, openCredential, probeTarget } from "./probe-target.ts";

const vault = parseVaultKeys(`k1:${Buffer.alloc(32, 3).toString("base64")}`);
const seen: (string | null)[] = [];
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    seen.push(request.headers.get("authorization"));
    return new Response("ok");
  },
});
afterAll(() => server.stop(true));

const sealedCredential = (id: string, secret: unknown, owner = id) => ({
  id,
  kind: "http_bearer",
  username: null,
  headerName: null,
  sealed: seal(vault, JSON.stringify(secret), owner),
});

describe("openCredential", () => {
  test("opens a secret sealed for its credential id", () => {
    expect(
      openCredential(vault, sealedCredential("c1", { kind: "http_bearer", token: "tok-123456" })),
    ).toEqual({
      kind: "http_bearer",
      token: "tok-123456",
    });
  });

  test("refuses a secret sealed for another owner, or malformed, without quoting it", () => {
    const moved = sealedCredential("c2", { kind: "http_bearer", token: "moved-secret" }, "c-other");
    expect(() => openCredential(vault, moved)).toThrow(CredentialUnavailableError);
    const notJson = { ...moved, sealed: seal(vault, "plain-secret-text", "c2") };
    expect(() => openCredential(vault, notJson)).toThrow("the secret is not valid JSON");
    try {
      openCredential(vault, notJson);
    } catch (error) {
      expect((error as Error).message).not.toContain("plain-secret-text");
    }
    const wrongShape = { ...moved, sealed: seal(vault, JSON.stringify({ kind: "http_bearer" }), "c2") };
    expect(() => openCredential(vault, wrongShape)).toThrow("does not match its kind");
  });
});

describe("probeTarget", () => {
  test("an HTTP target's credential goes out as its header, opened only here", async () => {
    const target: THealthCheckTarget = {
      id: "t1",
      address: "127.0.0.1",
      port: server.port!,
      kind: "http",
      http: { scheme: "http", path: "/health", insecureTls: false },
      expectedHostKey: null,
      credential: sealedCredential("c3", { kind: "http_bearer", token: "bearer-abc-123" }),
    };
    const result = await probeTarget(target, { vault, timeoutMs: 2_000 });
    expect(result).toMatchObject({ ok: true, detail: "HTTP 200" });
    expect(seen.at(-1)).toBe("Bearer bearer-abc-123");
  });
});
