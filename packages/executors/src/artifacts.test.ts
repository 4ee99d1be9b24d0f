import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, rmSync } from "node:fs";
import {
  ArtifactCollector,
  ArtifactsDirParser,
  artifactsAnnouncementPrefix,
  contentTypeOf,
  sanitizeArtifactName,
} from "./artifacts.ts";
import { buildShellProgram, plainInvocation } from "./shell-program.ts";
import { ExecutorError } from "./task-control.ts";
import { memorySink } from "./test-support/tasks.ts";

const streamOf = (...parts: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
      controller.close();
    },
  });

describe("artifact names", () => {
  test("keep safe characters, drop paths, hide no file, never become . or ..", () => {
    expect(sanitizeArtifactName("report.json")).toBe("report.json");
    expect(sanitizeArtifactName("my report (1).txt")).toBe("my_report_1_.txt");
    expect(sanitizeArtifactName("../../etc/passwd")).toBe("passwd");
    expect(sanitizeArtifactName("a\\b\\c.txt")).toBe("c.txt");
    expect(sanitizeArtifactName(".env")).toBe("_.env");
    expect(sanitizeArtifactName("..")).toBe("_..");
    expect(sanitizeArtifactName("")).toBe("artifact");
    expect(sanitizeArtifactName("résumé.pdf")).toBe("r_sum_.pdf");
    expect(sanitizeArtifactName("line\nbreak\u0000.log")).toBe("line_break_.log");
    const long = sanitizeArtifactName(`${"x".repeat(300)}.tar.gz`);
    expect(long).toHaveLength(200);
    expect(long.endsWith(".gz")).toBe(true);
  });

  test("content types come from the extension", () => {
    expect(contentTypeOf("a.json")).toStartWith("application/json");
    expect(contentTypeOf("a.txt")).toStartWith("text/plain");
    expect(contentTypeOf("a")).toBe("application/octet-stream");
  });
});

describe("ArtifactCollector", () => {
  test("hashes and sizes what it streams, and makes names unique", async () => {
    const { files, sink } = memorySink();
    const collector = new ArtifactCollector(
      { sink, maxFiles: 5, maxBytes: 1000 },
      new AbortController().signal,
    );
    await collector.save("a b.txt", streamOf("hello ", "world"));
    await collector.save("a_b.txt", streamOf("second"));
    expect(collector.saved.map((artifact) => artifact.name)).toEqual(["a_b.txt", "a_b-2.txt"]);
    expect(collector.saved[0]).toEqual({
      name: "a_b.txt",
      size: 11,
      sha256: new Bun.CryptoHasher("sha256").update("hello world").digest("hex"),
      contentType: "text/plain;charset=utf-8",
      key: "memory/a_b.txt",
    });
    expect(files.get("a_b-2.txt")?.text).toBe("second");
  });

  test("fails with artifact_limit past the files or bytes allowed, also mid-stream", async () => {
    const { sink } = memorySink();
    const collector = new ArtifactCollector(
      { sink, maxFiles: 2, maxBytes: 10 },
      new AbortController().signal,
    );
    expect(() => collector.checkListing([{ size: 1 }, { size: 1 }, { size: 1 }])).toThrow(/3 files/);
    expect(() => collector.checkListing([{ size: 11 }])).toThrow(ExecutorError);
    collector.checkListing([{ size: 10 }]);
    await collector.save("one", streamOf("12345"));
    const error = await collector.save("two", streamOf("123", "456")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExecutorError);
    expect((error as ExecutorError).kind).toBe("artifact_limit");
    expect((error as ExecutorError).message).toContain("at most 2 files and 10 bytes per task");
    expect(collector.saved).toHaveLength(1);
  });

  test("a sink failure is artifact_failed, naming the file", async () => {
    const { sink } = memorySink({ failOn: "x.bin" });
    const collector = new ArtifactCollector(
      { sink, maxFiles: 2, maxBytes: 100 },
      new AbortController().signal,
    );
    const error = (await collector
      .save("x.bin", streamOf("1"))
      .catch((caught: unknown) => caught)) as ExecutorError;
    expect(error.kind).toBe("artifact_failed");
    expect(error.message).toContain("x.bin: the store is down");
  });
});

describe("the artifacts directory announcement", () => {
  const nonce = "0123456789abcdef";

  test("is taken off the start of stdout, even split across chunks", () => {
    const parser = new ArtifactsDirParser(nonce);
    const line = `${artifactsAnnouncementPrefix(nonce)}/tmp/opsc-artifacts.abc\nhello\n`;
    const out = [parser.push(Buffer.from(line.slice(0, 5))), parser.push(Buffer.from(line.slice(5, 30)))];
    out.push(parser.push(Buffer.from(line.slice(30))), parser.push(Buffer.from("more\n")));
    expect(Buffer.concat(out).toString()).toBe("hello\nmore\n");
    expect(parser.directory).toBe("/tmp/opsc-artifacts.abc");
  });

  test("anything else first is passed through untouched", () => {
    const parser = new ArtifactsDirParser(nonce);
    expect(parser.push(Buffer.from("plain output\n")).toString()).toBe("plain output\n");
    expect(parser.push(Buffer.from(`${artifactsAnnouncementPrefix(nonce)}/x\n`)).toString()).toContain("/x");
    expect(parser.directory).toBeUndefined();
    const wrongNonce = new ArtifactsDirParser(nonce);
    expect(
      wrongNonce.push(Buffer.from(`${artifactsAnnouncementPrefix("ffff0000ffff0000")}/x\n`)).length,
    ).toBe(`${artifactsAnnouncementPrefix("ffff0000ffff0000")}/x\n`.length);
    expect(wrongNonce.directory).toBeUndefined();
  });

  test("the program makes a fresh 0700 directory, exports it, announces it first, then runs the code", () => {
    const program = buildShellProgram(
      { TMPDIR: "/tmp" },
      {
        type: "command",
        command: 'printf "%s" "$OPSC_ARTIFACTS_DIR" > "$OPSC_ARTIFACTS_DIR/where"; echo code',
        shell: "sh",
      },
      { artifactsDir: { nonce, handToSudoUser: false } },
    );
    const { argv, stdin } = plainInvocation(program);
    const proc = Bun.spawnSync(argv, { stdin: Buffer.from(stdin), env: { PATH: "/usr/bin:/bin" } });
    const parser = new ArtifactsDirParser(nonce);
    expect(parser.push(proc.stdout).toString()).toBe("code\n");
    const dir = parser.directory!;
    try {
      expect(dir).toMatch(/^\/tmp\/opsc-artifacts\.[A-Za-z0-9]{10}$/);
      expect(readdirSync(dir)).toEqual(["where"]);
      expect(Bun.spawnSync(["stat", "-c", "%a", dir]).stdout.toString().trim()).toBe("700");
      expect(Bun.file(`${dir}/where`).size).toBe(dir.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(existsSync(dir)).toBe(false);
  });
});
