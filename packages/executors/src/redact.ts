const MARKER = Buffer.from("[redacted]");
const EMPTY = Buffer.alloc(0);

const asBuffer = (chunk: Uint8Array): Buffer =>
  Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);

/** Redacts one byte stream; see {@link createRedactor}. */
export interface Redactor {
  /** Feeds the next chunk; returns the bytes that are now safe to pass on (possibly none, possibly a view of `chunk`). */
  push(chunk: Uint8Array): Buffer;
  /** Returns what was held back. Call once, at the end of the stream; the redactor can then be reused. */
  flush(): Buffer;
}

/** Every occurrence of every pattern in `data` (overlaps included), merged into sorted, disjoint ranges. */
function findRanges(data: Buffer, patterns: Buffer[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const pattern of patterns) {
    for (let at = data.indexOf(pattern); at !== -1; at = data.indexOf(pattern, at + 1))
      ranges.push([at, at + pattern.length]);
  }
  if (ranges.length < 2) return ranges;
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [ranges[0]!];
  for (const [start, end] of ranges.slice(1)) {
    const last = merged[merged.length - 1]!;
    // Touching ranges merge too: two secrets side by side become one marker.
    if (start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/**
 * A streaming redactor: replaces every occurrence of each secret (as UTF-8 bytes) with `[redacted]` in a byte
 * stream cut into arbitrary chunks. Secrets that overlap or touch become a single marker, so no part of any of
 * them survives. A secret split across chunks is still found: up to `longest secret - 1` bytes are held back
 * until the next chunk or {@link Redactor.flush}. Memory is bounded by that hold-back plus one chunk.
 */
export function createRedactor(secrets: readonly string[]): Redactor {
  const patterns = [...new Set(secrets.filter((secret) => secret.length > 0))].map((secret) =>
    Buffer.from(secret, "utf8"),
  );
  if (patterns.length === 0) return { push: asBuffer, flush: () => EMPTY };
  const holdBytes = Math.max(...patterns.map((pattern) => pattern.length)) - 1;

  // `held`: the tail kept to find secrets that continue in the next chunk. Its first `coveredBytes` bytes
  // were already replaced by a marker (they are kept only for matching); `isMarkerOpen`: the last thing
  // emitted is a marker that ends where `held`'s uncovered part starts, so a range touching it extends it.
  let held = EMPTY;
  let coveredBytes = 0;
  let isMarkerOpen = false;

  // Emits data[.. cut) (redacted) and keeps data[cut ..). No match found later can start before `cut`:
  // it would lie entirely within `data` and have been found now.
  const emit = (data: Buffer, cut: number): Buffer => {
    const parts: Buffer[] = [];
    let position = coveredBytes;
    for (const [start, end] of findRanges(data, patterns)) {
      // A range starting at or after the cut may still grow with the next chunk: it is decided then.
      if (start >= cut) break;
      if (end <= position) continue;
      if (start > position) {
        parts.push(data.subarray(position, start));
        isMarkerOpen = false;
      }
      if (!isMarkerOpen) parts.push(MARKER);
      isMarkerOpen = true;
      position = end;
    }
    if (position < cut) {
      parts.push(data.subarray(position, cut));
      isMarkerOpen = false;
      position = cut;
    }
    // A copy: `data` may be the caller's chunk, which it is free to reuse.
    held = Buffer.from(data.subarray(cut));
    coveredBytes = position - cut;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  };

  return {
    push(chunk) {
      if (chunk.byteLength === 0) return EMPTY;
      const data = held.length === 0 ? asBuffer(chunk) : Buffer.concat([held, chunk]);
      return emit(data, Math.max(0, data.length - holdBytes));
    },
    flush() {
      const out = emit(held, held.length);
      held = EMPTY;
      coveredBytes = 0;
      isMarkerOpen = false;
      return out;
    },
  };
}

/** Redacts a whole string at once (error messages, log lines). */
export function redactText(text: string, secrets: readonly string[]): string {
  if (secrets.length === 0 || text.length === 0) return text;
  const redactor = createRedactor(secrets);
  return Buffer.concat([redactor.push(Buffer.from(text, "utf8")), redactor.flush()]).toString("utf8");
}
