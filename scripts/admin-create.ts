// `bun run admin:create --email you@example.com --name "Your Name"`: creates the first administrator in the
// database `bun run start` uses (DATABASE_URL, else 127.0.0.1:5432, else the private instance under the data
// folder), so the command never needs a connection string, and never prints one.
import { join } from "node:path";
import { warn } from "./lib/log.ts";
import { dataDir, ROOT } from "./lib/paths.ts";
import { type PostgresHandle, resolvePostgres } from "./lib/postgres.ts";

let postgres: PostgresHandle | undefined;
let code = 1;
try {
  postgres = await resolvePostgres(dataDir());
  const child = Bun.spawn(
    [process.execPath, join(ROOT, "services/auth/src/cli/create-admin.ts"), ...process.argv.slice(2)],
    {
      env: { ...process.env, DATABASE_URL: postgres.url },
      stdio: ["inherit", "inherit", "inherit"],
    },
  );
  code = await child.exited;
} catch (error) {
  warn(`admin:create failed: ${(error as Error).message}`);
} finally {
  await postgres?.stop();
}
process.exit(code);
