/**
 * Artifacts end to end through each executor: files a command writes into `$OPSC_ARTIFACTS_DIR` over real SSH
 * (fetched over SFTP) and on this host, an HTTP body saved with `saveBody`, the limits, and the cleanup.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TAction } from "@opsc/contracts/execution/actions";
import type { StartedSshd } from "@opsc/testing/sshd";
import { startSshd } from "@opsc/testing/sshd";
import { parseVaultKeys, seal } from "@opsc/vault";
import type { ExecuteRequest } from "./executor.ts";
import { HttpExecutor } from "./http-executor.ts";
import { LocalExecutor } from "./local-executor.ts";
import { SshExecutor } from "./ssh-executor.ts";
import { collectOutput, makeRequest, makeTarget, memorySink } from "./test-support/tasks.ts";

const vault = parseVaultKeys(`k1:${Buffer.alloc(32, 5).toString("base64")}`);
let sshd: StartedSshd;
let ssh: SshExecutor;
const local = new LocalExecutor({ enabled: true });
let server: ReturnType<typeof Bun.serve>;

beforeAll(async () => {
  sshd = await startSshd();
  ssh = new SshExecutor({ vault, connectTimeoutMs: 5_000 });
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/big")
        return new Response("x".repeat(4096), { headers: { "content-type": "text/plain" } });
      if (path === "/teapot") return new Response("short and stout", { status: 418 });
      return Response.json({ ok: true, path });
    },
  });
}, 60_000);
afterAll(async () => {
  await ssh?.close();
  await local.close();
  await sshd?.stop();
  server?.stop(true);
});

let sealedKey: ReturnType<typeof sealKey> | undefined;
function sealKey() {
  const user = sshd.users[0]!;
  const secret = { kind: "ssh_key", username: user.username, privateKey: user.privateKeyPem };
  return {
    id: "artifact-key",
    kind: "ssh_key",
    username: user.username,
    headerName: null,
    sealed: seal(vault, JSON.stringify(secret), "artifact-key"),
  };
}

/** Sealed once: sealing again (a fresh IV) is a new pool key, hence a new connection. */
function keyCredential() {
  sealedKey ??= sealKey();
  return sealedKey;
}

function sshRequest(overrides: Partial<ExecuteRequest> = {}): ExecuteRequest {
  return makeRequest({
    target: makeTarget({ address: sshd.host, port: sshd.port, credential: keyCredential() }),
    ...overrides,
  });
}

const command = (text: string) => ({ type: "command", command: text, shell: "sh" }) as const;
const FIVE_MB = 5 * 1024 * 1024;

/** Writes a 5 MB random file and a small one (plus a subdirectory and a link, which are skipped); prints the
 * big file's SHA-256 and the directory. */
const WRITE_FILES = [
  `head -c ${FIVE_MB} /dev/urandom > "$OPSC_ARTIFACTS_DIR/big.bin"`,
  `printf 'hello artifacts' > "$OPSC_ARTIFACTS_DIR/notes (1).txt"`,
  'mkdir "$OPSC_ARTIFACTS_DIR/sub" && echo nested > "$OPSC_ARTIFACTS_DIR/sub/inner.txt"',
  'ln -s /etc/passwd "$OPSC_ARTIFACTS_DIR/link"',
  'sha256sum "$OPSC_ARTIFACTS_DIR/big.bin" | cut -d" " -f1',
  'echo "$OPSC_ARTIFACTS_DIR"',
].join("; ");

const sha256 = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest("hex");

for (const [name, run, tmp] of [
  [
    "ssh",
    (request: Partial<ExecuteRequest>) => ssh.execute(sshRequest(request), () => {}),
    // The sshd session's own TMPDIR (unset: /tmp), not this process's.
    "/tmp/opsc-artifacts.",
  ],
  [
    "local",
    (request: Partial<ExecuteRequest>) => local.execute(makeRequest(request)),
    join(tmpdir(), "opsc-artifacts-"),
  ],
] as const) {
  describe(`${name}: files in $OPSC_ARTIFACTS_DIR`, () => {
    test("are fetched as streams with size and SHA-256; links and subdirectories are skipped; the directory goes", async () => {
      const { files, sink } = memorySink();
      const out = collectOutput();
      const result = await run({
        action: command(WRITE_FILES),
        onOutput: out.onOutput,
        artifacts: { sink, maxFiles: 10, maxBytes: 10 * FIVE_MB },
      });
      expect(result).toMatchObject({ status: "succeeded", exitCode: 0, error: null });
      const [bigHash, dir] = out.text().trim().split("\n");
      expect(dir!.startsWith(tmp)).toBe(true);
      // The announcement never reaches the output.
      expect(out.text()).not.toContain("OPSC-ARTIFACTS");
      expect(result.artifacts).toEqual([
        {
          name: "big.bin",
          size: FIVE_MB,
          sha256: bigHash!,
          contentType: "application/octet-stream",
          key: "memory/big.bin",
        },
        {
          name: "notes_1_.txt",
          size: 15,
          sha256: sha256("hello artifacts"),
          contentType: "text/plain;charset=utf-8",
          key: "memory/notes_1_.txt",
        },
      ]);
      expect(files.get("notes_1_.txt")?.text).toBe("hello artifacts");
      expect(files.get("big.bin")).toMatchObject({ size: FIVE_MB, sha256: bigHash });
      expect(existsSync(dir!)).toBe(false);
    }, 30_000);

    test("a failed command's files are kept too", async () => {
      const { sink } = memorySink();
      const result = await run({
        action: command('echo failing > "$OPSC_ARTIFACTS_DIR/report.txt"; exit 3'),
        artifacts: { sink, maxFiles: 10, maxBytes: 1000 },
      });
      expect(result).toMatchObject({ status: "failed", exitCode: 3, error: null });
      expect(result.artifacts?.map((artifact) => artifact.name)).toEqual(["report.txt"]);
    });

    test("going over the limits fails the task as artifact_limit and keeps nothing", async () => {
      const { files, sink } = memorySink();
      const out = collectOutput();
      const tooMany = await run({
        action: command(
          'for i in 1 2 3; do echo $i > "$OPSC_ARTIFACTS_DIR/f$i"; done; echo "$OPSC_ARTIFACTS_DIR"',
        ),
        onOutput: out.onOutput,
        artifacts: { sink, maxFiles: 2, maxBytes: 1000 },
      });
      expect(tooMany).toMatchObject({
        status: "failed",
        exitCode: 0,
        error: { kind: "artifact_limit" },
        artifacts: [],
      });
      expect(tooMany.error!.message).toContain("3 files");
      expect(files.size).toBe(0);
      expect(existsSync(out.text().trim())).toBe(false);
      const tooBig = await run({
        action: command('head -c 2000 /dev/zero > "$OPSC_ARTIFACTS_DIR/zeros"'),
        artifacts: { sink, maxFiles: 2, maxBytes: 1000 },
      });
      expect(tooBig).toMatchObject({ status: "failed", error: { kind: "artifact_limit" } });
    });

    test("a store that fails makes the task fail as artifact_failed", async () => {
      const { sink } = memorySink({ failOn: "out.txt" });
      const result = await run({
        action: command('echo x > "$OPSC_ARTIFACTS_DIR/out.txt"'),
        artifacts: { sink, maxFiles: 2, maxBytes: 1000 },
      });
      expect(result).toMatchObject({ status: "failed", exitCode: 0, error: { kind: "artifact_failed" } });
      expect(result.error!.message).toContain("out.txt: the store is down");
    });

    test("a cancelled task keeps no file, and its directory is removed", async () => {
      const { files, sink } = memorySink();
      const out = collectOutput();
      const abort = new AbortController();
      const running = run({
        action: command('echo x > "$OPSC_ARTIFACTS_DIR/partial"; echo "$OPSC_ARTIFACTS_DIR"; sleep 30'),
        onOutput: out.onOutput,
        signal: abort.signal,
        artifacts: { sink, maxFiles: 2, maxBytes: 1000 },
      });
      await out.waitFor("opsc-artifacts");
      abort.abort();
      const result = await running;
      expect(result.status).toBe("cancelled");
      expect(files.size).toBe(0);
      expect(existsSync(out.text().trim())).toBe(false);
    }, 30_000);

    test("without a sink there is no OPSC_ARTIFACTS_DIR", async () => {
      const out = collectOutput();
      const result = await run({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template.
        action: command('echo "[${OPSC_ARTIFACTS_DIR-unset}]"'),
        onOutput: out.onOutput,
      });
      expect(result.status).toBe("succeeded");
      expect(result.artifacts).toBeUndefined();
      expect(out.text()).toBe("[unset]\n");
    });
  });
}

describe("http: saveBody", () => {
  const httpExecutor = new HttpExecutor({ vault });
  const target = () => makeTarget({ kind: "http", port: server.port!, http: { scheme: "http" } as never });
  const get = (path: string, saveBody = true): TAction => ({
    type: "http",
    method: "GET",
    path,
    headers: {},
    expectStatus: [],
    saveBody,
  });

  test("saves the body as response.body with its content type; only the status line is logged", async () => {
    const { files, sink } = memorySink();
    const out = collectOutput();
    const result = await httpExecutor.execute(
      makeRequest({
        target: target(),
        action: get("/data"),
        onOutput: out.onOutput,
        artifacts: { sink, maxFiles: 1, maxBytes: 1000 },
      }),
      () => {},
    );
    const body = JSON.stringify({ ok: true, path: "/data" });
    expect(result).toMatchObject({ status: "succeeded", error: null });
    expect(result.artifacts).toEqual([
      {
        name: "response.body",
        size: body.length,
        sha256: sha256(body),
        contentType: "application/json;charset=utf-8",
        key: "memory/response.body",
      },
    ]);
    expect(files.get("response.body")?.text).toBe(body);
    expect(out.text()).toBe("HTTP 200 OK\n");
  });

  test("an unexpected status still saves the body; the limit applies; without saveBody the body is logged", async () => {
    const { sink } = memorySink();
    const teapot = await httpExecutor.execute(
      makeRequest({
        target: target(),
        action: get("/teapot"),
        artifacts: { sink, maxFiles: 1, maxBytes: 1000 },
      }),
      () => {},
    );
    expect(teapot).toMatchObject({ status: "failed", error: { kind: "http_status" } });
    expect(teapot.artifacts?.[0]).toMatchObject({ name: "response.body", size: 15 });
    const tooBig = await httpExecutor.execute(
      makeRequest({
        target: target(),
        action: get("/big"),
        artifacts: { sink, maxFiles: 1, maxBytes: 1000 },
      }),
      () => {},
    );
    expect(tooBig).toMatchObject({ status: "failed", error: { kind: "artifact_limit" }, artifacts: [] });
    const out = collectOutput();
    const logged = await httpExecutor.execute(
      makeRequest({
        target: target(),
        action: get("/data", false),
        onOutput: out.onOutput,
        artifacts: { sink, maxFiles: 1, maxBytes: 1000 },
      }),
      () => {},
    );
    expect(logged.artifacts).toBeUndefined();
    expect(out.text()).toContain('"path":"/data"');
  });
});
