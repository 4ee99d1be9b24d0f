// Files a task saves: names made safe, limits enforced while the bytes stream, SHA-256 on the way, and the
// announcement by which a remote program tells the executor where its artifacts directory is.
import { createHash } from "node:crypto";
import type { ArtifactOptions, SavedArtifact } from "./executor.ts";
import { ExecutorError } from "./task-control.ts";

/** The longest artifact name kept (longer ones are cut, keeping the extension when short). */
export const MAX_ARTIFACT_NAME = 200;

/**
 * A file name as an artifact may carry it: the last path segment, every run of characters outside
 * `[A-Za-z0-9._-]` replaced by `_`, a leading dot prefixed with `_` (no hidden files, never `.` or `..`), at most
 * 200 characters; `artifact` when nothing is left.
 */
export function sanitizeArtifactName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? "";
  let name = base.normalize("NFC").replace(/[^A-Za-z0-9._-]+/g, "_");
  if (name.startsWith(".")) name = `_${name}`;
  if (name.length > MAX_ARTIFACT_NAME) {
    const dot = name.lastIndexOf(".");
    const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
    name = name.slice(0, MAX_ARTIFACT_NAME - extension.length) + extension;
  }
  return name === "" || name === "_" ? "artifact" : name;
}

/** A content type from the name's extension (`application/octet-stream` when unknown). */
export function contentTypeOf(name: string): string {
  return Bun.file(name).type || "application/octet-stream";
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/**
 * Saves one task's files through the caller's sink, in order: each name sanitized and made unique, the bytes
 * counted against the task's limits while they stream (going over fails with `artifact_limit`) and hashed.
 */
export class ArtifactCollector {
  readonly saved: SavedArtifact[] = [];
  #bytes = 0;
  readonly #names = new Set<string>();

  constructor(
    private readonly options: ArtifactOptions,
    private readonly signal: AbortSignal,
  ) {}

  /** The limit error, naming what the task saved and what it may save. */
  limitError(files: number, bytes: number): ExecutorError {
    return new ExecutorError(
      "artifact_limit",
      `the task saved ${files} file${files === 1 ? "" : "s"} of ${formatBytes(bytes)} in all; at most ${
        this.options.maxFiles
      } files and ${formatBytes(this.options.maxBytes)} per task are kept, so none were`,
    );
  }

  /** Refuses a listing over the limits before anything is fetched. @throws {ExecutorError} `artifact_limit` */
  checkListing(files: { size: number }[]): void {
    const bytes = files.reduce((sum, file) => sum + file.size, 0);
    if (files.length > this.options.maxFiles || bytes > this.options.maxBytes)
      throw this.limitError(files.length, bytes);
  }

  #uniqueName(raw: string): string {
    const name = sanitizeArtifactName(raw);
    if (!this.#names.has(name)) return name;
    const dot = name.lastIndexOf(".");
    const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
    for (let index = 2; ; index++) {
      const candidate = `${stem.slice(0, MAX_ARTIFACT_NAME - extension.length - 8)}-${index}${extension}`;
      if (!this.#names.has(candidate)) return candidate;
    }
  }

  /**
   * Streams `body` to the sink. @throws {ExecutorError} `artifact_limit` when the file takes the task over its
   * limits, `artifact_failed` when the sink or the source failed (not when the task was stopped: then the
   * sink's error is passed on and the caller reports the stop).
   */
  async save(
    rawName: string,
    body: ReadableStream<Uint8Array>,
    options: { size?: number | null; contentType?: string } = {},
  ): Promise<SavedArtifact> {
    if (this.saved.length + 1 > this.options.maxFiles) {
      await body.cancel().catch(() => {});
      throw this.limitError(this.saved.length + 1, this.#bytes + (options.size ?? 0));
    }
    const name = this.#uniqueName(rawName);
    this.#names.add(name);
    const contentType = options.contentType ?? contentTypeOf(name);
    const room = this.options.maxBytes - this.#bytes;
    const hash = createHash("sha256");
    let size = 0;
    let limitError: ExecutorError | undefined;
    const counted = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          size += chunk.byteLength;
          if (size > room) {
            limitError ??= this.limitError(this.saved.length + 1, this.#bytes + size);
            controller.error(limitError);
            return;
          }
          hash.update(chunk);
          controller.enqueue(chunk);
        },
      }),
    );
    let stored: { key: string };
    try {
      stored = await this.options.sink.save(
        { name, contentType, size: options.size ?? null, body: counted },
        this.signal,
      );
    } catch (error) {
      if (limitError) throw limitError;
      if (this.signal.aborted || error instanceof ExecutorError) throw error;
      throw new ExecutorError(
        "artifact_failed",
        `could not save the artifact ${name}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    if (limitError) throw limitError;
    this.#bytes += size;
    const artifact = { name, size, sha256: hash.digest("hex"), contentType, key: stored.key };
    this.saved.push(artifact);
    return artifact;
  }
}

const ANNOUNCEMENT_START = 0x1e;
const MAX_ANNOUNCEMENT_BYTES = 8192;

/** The line a program prints first to say where its artifacts directory is (see `buildShellProgram`). */
export function artifactsAnnouncementPrefix(nonce: string): string {
  return `${String.fromCharCode(ANNOUNCEMENT_START)}OPSC-ARTIFACTS ${nonce} `;
}

/**
 * Takes the artifacts directory's announcement off the start of a program's stdout. It must be the very first
 * line (the program prints it before the user's code runs); anything else ends the wait at once and passes the
 * bytes on unchanged. `flush()` returns what is still held back when the output ends.
 */
export class ArtifactsDirParser {
  #pending: Buffer | undefined = Buffer.alloc(0);
  readonly #prefix: Buffer;
  /** The announced directory (absolute), once seen. */
  directory: string | undefined;

  constructor(nonce: string) {
    this.#prefix = Buffer.from(artifactsAnnouncementPrefix(nonce));
  }

  push(chunk: Buffer): Buffer {
    if (this.#pending === undefined) return chunk;
    const buffered = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const head = buffered.subarray(0, Math.min(buffered.length, this.#prefix.length));
    if (!this.#prefix.subarray(0, head.length).equals(head)) return this.flush(buffered);
    if (buffered.length < this.#prefix.length) {
      this.#pending = buffered;
      return Buffer.alloc(0);
    }
    const end = buffered.indexOf(0x0a, this.#prefix.length);
    if (end < 0) {
      if (buffered.length > MAX_ANNOUNCEMENT_BYTES) return this.flush(buffered);
      this.#pending = buffered;
      return Buffer.alloc(0);
    }
    const directory = buffered.subarray(this.#prefix.length, end).toString("utf8");
    this.#pending = undefined;
    if (directory.startsWith("/") && !directory.includes("\0")) this.directory = directory;
    return buffered.subarray(end + 1);
  }

  flush(buffered = this.#pending): Buffer {
    this.#pending = undefined;
    return buffered ?? Buffer.alloc(0);
  }
}
