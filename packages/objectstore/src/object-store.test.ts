/**
 * One contract, both backends: the file system store over a temp folder and the S3 store against s3rver in this
 * process on a loopback port.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { type StartedS3, startS3 } from "@opsc/testing/s3";
import { objectStoreEnv } from "./env.ts";
import { FsObjectStore } from "./fs-store.ts";
import { createObjectStore, InvalidKeyError, type ObjectStore } from "./index.ts";
import { S3ObjectStore } from "./s3-store.ts";

const MiB = 1024 * 1024;

/** `total` bytes of a repeating pattern, produced chunk by chunk as they are read (never all in memory). */
function patternStream(total: number, chunkSize = 256 * 1024): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const size = Math.min(chunkSize, total - sent);
      const chunk = new Uint8Array(size);
      for (let index = 0; index < size; index++) chunk[index] = (sent + index) % 251;
      sent += size;
      controller.enqueue(chunk);
    },
  });
}

function patternDigest(total: number): string {
  const hash = createHash("sha256");
  const block = new Uint8Array(251 * 1024);
  for (let index = 0; index < block.length; index++) block[index] = index % 251;
  for (let offset = 0; offset < total; offset += block.length)
    hash.update(block.subarray(0, Math.min(block.length, total - offset)));
  return hash.digest("hex");
}

async function digestOf(stream: ReadableStream<Uint8Array>): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest("hex"), size };
}

async function text(store: ObjectStore, key: string): Promise<string | null> {
  const object = await store.get(key);
  return object ? new Response(object.body).text() : null;
}

async function keys(store: ObjectStore, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const item of store.list(prefix)) found.push(item.key);
  return found;
}

function contract(
  name: string,
  open: () => Promise<{ store: ObjectStore; env: Record<string, string>; stop(): Promise<void> }>,
) {
  describe(`${name} object store`, () => {
    let store: ObjectStore;
    let stop: () => Promise<void>;
    /** The same store's configuration, for a separate process. */
    let env: () => Record<string, string>;
    beforeAll(async () => {
      const opened = await open();
      ({ store, stop } = opened);
      env = () => opened.env;
    }, 60_000);
    afterAll(async () => {
      await stop?.();
    });

    test("puts bytes and text with a content type; head and get return them", async () => {
      expect(await store.isReady()).toBe(true);
      const put = await store.put("t/hello.txt", "hello, world\n", { contentType: "text/plain" });
      expect(put).toEqual({ key: "t/hello.txt", size: 13 });
      const head = await store.head("t/hello.txt");
      expect(head).toMatchObject({ key: "t/hello.txt", size: 13, contentType: "text/plain" });
      expect(head!.lastModified).toBeInstanceOf(Date);
      const object = await store.get("t/hello.txt");
      expect(object).toMatchObject({ size: 13, contentType: "text/plain" });
      expect(await new Response(object!.body).text()).toBe("hello, world\n");

      const bytes = new Uint8Array([0, 1, 2, 255, 254, 0]);
      await store.put("t/bytes.bin", bytes);
      const binary = await store.get("t/bytes.bin");
      expect(binary!.contentType).toBe("application/octet-stream");
      expect(new Uint8Array(await new Response(binary!.body).arrayBuffer())).toEqual(bytes);
    });

    test("puts a web stream and a Node stream of unknown length", async () => {
      expect(await store.put("t/web.bin", patternStream(3 * MiB + 17, 100_000))).toEqual({
        key: "t/web.bin",
        size: 3 * MiB + 17,
      });
      expect(await digestOf((await store.get("t/web.bin"))!.body)).toEqual({
        sha256: patternDigest(3 * MiB + 17),
        size: 3 * MiB + 17,
      });
      const node = Readable.from(["line one\n", "line two\n"].map((line) => Buffer.from(line)));
      await store.put("t/node.txt", node, { contentType: "text/plain; charset=utf-8" });
      expect(await text(store, "t/node.txt")).toBe("line one\nline two\n");
      expect((await store.head("t/node.txt"))!.contentType).toBe("text/plain; charset=utf-8");
    });

    test("a missing key is null for get and head; delete is idempotent; put replaces", async () => {
      expect(await store.get("t/missing")).toBeNull();
      expect(await store.head("t/missing")).toBeNull();
      await store.delete("t/missing");
      await store.put("t/replace", "first");
      await store.put("t/replace", "second, longer");
      expect(await text(store, "t/replace")).toBe("second, longer");
      expect((await store.head("t/replace"))!.size).toBe(14);
      await store.delete("t/replace");
      expect(await store.head("t/replace")).toBeNull();
      await store.delete("t/replace");
    });

    test("lists by prefix, with partial last segments", async () => {
      for (const key of ["l/b/2", "l/a", "l/b/1", "l/ba", "lx/other", "l/c-1", "l/c/1"])
        await store.put(key, key);
      // Key order on S3 and here; s3rver lists a folder's subfolders before its files, hence the sort.
      const sorted = async (prefix: string) => (await keys(store, prefix)).sort();
      expect(await sorted("l/")).toEqual(["l/a", "l/b/1", "l/b/2", "l/ba", "l/c-1", "l/c/1"]);
      if (store.kind === "fs")
        expect(await keys(store, "l/")).toEqual(["l/a", "l/b/1", "l/b/2", "l/ba", "l/c-1", "l/c/1"]);
      expect(await sorted("l/b")).toEqual(["l/b/1", "l/b/2", "l/ba"]);
      expect(await sorted("l/b/")).toEqual(["l/b/1", "l/b/2"]);
      expect(await keys(store, "l/nothing/")).toEqual([]);
      const listed = [];
      for await (const item of store.list("l/b/")) listed.push(item);
      expect(listed[0]).toMatchObject({ key: "l/b/1", size: 5 });
    });

    test("refuses keys that are empty, absolute, or have '.', '..' or empty segments", async () => {
      for (const key of [
        "",
        "/etc/passwd",
        "../x",
        "a/../../x",
        "a/./b",
        "a//b",
        "a/",
        "a\\..\\b",
        "a\u0000b",
      ]) {
        await expect(store.put(key, "x")).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.head(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidKeyError);
      }
      expect(() => store.list("../")[Symbol.asyncIterator]().next()).toThrow();
    });

    test("a source that fails midway stores nothing", async () => {
      let sent = 0;
      const failing = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 2 * MiB) return controller.error(new Error("the source broke"));
          sent += MiB;
          controller.enqueue(new Uint8Array(MiB));
        },
      });
      await expect(store.put("t/broken", failing)).rejects.toThrow();
      expect(await store.head("t/broken")).toBeNull();
    });

    test("50 MB streams up and down intact", async () => {
      const size = 50 * MiB;
      const put = await store.put("big/50mb.bin", patternStream(size), { contentType: "application/x-test" });
      expect(put.size).toBe(size);
      expect(await store.head("big/50mb.bin")).toMatchObject({ size, contentType: "application/x-test" });
      expect(await digestOf((await store.get("big/50mb.bin"))!.body)).toEqual({
        sha256: patternDigest(size),
        size,
      });
      await store.delete("big/50mb.bin");
    }, 60_000);

    test("uploading does not buffer: memory does not grow with the object's size", async () => {
      // In a fresh process each: a test process's RSS carries whatever earlier tests allocated.
      const probe = async (bytes: number) => {
        const child = Bun.spawn({
          cmd: [
            process.execPath,
            join(import.meta.dir, "test-support", "memory-probe.ts"),
            String(bytes),
            `big/${bytes}.bin`,
          ],
          env: { ...process.env, ...env() },
          stdout: "pipe",
          stderr: "inherit",
        });
        const output = await new Response(child.stdout).text();
        expect(await child.exited).toBe(0);
        const result = JSON.parse(output.trim().split("\n").at(-1)!) as { size: number; growth: number };
        expect(result.size).toBe(bytes);
        await store.delete(`big/${bytes}.bin`);
        return result.growth;
      };
      const small = await probe(50 * MiB);
      const large = await probe(300 * MiB);
      console.info(`${name}: RSS growth while putting 50 MB: ${small >> 20} MB, 300 MB: ${large >> 20} MB`);
      // Loose (RSS is coarse; the S3 client's parts and their copies cost ~100 MB whatever the size): a store that
      // buffered would hold the whole object, and copies of it.
      expect(large).toBeLessThan(240 * MiB);
      expect(large - small).toBeLessThan(120 * MiB);
    }, 60_000);
  });
}

contract("file system", async () => {
  const root = mkdtempSync(join(tmpdir(), "opsc-objects-"));
  return {
    store: new FsObjectStore({ root: join(root, "store") }),
    env: { OBJECT_STORE: "fs", OBJECT_STORE_PATH: join(root, "store") },
    stop: async () => rmSync(root, { recursive: true, force: true }),
  };
});

let s3: StartedS3 | undefined;
contract("S3 (s3rver)", async () => {
  s3 = await startS3();
  const store = new S3ObjectStore({
    bucket: s3.bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: s3.credentials,
    partSize: 5 * MiB,
  });
  return {
    store,
    env: s3.env,
    stop: async () => {
      await store.close();
      await s3?.stop();
    },
  };
});

describe("file system store: keys stay under the root", () => {
  test("no key writes outside the root, and the layout is data/, meta/, tmp/", async () => {
    const parent = mkdtempSync(join(tmpdir(), "opsc-objects-escape-"));
    try {
      const store = new FsObjectStore({ root: join(parent, "root") });
      for (const key of ["../outside", "x/../../outside", "../root2/outside", "..", "./x"])
        await expect(store.put(key, "escaped")).rejects.toBeInstanceOf(InvalidKeyError);
      await store.put("a/b/c.txt", "inside");
      // Dots inside a segment are just characters.
      await store.put("a/..b/c..", "dots");
      expect(await text(store, "a/..b/c..")).toBe("dots");
      expect(readdirSync(parent)).toEqual(["root"]);
      expect(readdirSync(join(parent, "root")).sort()).toEqual(["data", "meta", "tmp"]);
      expect(existsSync(join(parent, "root", "data", "a", "b", "c.txt"))).toBe(true);
      // Nothing is left in tmp/, and deleting prunes the folders it emptied.
      expect(readdirSync(join(parent, "root", "tmp"))).toEqual([]);
      await store.delete("a/b/c.txt");
      expect(existsSync(join(parent, "root", "data", "a", "b"))).toBe(false);
      expect(existsSync(join(parent, "root", "data", "a"))).toBe(true);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe("S3 store: the bucket", () => {
  test("is created on first use when asked, and its absence is an error otherwise", async () => {
    const server = await startS3();
    try {
      const options = {
        region: server.region,
        endpoint: server.endpoint,
        forcePathStyle: true,
        credentials: server.credentials,
      };
      const strict = new S3ObjectStore({ ...options, bucket: "not-created-yet" });
      expect(await strict.isReady()).toBe(false);
      await expect(strict.put("k", "v")).rejects.toThrow();
      const creating = new S3ObjectStore({ ...options, bucket: "created-on-use", createBucket: true });
      await creating.put("k", "v");
      expect(await text(creating, "k")).toBe("v");
      expect(await creating.isReady()).toBe(true);
      await strict.close();
      await creating.close();
    } finally {
      await server.stop();
    }
  });
});

describe("configuration", () => {
  const parse = (env: Record<string, string>) => objectStoreEnv().safeParse(env);

  test("defaults to the file system under .opsc/objects", () => {
    expect(parse({}).data).toEqual({ kind: "fs", root: ".opsc/objects" });
    expect(parse({ OBJECT_STORE: "fs", OBJECT_STORE_PATH: "/var/lib/opsc" }).data).toEqual({
      kind: "fs",
      root: "/var/lib/opsc",
    });
    expect(createObjectStore({ kind: "fs", root: "x" }).kind).toBe("fs");
  });

  test("s3 needs a bucket, and both keys or neither", () => {
    expect(parse({ OBJECT_STORE: "s3" }).success).toBe(false);
    expect(parse({ OBJECT_STORE: "s3", S3_BUCKET: "b" }).success).toBe(false);
    expect(parse({ OBJECT_STORE: "s3", S3_BUCKET: "bkt", S3_ACCESS_KEY_ID: "a" }).success).toBe(false);
    expect(
      parse({
        OBJECT_STORE: "s3",
        S3_BUCKET: "artifacts",
        S3_ENDPOINT: "http://127.0.0.1:9000",
        S3_ACCESS_KEY_ID: "a",
        S3_SECRET_ACCESS_KEY: "s",
        S3_FORCE_PATH_STYLE: "true",
        S3_CREATE_BUCKET: "1",
      }).data,
    ).toEqual({
      kind: "s3",
      bucket: "artifacts",
      region: "us-east-1",
      endpoint: "http://127.0.0.1:9000",
      forcePathStyle: true,
      createBucket: true,
      credentials: { accessKeyId: "a", secretAccessKey: "s" },
    });
    expect(parse({ OBJECT_STORE: "s3", S3_BUCKET: "bkt" }).data).toMatchObject({
      kind: "s3",
      forcePathStyle: false,
      createBucket: false,
    });
    expect(createObjectStore({ kind: "s3", bucket: "bkt", region: "us-east-1" }).kind).toBe("s3");
  });
});
