import { type TChoice, ZChoice } from "@opsc/contracts/jobs/parameters";

/** Options from an HTTP endpoint answering JSON: bounded in time and size, read at a dotted path. */

export const HTTP_CHOICES_TIMEOUT_MS = 5_000;
export const HTTP_CHOICES_MAX_BYTES = 1_048_576;

/** Why an endpoint's answer gave no options; the message is shown to the caller (never the URL: it may hold values). */
export class ChoiceSourceError extends Error {
  override readonly name = "ChoiceSourceError";
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ChoiceSourceError(`the endpoint's answer is larger than ${maxBytes} bytes`);
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ChoiceSourceError(`the endpoint's answer is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** `items.0.name`-style paths: object keys, and array indexes as numbers. */
function valueAt(document: unknown, path: string | undefined): unknown {
  if (!path) return document;
  let current = document;
  for (const segment of path.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (current !== null && typeof current === "object" && Object.hasOwn(current, segment))
      current = (current as Record<string, unknown>)[segment];
    else throw new ChoiceSourceError(`the endpoint's answer has nothing at "${path}"`);
  }
  return current;
}

function toChoice(item: unknown, index: number): TChoice {
  let candidate: unknown = item;
  if (typeof item === "string" || typeof item === "number") candidate = { value: String(item) };
  else if (item !== null && typeof item === "object") {
    const { value, label } = item as { value?: unknown; label?: unknown };
    candidate = {
      value: typeof value === "number" ? String(value) : value,
      ...(label !== undefined && label !== null ? { label } : {}),
    };
  }
  const parsed = ZChoice.safeParse(candidate);
  if (!parsed.success)
    throw new ChoiceSourceError(
      `item ${index} of the endpoint's list is not a string or an object with a string value (1 to 500 characters) and an optional label`,
    );
  return parsed.data;
}

/** Fetches the URL and reads the list of options found at `path` (the whole answer without one). */
export async function fetchHttpChoices(
  url: string,
  path: string | undefined,
  options: { timeoutMs?: number; maxBytes?: number } = {},
): Promise<TChoice[]> {
  const timeoutMs = options.timeoutMs ?? HTTP_CHOICES_TIMEOUT_MS;
  let text: string;
  try {
    const response = await fetch(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new ChoiceSourceError(`the endpoint answered HTTP ${response.status}`);
    }
    text = await readCapped(response, options.maxBytes ?? HTTP_CHOICES_MAX_BYTES);
  } catch (error) {
    if (error instanceof ChoiceSourceError) throw error;
    const name = (error as { name?: string }).name;
    throw new ChoiceSourceError(
      name === "TimeoutError" || name === "AbortError"
        ? `the endpoint did not answer within ${timeoutMs / 1000} s`
        : "the endpoint could not be reached",
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new ChoiceSourceError("the endpoint's answer is not JSON");
  }
  const list = valueAt(document, path);
  if (!Array.isArray(list))
    throw new ChoiceSourceError(`the endpoint's answer${path ? ` at "${path}"` : ""} is not a list`);
  return list.map(toChoice);
}
