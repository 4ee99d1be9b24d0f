// Run as its own process by the memory tests: uploads `size` bytes from a lazy source to the store that
// `OBJECT_STORE`/`S3_*` name, and prints the peak RSS growth (sampled, with collections) as JSON. A process of its
// own, because a test process's RSS carries whatever earlier tests allocated.

import { objectStoreEnv } from "../env.ts";
import { createObjectStore } from "../index.ts";

const size = Number(process.argv[2]);
const key = process.argv[3] ?? "memory-probe.bin";
const store = createObjectStore(objectStoreEnv().parse(process.env));

let sent = 0;
const chunk = new Uint8Array(1024 * 1024).fill(7);
const source = new ReadableStream<Uint8Array>({
  pull(controller) {
    if (sent >= size) return controller.close();
    const part = chunk.slice(0, Math.min(chunk.length, size - sent));
    sent += part.length;
    controller.enqueue(part);
  },
});

Bun.gc(true);
const base = process.memoryUsage().rss;
let peak = base;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
  Bun.gc(false);
}, 10);
const stored = await store.put(key, source);
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
await store.close();
console.log(JSON.stringify({ size: stored.size, growth: peak - base }));
