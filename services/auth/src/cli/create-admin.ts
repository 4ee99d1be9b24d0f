/**
 * Creates the first administrator from the server's shell: `bun run admin:create --email you@example.com --name "You"`.
 * The password is read from the terminal without echo, or from OPSC_ADMIN_PASSWORD for unattended installs.
 * It refuses once any administrator exists; there is no default account and no default password.
 */
import { parseArgs } from "node:util";
import { parseEnv, parsePostgresEnv, z } from "@opsc/config";
import { ZCreateFirstAdminRequestSchema } from "@opsc/contracts/auth/setup";
import { createDb } from "@opsc/db";
import { createLogger } from "@opsc/logger";
import { AUTH_SCHEMA, createBetterAuth } from "../better-auth.ts";
import type { AuthDatabase } from "../identity/identity.table.ts";
import { migrate } from "../migrate.ts";
import { createFirstAdmin } from "../setup/setup.service.ts";

async function readHiddenLine(prompt: string): Promise<string> {
  if (!process.stdin.isTTY)
    throw new Error("No terminal to ask for the password: set OPSC_ADMIN_PASSWORD instead.");
  process.stdout.write(prompt);
  process.stdin.setRawMode(true);
  process.stdin.resume();
  let value = "";
  return new Promise((resolve, reject) => {
    process.stdin.on("data", (chunk: Buffer) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") {
          process.stdin.setRawMode(false);
          process.stdin.pause();
          process.stdout.write("\n");
          resolve(value);
          return;
        }
        if (char === "\u0003") reject(new Error("cancelled"));
        else if (char === "\u007f") value = value.slice(0, -1);
        else value += char;
      }
    });
  });
}

const { values } = parseArgs({ options: { email: { type: "string" }, name: { type: "string" } } });
const env = parseEnv(
  z.object({ BETTER_AUTH_SECRET: z.string().min(32).optional(), OPSC_ADMIN_PASSWORD: z.string().optional() }),
  process.env,
);
const database = parsePostgresEnv("auth", {
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/opsconductor",
  ...process.env,
});

function exitWithIssues(issues: { path: PropertyKey[]; message: string }[]): never {
  for (const issue of issues) console.error(`${issue.path.join(".") || "input"}: ${issue.message}`);
  console.error('Usage: bun run admin:create --email you@example.com --name "Your Name"');
  process.exit(2);
}

const schema = ZCreateFirstAdminRequestSchema.omit({ token: true });
const identity = schema.omit({ password: true }).safeParse({ email: values.email, name: values.name });
if (!identity.success) exitWithIssues(identity.error.issues);

let password = env.OPSC_ADMIN_PASSWORD;
try {
  if (!password) {
    password = await readHiddenLine("Password (at least 12 characters): ");
    if ((await readHiddenLine("Repeat the password: ")) !== password)
      throw new Error("The passwords differ.");
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const parsed = schema.safeParse({ ...identity.data, password });
if (!parsed.success) exitWithIssues(parsed.error.issues);

await migrate(database.databaseUrl);
const { db } = createDb<AuthDatabase>({ url: database.databaseUrl, schema: AUTH_SCHEMA, poolMax: 2 });
const auth = createBetterAuth({
  db,
  // Only the password hasher is used here; it does not depend on the secret.
  secret: env.BETTER_AUTH_SECRET ?? crypto.randomUUID() + crypto.randomUUID(),
  publicUrl: "http://127.0.0.1",
  signInRateLimit: { max: 1, windowSeconds: 1 },
  quiet: true,
});
try {
  const { userId } = await createFirstAdmin(
    { db, auth, log: createLogger({ service: "auth-cli", level: "warn" }), setupToken: undefined },
    { actorId: null, apiKeyId: null, sourceIp: null, requestId: null },
    parsed.data,
  );
  console.log(
    `Administrator ${parsed.data.email} created (${userId}). Sign in with that e-mail and password.`,
  );
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
