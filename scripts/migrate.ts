// `bun run db:migrate`: makes sure the database exists and applies every service's migrations.
// PostgreSQL is found like `bun run start` does: DATABASE_URL, else 127.0.0.1:5432, else the private
// instance under the data folder (started for the run and stopped again).
import { join } from "node:path";
import { paint, say, warn } from "./lib/log.ts";
import { dataDir, ROOT } from "./lib/paths.ts";
import type { PostgresHandle } from "./lib/postgres.ts";
import { resolvePostgres } from "./lib/postgres.ts";
import { SERVICES } from "./lib/services.ts";

interface MigrationModule {
  migrate(databaseUrl: string): Promise<void>;
}

let postgres: PostgresHandle | undefined;
let code = 0;
try {
  postgres = await resolvePostgres(dataDir());
  for (const { name } of SERVICES) {
    const module = (await import(join(ROOT, "services", name, "src", "migrate.ts"))) as MigrationModule;
    if (typeof module.migrate !== "function")
      throw new Error(`services/${name}/src/migrate.ts does not export migrate()`);
    const started = performance.now();
    await module.migrate(postgres.url);
    say(`${name}: migrations applied (${Math.round(performance.now() - started)} ms)`);
  }
  say(paint("green", `database ready: ${new URL(postgres.url).pathname.slice(1)}`));
} catch (error) {
  warn(`migration failed: ${(error as Error).stack ?? error}`);
  code = 1;
} finally {
  await postgres?.stop();
}
process.exit(code);
