const useColor = !process.env.NO_COLOR && (Boolean(process.env.FORCE_COLOR) || Boolean(process.stdout.isTTY));

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;

/** Colour name understood by {@link paint}. */
export type Color = keyof typeof CODES;

/** Wraps text in an ANSI colour when stdout is a terminal (and NO_COLOR is unset). */
export function paint(color: Color, text: string): string {
  return useColor ? `\x1b[${CODES[color]}m${text}\x1b[0m` : text;
}

/** Prints a line from the orchestrator itself. */
export function say(message: string): void {
  console.log(`${paint("bold", "opsc")} ${message}`);
}

/** Prints a warning or error from the orchestrator to stderr. */
export function warn(message: string): void {
  console.error(`${paint("bold", "opsc")} ${paint("yellow", message)}`);
}

const LEVELS: Record<string, { label: string; color: Color }> = {
  trace: { label: "TRACE", color: "gray" },
  debug: { label: "DEBUG", color: "gray" },
  info: { label: "INFO ", color: "green" },
  warn: { label: "WARN ", color: "yellow" },
  error: { label: "ERROR", color: "red" },
  fatal: { label: "FATAL", color: "red" },
};
const PINO_LEVELS: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};
// Fields that are already shown in the prefix or are noise on a developer's console.
const HIDDEN = new Set(["level", "time", "ts", "msg", "message", "service", "pid", "hostname", "v"]);

function clock(value: unknown): string {
  let date: Date | undefined;
  if (typeof value === "string") date = new Date(value);
  // pino uses epoch milliseconds, Caddy epoch seconds with a fraction.
  else if (typeof value === "number") date = new Date(value < 1e11 ? value * 1000 : value);
  if (!date || Number.isNaN(date.getTime())) date = new Date();
  return date.toTimeString().slice(0, 8);
}

/**
 * Turns one structured (JSON) log line from a child into `HH:MM:SS LEVEL message key=value ...`.
 * Anything that is not a JSON object is returned unchanged.
 */
export function prettyLine(line: string): string {
  if (!line.startsWith("{")) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return line;
  const rawLevel = typeof entry.level === "number" ? PINO_LEVELS[entry.level] : String(entry.level ?? "info");
  const level = LEVELS[rawLevel ?? "info"] ?? {
    label: String(rawLevel).toUpperCase().padEnd(5),
    color: "gray",
  };
  const message = String(entry.msg ?? entry.message ?? "");
  const extras = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  const time = paint("gray", clock(entry.time ?? entry.ts));
  return `${time} ${paint(level.color, level.label)} ${message}${extras ? ` ${paint("gray", extras)}` : ""}`;
}
