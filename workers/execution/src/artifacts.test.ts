import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ArtifactCollector } from "@opsc/executors";
import { FsObjectStore } from "@opsc/objectstore";
import { ObjectStoreArtifactSink } from "./artifacts.ts";

const root = mkdtempSync(join(tmpdir(), "opsc-worker-artifacts-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("ObjectStoreArtifactSink", () => {
  test("streams a task's file to artifacts/<runId>/<taskId>/<name>, as the collector hashed it", async () => {
    const store = new FsObjectStore({ root });
    const ids = { runId: crypto.randomUUID(), taskId: crypto.randomUUID() };
    const collector = new ArtifactCollector(
      { sink: new ObjectStoreArtifactSink(store, ids), maxFiles: 2, maxBytes: 64 * 1024 * 1024 },
      new AbortController().signal,
    );
    let sent = 0;
    const size = 20 * 1024 * 1024;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= size) return controller.close();
        sent += 1024 * 1024;
        controller.enqueue(new Uint8Array(1024 * 1024).fill(sent % 251));
      },
    });
    const saved = await collector.save("dump file.bin", body, { size });
    expect(saved).toMatchObject({
      name: "dump_file.bin",
      size,
      key: `artifacts/${ids.runId}/${ids.taskId}/dump_file.bin`,
      contentType: "application/octet-stream",
    });
    const object = await store.get(saved.key);
    const hash = new Bun.CryptoHasher("sha256");
    for await (const chunk of object!.body as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
    expect(hash.digest("hex")).toBe(saved.sha256);
  });

  test("an aborted task stores nothing", async () => {
    const store = new FsObjectStore({ root });
    const abort = new AbortController();
    const sink = new ObjectStoreArtifactSink(store, { runId: "r", taskId: "t" });
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(1024));
        abort.abort();
      },
    });
    await expect(
      sink.save({ name: "x", contentType: "text/plain", size: null, body }, abort.signal),
    ).rejects.toThrow();
    expect(await store.head("artifacts/r/t/x")).toBeNull();
  });
});
