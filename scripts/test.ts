// `bun run test`: runs `bun test` over the workspace (extra arguments are passed through, e.g. a path
// filter), streaming its output, then prints the plain summary line `42 passed, 0 failed` last (`3 skipped` on the line before, when some were)
// that CI can parse. Exits with bun test's exit code, and non-zero when no test ran.
import { ROOT } from "./lib/paths.ts";
import { formatSummary, parseBunTestSummary } from "./lib/test-summary.ts";

// Only the end of the output matters for the summary.
const KEEP = 64 * 1024;
let tail = "";

async function forward(stream: ReadableStream<Uint8Array>, target: NodeJS.WriteStream): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    target.write(chunk);
    tail = (tail + decoder.decode(chunk, { stream: true })).slice(-KEEP);
  }
}

const colors = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
const proc = Bun.spawn({
  // Integration tests start databases, services, sshd and Chromium; bunfig.toml cannot set this in Bun 1.4.
  cmd: [process.execPath, "test", "--timeout=60000", ...process.argv.slice(2)],
  cwd: ROOT,
  // Output goes through pipes so it can be read; keep the colours a terminal would have had.
  env: colors ? { ...process.env, FORCE_COLOR: "1" } : process.env,
  stdin: "ignore",
  stdout: "pipe",
  stderr: "pipe",
});
// Ctrl+C reaches bun test directly (same process group); we wait for it to print what it has.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => proc.kill("SIGTERM"));
await Promise.all([forward(proc.stdout, process.stdout), forward(proc.stderr, process.stderr)]);
let code = await proc.exited;

const summary = parseBunTestSummary(tail);
if (summary) {
  if (summary.failed > 0 || summary.passed + summary.failed === 0) code ||= 1;
  console.log(`\n${formatSummary(summary)}`);
} else if (/did not match any test files|had no matches|No tests found/i.test(tail)) {
  console.log(`\n${formatSummary({ passed: 0, failed: 0, skipped: 0 })}`);
  code ||= 1;
} else {
  // bun test crashed or was killed before its summary: count that as a failure so CI cannot miss it.
  console.log(`\nbun test ended with ${proc.signalCode ?? `exit code ${code}`} without a summary`);
  console.log(formatSummary({ passed: 0, failed: 1, skipped: 0 }));
  code ||= 1;
}
process.exit(code);
