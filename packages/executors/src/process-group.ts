// Local process groups: list a group's live members and terminate a group (TERM, grace, KILL), reporting
// what survived. The local executor's counterpart of @opsc/ssh's remote kill script.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { sleep } from "bun";

/** What {@link killProcessGroup} did. */
export interface GroupKillReport {
  outcome: "not_running" | "terminated" | "killed" | "survived";
  survivors: { pid: number; command: string }[];
}

const POLL_MS = 25;
const AFTER_KILL_MS = 2_000;

/** `/proc/<pid>/stat`: `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses. */
function readStat(pid: string): { command: string; state: string; pgid: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined; // exited meanwhile
  }
  const close = stat.lastIndexOf(")");
  const [state, , pgid] = stat.slice(close + 2).split(" ");
  return { command: stat.slice(stat.indexOf("(") + 1, close), state: state ?? "", pgid: Number(pgid) };
}

/**
 * Live processes of group `pgid`. Zombies do not count: they are dead, merely not reaped yet (orphans wait
 * for init, which in containers can take a while). Reads /proc, or runs `ps` where there is none.
 */
export function listGroupProcesses(pgid: number): { pid: number; command: string }[] {
  if (existsSync("/proc/self/stat")) {
    return readdirSync("/proc").flatMap((entry) => {
      if (!/^\d+$/.test(entry)) return [];
      const stat = readStat(entry);
      return stat && stat.pgid === pgid && stat.state !== "Z"
        ? [{ pid: Number(entry), command: stat.command }]
        : [];
    });
  }
  const ps = Bun.spawnSync(["ps", "-A", "-o", "pid=,pgid=,stat=,comm="]).stdout.toString();
  return ps.split("\n").flatMap((line) => {
    const [pid, group, stat, ...command] = line.trim().split(/\s+/);
    return Number(group) === pgid && !stat?.startsWith("Z")
      ? [{ pid: Number(pid), command: command.join(" ") }]
      : [];
  });
}

function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false; // ESRCH: no process at all (EPERM would still mean alive, see below)
  }
  return listGroupProcesses(pgid).length > 0;
}

async function waitUntilGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (isGroupAlive(pgid)) {
    if (performance.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

function signalGroup(pgid: number, signal: "SIGTERM" | "SIGKILL"): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: gone meanwhile. EPERM: members we may not signal (setuid); they show up as survivors.
  }
}

/**
 * Sends TERM to process group `pgid`, waits up to `graceMs` for it to empty, then sends KILL and waits up to
 * 2 s more. Processes that left the group (setsid: daemons) are not affected and not reported.
 */
export async function killProcessGroup(pgid: number, graceMs: number): Promise<GroupKillReport> {
  // -1 or 0 would signal every process we may signal, or our own group.
  if (!Number.isSafeInteger(pgid) || pgid < 2) throw new Error(`refusing to signal process group ${pgid}`);
  if (!isGroupAlive(pgid)) return { outcome: "not_running", survivors: [] };
  signalGroup(pgid, "SIGTERM");
  if (await waitUntilGone(pgid, graceMs)) return { outcome: "terminated", survivors: [] };
  signalGroup(pgid, "SIGKILL");
  if (await waitUntilGone(pgid, AFTER_KILL_MS)) return { outcome: "killed", survivors: [] };
  return { outcome: "survived", survivors: listGroupProcesses(pgid) };
}
