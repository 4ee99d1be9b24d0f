// Fetching a task's artifacts from its SSH target: the files of the directory the program announced, over SFTP
// on the task's pooled connection (in the channel slot its command just freed), then removing the directory.
import { posix } from "node:path";
import { Readable } from "node:stream";
import { execCommand, type SshConnection, shellQuote } from "@opsc/ssh";
import type { FileEntryWithStats, SFTPWrapper } from "ssh2";
import type { ArtifactCollector } from "./artifacts.ts";
import { ExecutorError } from "./task-control.ts";

/** Entries removed at most when cleaning up a directory (a task that wrote a million files is not our problem). */
const MAX_REMOVED_ENTRIES = 10_000;
const MAX_DEPTH = 32;

function openSftp(connection: SshConnection): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => {
    try {
      connection.client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp)));
    } catch (error) {
      reject(error);
    }
  });
}

function readdir(sftp: SFTPWrapper, path: string): Promise<FileEntryWithStats[]> {
  return new Promise((resolve, reject) =>
    sftp.readdir(path, (error, list) => (error ? reject(error) : resolve(list))),
  );
}

const call = (fn: (callback: (error?: Error | null) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));

/** Removes `dir` and what is under it, not following symbolic links; best effort, bounded. */
async function removeTree(sftp: SFTPWrapper, dir: string): Promise<void> {
  let budget = MAX_REMOVED_ENTRIES;
  const remove = async (path: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) return;
    const entries = await readdir(sftp, path).catch(() => []);
    for (const entry of entries) {
      if (--budget < 0) return;
      const child = posix.join(path, entry.filename);
      // readdir's attributes are lstat's: a link is removed, never followed.
      if (entry.attrs.isDirectory()) await remove(child, depth + 1);
      else await call((done) => sftp.unlink(child, done)).catch(() => {});
    }
    await call((done) => sftp.rmdir(path, done)).catch(() => {});
  };
  await remove(dir, 0);
}

/**
 * Without SFTP (a server without the subsystem), the directory is removed over a command; the task fails only
 * when it held something, since the files cannot be fetched. The path goes on stdin, not on the command line.
 */
async function removeWithoutSftp(connection: SshConnection, dir: string, reason: string): Promise<void> {
  let output = "";
  await execCommand(connection, "exec /bin/sh -s", {
    stdin: `d=${shellQuote(dir)}\nn=$(ls -A -- "$d" 2>/dev/null | wc -l)\nrm -rf -- "$d"\necho "$n"\n`,
    onStdout: (chunk) => {
      output += chunk.toString("utf8");
    },
    timeoutMs: 30_000,
  });
  const entries = Number(output.trim());
  if (entries > 0)
    throw new ExecutorError(
      "artifact_failed",
      `the task saved ${entries} entries in OPSC_ARTIFACTS_DIR, but the SSH server refused SFTP (${reason}), which fetching them needs; they were removed`,
    );
}

/**
 * Fetches each regular file directly in `dir` (in name order; links and subdirectories are skipped) through the
 * collector, which streams it to the sink, then removes `dir`. Limits are checked on the listing first, so a
 * task over them fetches nothing. Aborting `signal` closes the SFTP session.
 * @throws {ExecutorError} `artifact_limit`, `artifact_failed`
 */
export async function collectRemoteArtifacts(
  connection: SshConnection,
  dir: string,
  collector: ArtifactCollector,
  signal: AbortSignal,
): Promise<void> {
  let sftp: SFTPWrapper;
  try {
    sftp = await openSftp(connection);
  } catch (error) {
    return removeWithoutSftp(connection, dir, (error as Error).message);
  }
  const onAbort = () => sftp.end();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    let entries: FileEntryWithStats[];
    try {
      entries = await readdir(sftp, dir);
    } catch (error) {
      throw new ExecutorError(
        "artifact_failed",
        `could not list the artifacts directory ${dir}: ${(error as Error).message}`,
      );
    }
    const files = entries
      .filter((entry) => entry.attrs.isFile())
      .sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
    collector.checkListing(files.map((file) => ({ size: file.attrs.size })));
    for (const file of files) {
      if (signal.aborted) return;
      const stream = sftp.createReadStream(posix.join(dir, file.filename));
      await collector.save(file.filename, Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>, {
        size: file.attrs.size,
      });
    }
  } catch (error) {
    if (error instanceof ExecutorError || signal.aborted) throw error;
    throw new ExecutorError("artifact_failed", `could not fetch the artifacts: ${(error as Error).message}`);
  } finally {
    signal.removeEventListener("abort", onAbort);
    if (!signal.aborted) await removeTree(sftp, dir).catch(() => {});
    sftp.end();
  }
}

/** Removes the directory of a task that was stopped (its files are not kept); best effort, bounded in time. */
export async function discardRemoteArtifacts(connection: SshConnection, dir: string): Promise<void> {
  if (connection.isClosed()) return;
  const work = (async () => {
    const sftp = await openSftp(connection);
    try {
      await removeTree(sftp, dir);
    } finally {
      sftp.end();
    }
  })();
  await Promise.race([work.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 10_000))]);
}
