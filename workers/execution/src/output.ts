import {
  MAX_OUTPUT_BYTES,
  MAX_OUTPUTS,
  OUTPUT_LINE_PREFIX,
  parseOutputLine,
} from "@opsc/contracts/execution/plan";
import type { LogStreamName, ReportWriter } from "@opsc/execution/reports";

/** A standard output line longer than this is not read as an output (it still goes to the log). */
const MAX_OUTPUT_LINE = MAX_OUTPUT_BYTES + 1024;

/** A chunk is sent once it holds this much text, or after {@link FLUSH_AFTER_MS}. */
export const CHUNK_BYTES = 64 * 1024;
export const FLUSH_AFTER_MS = 100;

/** Replaces secret values in a byte stream cut anywhere; `flush` returns what it held back. */
export interface StreamRedactor {
  push(chunk: Buffer): Buffer;
  flush(): Buffer;
}

/**
 * A task's output on its way to the run's log: redacted per stream (a secret split across two reads is still
 * caught), decoded as UTF-8 without breaking characters at chunk edges, and sent in chunks of up to 64 KiB or every
 * 100 ms, in order. Writing returns a promise while a chunk is being sent, which the executors pass back to the
 * output source (backpressure), so a task printing 100 MB holds at most a chunk or two in memory.
 */
export class TaskOutput {
  #bytes = 0;
  #stream: LogStreamName | null = null;
  #parts: string[] = [];
  #size = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #sending: Promise<void> = Promise.resolve();
  #failure: unknown = null;
  readonly #decoders = new Map<LogStreamName, TextDecoder>();
  readonly #redactors = new Map<LogStreamName, StreamRedactor>();
  #line = "";
  #overlong = false;
  readonly #outputs: Record<string, string> = {};
  #outputBytes = 0;

  constructor(
    private readonly writer: ReportWriter,
    private readonly ids: { runId: string; taskId: string },
    private readonly redactor: () => StreamRedactor,
  ) {}

  /** Raw bytes the task printed (before redaction). */
  get bytes(): number {
    return this.#bytes;
  }

  write(stream: "stdout" | "stderr", chunk: Buffer): void | Promise<void> {
    if (this.#failure) throw this.#failure;
    this.#bytes += chunk.length;
    let redactor = this.#redactors.get(stream);
    if (!redactor) {
      redactor = this.redactor();
      this.#redactors.set(stream, redactor);
    }
    const text = this.#decode(stream, redactor.push(chunk), false);
    if (stream === "stdout") this.#scan(text, false);
    return this.#append(stream, text);
  }

  /** The `::output key=value` lines the task printed on its standard output (redacted), once it ended. */
  get outputs(): Record<string, string> {
    return this.#outputs;
  }

  /** Finds output lines in the redacted standard output, across chunk edges. */
  #scan(text: string, isLast: boolean): void {
    let data = this.#line + text;
    const end = data.lastIndexOf("\n");
    if (end === -1 && !isLast) {
      this.#line = data.length > MAX_OUTPUT_LINE ? "" : data;
      if (data.length > MAX_OUTPUT_LINE) this.#overlong = true;
      return;
    }
    const complete = isLast ? data : data.slice(0, end);
    this.#line = isLast ? "" : data.slice(end + 1);
    if (this.#line.length > MAX_OUTPUT_LINE) {
      this.#line = "";
      this.#overlong = true;
    }
    data = complete;
    if (!data.includes(OUTPUT_LINE_PREFIX)) {
      this.#overlong = false;
      return;
    }
    const lines = data.split("\n");
    if (this.#overlong) lines.shift();
    this.#overlong = false;
    for (const line of lines) {
      const output = parseOutputLine(line);
      if (!output) continue;
      const size = output.key.length + output.value.length;
      const known = output.key in this.#outputs;
      if (
        (!known && Object.keys(this.#outputs).length >= MAX_OUTPUTS) ||
        this.#outputBytes + size > MAX_OUTPUT_BYTES
      )
        continue;
      this.#outputs[output.key] = output.value;
      this.#outputBytes += size;
    }
  }

  /**
   * A line from the worker itself (the exit status, why it failed, the files saved), once the task is over; redacted
   * too. What the streams' redactors still hold back goes first, so the line follows all of the task's output.
   */
  async system(text: string): Promise<void> {
    for (const [stream, held] of this.#redactors) {
      const rest = this.#decode(stream, held.flush(), true);
      if (stream === "stdout") this.#scan(rest, true);
      await this.#append(stream, rest);
    }
    const redactor = this.redactor();
    const clean = Buffer.concat([redactor.push(Buffer.from(text)), redactor.flush()]).toString("utf8");
    return this.#append("system", clean.endsWith("\n") ? clean : `${clean}\n`);
  }

  /** Sends what is held back; call once the task is over. */
  async end(): Promise<void> {
    for (const [stream, redactor] of this.#redactors) {
      const rest = this.#decode(stream, redactor.flush(), true);
      if (stream === "stdout") this.#scan(rest, true);
      await this.#append(stream, rest);
    }
    await this.#flush();
    await this.#sending;
    if (this.#failure) throw this.#failure;
  }

  #decode(stream: LogStreamName, bytes: Buffer, isLast: boolean): string {
    let decoder = this.#decoders.get(stream);
    if (!decoder) {
      decoder = new TextDecoder("utf-8");
      this.#decoders.set(stream, decoder);
    }
    return decoder.decode(bytes, { stream: !isLast });
  }

  #append(stream: LogStreamName, text: string): void | Promise<void> {
    if (text.length === 0) return;
    let pending: Promise<void> | undefined;
    if (this.#stream !== null && this.#stream !== stream) pending = this.#flush();
    this.#stream = stream;
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size >= CHUNK_BYTES) return this.#flush();
    this.#timer ??= setTimeout(() => void this.#flush(), FLUSH_AFTER_MS);
    return pending;
  }

  #flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#parts.length === 0 || this.#stream === null) return this.#sending;
    const data = this.#parts.join("");
    const stream = this.#stream;
    this.#parts = [];
    this.#size = 0;
    this.#sending = this.#sending.then(async () => {
      try {
        for (let start = 0; start < data.length; start += CHUNK_BYTES) {
          await this.writer.appendLog({
            ...this.ids,
            stream,
            data: data.slice(start, start + CHUNK_BYTES),
            at: Date.now(),
          });
        }
      } catch (error) {
        this.#failure ??= error;
      }
    });
    return this.#sending;
  }
}
