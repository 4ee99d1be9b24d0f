import { Readable } from "node:stream";

/** What {@link ObjectStore.put} accepts: bytes, text, a web stream or a Node stream (read once, never buffered whole). */
export type ObjectBody = Uint8Array | string | ReadableStream<Uint8Array> | Readable;

export interface PutOptions {
  /** Stored with the object and returned by `get` and `head`; default `application/octet-stream`. */
  contentType?: string;
  /** Aborting stops the upload; nothing is stored under the key. */
  signal?: AbortSignal;
}

/** An object's metadata. */
export interface ObjectInfo {
  key: string;
  size: number;
  contentType: string;
  lastModified: Date;
}

/** An object as `list` returns it (S3 lists no content type). */
export type ListedObject = Omit<ObjectInfo, "contentType">;

/** An object being read: its metadata and its bytes as a stream (read it to the end, or cancel it). */
export interface StoredObject extends ObjectInfo {
  body: ReadableStream<Uint8Array>;
}

/**
 * Where artifacts and log archives live: a flat namespace of keys (`artifacts/<run>/<task>/<name>`) with a
 * content type per object. Two backends, same behaviour: S3 (and S3-compatible servers) and a local folder.
 * Bodies are streamed both ways: an object is never held in memory whole.
 */
export interface ObjectStore {
  /** `fs` or `s3`, for logs and readiness. */
  readonly kind: "fs" | "s3";
  /** Stores `body` under `key`, replacing what was there; resolves once it is stored, with its size. */
  put(key: string, body: ObjectBody, options?: PutOptions): Promise<{ key: string; size: number }>;
  /** The object, or null when there is none under `key`. */
  get(key: string): Promise<StoredObject | null>;
  /** The object's metadata, or null when there is none under `key`. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Objects whose key starts with `prefix`, in key order, fetched page by page. */
  list(prefix: string): AsyncIterable<ListedObject>;
  /** Removes the object; no error when there is none. */
  delete(key: string): Promise<void>;
  /** Answers when the store can be used (the folder is writable, the bucket exists). */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

export const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/** A key the store refuses: empty, too long, absolute, or with an empty, `.` or `..` segment, a backslash or a control character. */
export class InvalidKeyError extends Error {
  override readonly name = "InvalidKeyError";
}

/** A backslash or a control character (C0 or DEL). */
function hasForbiddenCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}

/**
 * Checks a key: 1 to 1024 bytes of UTF-8, `/`-separated segments that are neither empty nor `.` or `..`, no
 * backslash and no control character. Both backends apply the same rule, so a key valid on one is valid on the
 * other, and the file system backend can map a key to a path under its root without an escape.
 * @throws {InvalidKeyError}
 */
export function assertValidKey(key: string): void {
  const reason =
    typeof key !== "string" || key.length === 0
      ? "is empty"
      : Buffer.byteLength(key) > 1024
        ? "is longer than 1024 bytes"
        : key.startsWith("/")
          ? "starts with /"
          : hasForbiddenCharacter(key)
            ? "contains a backslash or a control character"
            : key.split("/").some((segment) => segment === "" || segment === "." || segment === "..")
              ? "has an empty, '.' or '..' segment"
              : null;
  if (reason) throw new InvalidKeyError(`object key ${JSON.stringify(key)} ${reason}`);
}

/** A prefix for `list`: empty (everything), or a key's beginning; the same characters as a key. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === "") return;
  if (prefix.startsWith("/") || hasForbiddenCharacter(prefix) || Buffer.byteLength(prefix) > 1024)
    throw new InvalidKeyError(`object key prefix ${JSON.stringify(prefix)} is not valid`);
  // The last segment may be partial ("logs/run-"); the complete ones follow the key rules.
  const complete = prefix.split("/").slice(0, -1);
  if (complete.some((segment) => segment === "" || segment === "." || segment === ".."))
    throw new InvalidKeyError(
      `object key prefix ${JSON.stringify(prefix)} has an empty, '.' or '..' segment`,
    );
}

/** `body` as a Node stream (for file writes and the S3 uploader); bytes and text are wrapped, not copied. */
export function toNodeReadable(body: ObjectBody): Readable {
  if (body instanceof Readable) return body;
  if (typeof body === "string") return Readable.from([Buffer.from(body)]);
  if (body instanceof Uint8Array)
    return Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]);
  return Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>);
}

/** A Node stream as a web stream (what `get` returns). */
export function toWebStream(stream: Readable): ReadableStream<Uint8Array> {
  return Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
}
