// Test helpers shared by this package's tests: task requests, an output collector, and the processes a task
// left behind (found by its OPSC_TASK_ID, which every process of the task inherits).
import { readdirSync, readFileSync } from "node:fs";
import type { TExecutionTarget } from "@opsc/contracts/execution/actions";
import { sleep } from "@opsc/testing/net";
import type { ArtifactFile, ArtifactSink, ExecuteRequest, OutputStream } from "../executor.ts";

export function makeTarget(overrides: Partial<TExecutionTarget> = {}): TExecutionTarget {
  return {
    id: "target-1",
    name: "test-target",
    address: "127.0.0.1",
    port: 22,
    kind: "ssh",
    http: null,
    expectedHostKey: null,
    credential: null,
    sudoCredential: null,
    ...overrides,
  };
}

/** A request with fresh ids, a 30 s timeout, a 500 ms kill grace and no output handler. */
export function makeRequest(overrides: Partial<ExecuteRequest> = {}): ExecuteRequest {
  return {
    taskId: crypto.randomUUID(),
    runId: crypto.randomUUID(),
    target: makeTarget(),
    action: { type: "command", command: "true", shell: "sh" },
    env: {},
    sudo: false,
    timeoutMs: 30_000,
    killGraceMs: 500,
    signal: new AbortController().signal,
    onOutput: () => {},
    ...overrides,
  };
}

/** Collects output per stream; `waitFor(text)` resolves once stdout contains `text`. */
export function collectOutput() {
  const chunks: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  const waiters: { text: string; resolve: () => void }[] = [];
  const text = (stream: OutputStream = "stdout") => Buffer.concat(chunks[stream]).toString("utf8");
  return {
    chunks,
    text,
    onOutput(stream: OutputStream, chunk: Buffer) {
      chunks[stream].push(Buffer.from(chunk));
      for (const waiter of waiters) if (text().includes(waiter.text)) waiter.resolve();
    },
    waitFor(needle: string): Promise<void> {
      if (text().includes(needle)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ text: needle, resolve }));
    },
  };
}

/** Live (non-zombie) processes on this machine whose environment holds `OPSC_TASK_ID=<taskId>`. */
export function processesOfTask(taskId: string): { pid: number; command: string }[] {
  const needle = Buffer.from(`\0OPSC_TASK_ID=${taskId}\0`);
  return readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return [];
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${entry}/environ`)]);
      if (!environ.includes(needle)) return [];
      return [{ pid: Number(entry), command: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) }];
    } catch {
      return []; // gone meanwhile, or not ours to read
    }
  });
}

/** Waits until exactly `count` live processes of the task are named `name` (a fork execs a moment later). */
export async function waitForTaskProcesses(taskId: string, name: string, count: number): Promise<void> {
  const matching = () => processesOfTask(taskId).filter((process) => process.command === name);
  for (let i = 0; i < 250 && matching().length !== count; i++) await sleep(20);
  if (matching().length !== count)
    throw new Error(
      `expected ${count} ${name} processes of task ${taskId}, found ${JSON.stringify(processesOfTask(taskId))}`,
    );
}

/** SIGKILLs whatever a test left behind (a daemon that escaped the group on purpose). */
export function killTaskProcesses(taskId: string): void {
  for (const { pid } of processesOfTask(taskId)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
}

/**
 * Samples RSS while a task streams: call `sample()` from the output handler; it forces a GC every
 * `everyBytes` and keeps the peak growth over the baseline taken at creation.
 */
export function memorySampler(everyBytes = 16_000_000) {
  Bun.gc(true);
  const baseline = process.memoryUsage().rss;
  let bytes = 0;
  let nextSample = everyBytes;
  let peakGrowth = 0;
  return {
    get bytes() {
      return bytes;
    },
    get peakGrowthBytes() {
      return peakGrowth;
    },
    sample(chunkBytes: number) {
      bytes += chunkBytes;
      if (bytes < nextSample) return;
      nextSample += everyBytes;
      Bun.gc(true);
      peakGrowth = Math.max(peakGrowth, process.memoryUsage().rss - baseline);
    },
  };
}

/** An artifact sink that hashes what it receives and keeps small files' bytes, for assertions. */
export function memorySink(options: { failOn?: string } = {}) {
  const files = new Map<string, { contentType: string; size: number; sha256: string; text?: string }>();
  const sink: ArtifactSink = {
    async save(file: ArtifactFile) {
      if (file.name === options.failOn) {
        await file.body.cancel();
        throw new Error("the store is down");
      }
      const hash = new Bun.CryptoHasher("sha256");
      const kept: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of file.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        size += chunk.length;
        if (size <= 1024 * 1024) kept.push(chunk);
      }
      files.set(file.name, {
        contentType: file.contentType,
        size,
        sha256: hash.digest("hex"),
        ...(size <= 1024 * 1024 ? { text: Buffer.concat(kept).toString("utf8") } : {}),
      });
      return { key: `memory/${file.name}` };
    },
  };
  return { files, sink };
}
