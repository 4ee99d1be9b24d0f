// Remote side of execCommand: shell snippets that run a command as the leader of its own process group and
// announce the group id, and a snippet that terminates such a group. Pure string builders, unit-tested.
import { shellQuote } from "./shell-quote.ts";

const MARKER_START = 0x1e; // ASCII record separator: never the first byte of ordinary output

/**
 * Wraps `command` so that it runs as the leader of its own process group, in the user's login shell, after
 * printing `\x1eOPSC-PGID <nonce> <pgid>\n` on stdout. OpenSSH already makes every session's shell a
 * session (and group) leader; where that is not so, `setsid` makes it one without forking, so the process
 * sshd waits for stays the same and its exit status or signal is still reported.
 * Assumes a POSIX login shell (sh, bash, dash, zsh, ksh) and Linux tools (setsid from util-linux).
 */
export function buildGroupLeaderCommand(command: string, nonce: string): string {
  if (!/^[0-9a-f]+$/.test(nonce)) throw new Error("nonce must be lower-case hex");
  const announceAndRun =
    `printf '\\036OPSC-PGID ${nonce} %s\\n' "$$"; ` + `exec "\${SHELL:-/bin/sh}" -c ${shellQuote(command)}`;
  // `kill -0 -$$` succeeds only if a process group with our pid exists, i.e. we lead one.
  return `if kill -0 -$$ 2>/dev/null; then ${announceAndRun}; else exec setsid /bin/sh -c ${shellQuote(announceAndRun)}; fi`;
}

/**
 * Shell snippet that sends TERM to process group `pgid`, waits up to `graceMs`, then sends KILL. It prints
 * one outcome line (`not_running`, `terminated`, `killed` or `survived`), after `survived` one `pid name`
 * line per process still in the group (zombies excluded).
 */
export function buildKillGroupCommand(pgid: number, graceMs: number): string {
  // -1 or 0 would signal every process of the user, or our own group.
  if (!Number.isSafeInteger(pgid) || pgid < 2) throw new Error(`refusing to signal process group ${pgid}`);
  const tenths = Math.max(1, Math.ceil(graceMs / 100));
  // dash's kill rejects `--`, and `-s TERM -<pgid>`; `kill -TERM -<pgid>` works in every POSIX shell.
  // Zombies count as gone: the group's orphans are reaped by init, which can take seconds in containers.
  return [
    `P=${pgid}`,
    "if command -v ps >/dev/null 2>&1; then",
    `  alive() { ps -e -o pgid= -o stat= 2>/dev/null | awk -v p="$P" '$1 == p && $2 !~ /^Z/ { n++ } END { exit n ? 0 : 1 }'; }`,
    "else",
    `  alive() { kill -0 -$P 2>/dev/null; }`,
    "fi",
    `kill -TERM -$P 2>/dev/null || { echo not_running; exit 0; }`,
    `i=0; while alive && [ $i -lt ${tenths} ]; do sleep 0.1; i=$((i+1)); done`,
    `alive || { echo terminated; exit 0; }`,
    `kill -KILL -$P 2>/dev/null`,
    `i=0; while alive && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done`,
    `S=$(ps -e -o pid= -o pgid= -o stat= -o comm= 2>/dev/null | awk -v p="$P" '$2 == p && $3 !~ /^Z/ { print $1, $4 }')`,
    `if alive; then echo survived; echo "$S"; else echo killed; fi`,
  ].join("\n");
}

/** What {@link buildKillGroupCommand} reported. */
export interface KillGroupReport {
  outcome: "not_running" | "terminated" | "killed" | "survived";
  survivors: { pid: number; command: string }[];
}

/** Parses the output of {@link buildKillGroupCommand}; undefined when it is not recognisable. */
export function parseKillGroupOutput(output: string): KillGroupReport | undefined {
  const [first, ...rest] = output.trim().split("\n");
  if (first !== "not_running" && first !== "terminated" && first !== "killed" && first !== "survived")
    return undefined;
  const survivors = rest.flatMap((line) => {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    return match ? [{ pid: Number(match[1]), command: match[2]!.trim() }] : [];
  });
  return { outcome: first, survivors };
}

const MAX_PREAMBLE_BYTES = 64 * 1024;

/**
 * Removes the pgid announcement from the start of stdout. Bytes before it (e.g. from a chatty .bashrc) are
 * passed on; if no announcement shows up in the first 64 KiB, everything is passed on and the pgid stays
 * unknown. Only this bounded preamble is ever buffered.
 */
export class PgidAnnouncementParser {
  private pending: Buffer | undefined = Buffer.alloc(0);
  private readonly prefix: Buffer;

  constructor(
    nonce: string,
    private readonly onPgid: (pgid: number | undefined) => void,
  ) {
    this.prefix = Buffer.from(`${String.fromCharCode(MARKER_START)}OPSC-PGID ${nonce} `);
  }

  /** Feeds a stdout chunk; returns the bytes that belong to the command's output (possibly empty). */
  push(chunk: Buffer): Buffer {
    if (this.pending === undefined) return chunk;
    const buffered = Buffer.concat([this.pending, chunk]);
    const start = buffered.indexOf(this.prefix);
    const end = start < 0 ? -1 : buffered.indexOf(0x0a, start + this.prefix.length);
    if (end >= 0) {
      const pgid = Number(buffered.subarray(start + this.prefix.length, end).toString("latin1"));
      this.pending = undefined;
      this.onPgid(Number.isSafeInteger(pgid) && pgid > 1 ? pgid : undefined);
      return Buffer.concat([buffered.subarray(0, start), buffered.subarray(end + 1)]);
    }
    if (buffered.length > MAX_PREAMBLE_BYTES) return this.flush(buffered);
    this.pending = buffered;
    return Buffer.alloc(0);
  }

  /** Gives up waiting for the announcement and returns what was held back. */
  flush(buffered = this.pending): Buffer {
    if (this.pending === undefined) return Buffer.alloc(0);
    this.pending = undefined;
    this.onPgid(undefined);
    return buffered ?? Buffer.alloc(0);
  }
}
