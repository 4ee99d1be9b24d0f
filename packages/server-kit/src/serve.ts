import type { Logger } from "@opsc/logger";
import type { Elysia } from "elysia";

/**
 * Starts a service's app and stops it cleanly on SIGTERM/SIGINT: first the listener (no new requests), then each
 * resource in the order given (relays before the pools they use).
 */
export function serveUntilSignal(
  app: Elysia<any, any, any, any, any, any, any>,
  options: {
    host: string;
    port: number;
    log: Logger;
    service: string;
    close: (() => Promise<unknown> | unknown)[];
  },
) {
  const server = app.listen({ hostname: options.host, port: options.port });
  options.log.info({ port: server.server?.port, host: options.host }, `${options.service} listening`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    options.log.info({ signal }, "shutting down");
    await server.stop();
    for (const close of options.close) {
      await Promise.resolve(close()).catch((error) =>
        options.log.warn({ err: error }, "error during shutdown"),
      );
    }
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  return server;
}
