import { resolve } from "node:path";

/** Absolute path of the repository root (this file lives in scripts/lib). */
export const ROOT = resolve(import.meta.dir, "..", "..");

/** Folder for local state (secrets, private PostgreSQL/Redis, Caddy data): `OPSC_DATA_DIR` or `<repo>/.opsc`. */
export function dataDir(): string {
  return resolve(ROOT, process.env.OPSC_DATA_DIR || ".opsc");
}
