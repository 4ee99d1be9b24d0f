import { randomUUID } from "node:crypto";
import { constants, createReadStream, createWriteStream } from "node:fs";
import { access, mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  assertValidKey,
  assertValidPrefix,
  DEFAULT_CONTENT_TYPE,
  InvalidKeyError,
  type ListedObject,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type StoredObject,
  toNodeReadable,
  toWebStream,
} from "./object-store.ts";

/** Options for {@link FsObjectStore}. */
export interface FsObjectStoreOptions {
  /** The folder that holds everything (created when missing). */
  root: string;
}

const FILE_MODE = 0o640;
const DIR_MODE = 0o750;

const isMissing = (error: unknown) =>
  ["ENOENT", "ENOTDIR", "EISDIR"].includes((error as { code?: string }).code ?? "");

/**
 * Objects as files under a root folder: `data/<key>` holds the bytes (the key's segments are folders), `meta/<key>`
 * the content type, and `tmp/` uploads in progress, which are renamed into place once complete, so a reader never
 * sees a partial object. Keys are checked (no `..`, no absolute path) and every path is verified to stay under the
 * root. For one host, or folders shared by every process that reads and writes (the all-in-one mode, a shared
 * volume). Two keys where one is a folder of the other (`a` and `a/b`) cannot both exist here, unlike on S3.
 */
export class FsObjectStore implements ObjectStore {
  readonly kind = "fs" as const;
  readonly root: string;
  readonly #data: string;
  readonly #meta: string;
  readonly #tmp: string;

  constructor(options: FsObjectStoreOptions) {
    this.root = resolve(options.root);
    this.#data = join(this.root, "data");
    this.#meta = join(this.root, "meta");
    this.#tmp = join(this.root, "tmp");
  }

  /** The file of `key` under `base`; throws when the key is invalid or the path would leave `base`. */
  #pathOf(base: string, key: string): string {
    assertValidKey(key);
    const path = resolve(base, ...key.split("/"));
    if (!path.startsWith(base + sep))
      throw new InvalidKeyError(`object key ${JSON.stringify(key)} leaves the store`);
    return path;
  }

  async put(key: string, body: ObjectBody, options: PutOptions = {}): Promise<{ key: string; size: number }> {
    const dataPath = this.#pathOf(this.#data, key);
    const metaPath = this.#pathOf(this.#meta, key);
    await mkdir(this.#tmp, { recursive: true, mode: DIR_MODE });
    const tmp = join(this.#tmp, randomUUID());
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      const source = toNodeReadable(body);
      const file = createWriteStream(tmp, { flags: "wx", mode: FILE_MODE });
      if (options.signal) await pipeline(source, counter, file, { signal: options.signal });
      else await pipeline(source, counter, file);
      await mkdir(dirname(dataPath), { recursive: true, mode: DIR_MODE });
      await mkdir(dirname(metaPath), { recursive: true, mode: DIR_MODE });
      const metaTmp = `${tmp}.meta`;
      await writeFile(metaTmp, JSON.stringify({ contentType: options.contentType ?? DEFAULT_CONTENT_TYPE }), {
        mode: FILE_MODE,
      });
      await rename(metaTmp, metaPath);
      await rename(tmp, dataPath);
    } catch (error) {
      await rm(tmp, { force: true });
      await rm(`${tmp}.meta`, { force: true });
      throw error;
    }
    return { key, size };
  }

  async #contentType(key: string): Promise<string> {
    try {
      const meta = JSON.parse(await readFile(this.#pathOf(this.#meta, key), "utf8")) as {
        contentType?: unknown;
      };
      return typeof meta.contentType === "string" ? meta.contentType : DEFAULT_CONTENT_TYPE;
    } catch {
      return DEFAULT_CONTENT_TYPE;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const path = this.#pathOf(this.#data, key);
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      return { key, size: info.size, contentType: await this.#contentType(key), lastModified: info.mtime };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async get(key: string): Promise<StoredObject | null> {
    const info = await this.head(key);
    if (!info) return null;
    const stream = createReadStream(this.#pathOf(this.#data, key));
    // Opening can still fail (deleted meanwhile): report it as missing rather than as a broken stream.
    const opened = await new Promise<boolean>((done) => {
      stream.once("open", () => done(true));
      stream.once("error", () => done(false));
    });
    if (!opened) return null;
    return { ...info, body: toWebStream(stream) };
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    assertValidPrefix(prefix);
    const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const start = folder ? this.#pathOf(this.#data, folder) : this.#data;
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile()) {
          const key = relative(this.#data, path).split(sep).join("/");
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(start);
    // S3 order: by the key's bytes.
    keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const key of keys) {
      try {
        const info = await stat(join(this.#data, ...key.split("/")));
        yield { key, size: info.size, lastModified: info.mtime };
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
  }

  async delete(key: string): Promise<void> {
    const dataPath = this.#pathOf(this.#data, key);
    const metaPath = this.#pathOf(this.#meta, key);
    await rm(dataPath, { force: true });
    await rm(metaPath, { force: true });
    // Empty folders left behind go too, up to (not including) the store's own folders.
    for (const [base, path] of [
      [this.#data, dataPath],
      [this.#meta, metaPath],
    ] as const) {
      let dir = dirname(path);
      while (dir.startsWith(base + sep)) {
        try {
          await rmdir(dir);
        } catch {
          break;
        }
        dir = dirname(dir);
      }
    }
  }

  async isReady(): Promise<boolean> {
    try {
      await mkdir(this.#tmp, { recursive: true, mode: DIR_MODE });
      await access(this.#tmp, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {}
}
