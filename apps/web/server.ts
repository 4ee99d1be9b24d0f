import { join } from "node:path";
import { loadEnv } from "./server/env.ts";
import { createWebApp } from "./server/web-handler.ts";

export { createWebApp, createWebHandler, type WebHandlerOptions } from "./server/web-handler.ts";

/** The production build next to this file, whatever the working directory (`bun run start` runs from the root). */
export const BUILD_DIR = join(import.meta.dir, "build");

if (import.meta.main) {
  const env = loadEnv();
  const app = await createWebApp({
    buildDir: BUILD_DIR,
    apiUrl: env.OPSC_API_URL,
    services: env.OPSC_SERVICES,
    mode: env.NODE_ENV === "development" ? "development" : "production",
    logLevel: env.LOG_LEVEL,
  });
  app.listen({ hostname: env.HOST, port: env.PORT });
  console.log(
    JSON.stringify({
      level: "info",
      service: "web",
      msg: "web listening",
      url: `http://${env.HOST}:${app.server?.port}/`,
    }),
  );

  const shutdown = async () => {
    await app.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown());
  process.on("SIGINT", () => void shutdown());
}
