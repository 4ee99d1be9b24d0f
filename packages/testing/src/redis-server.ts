import type { Subprocess } from "bun";

/**
 * A private redis-server on a loopback port with no persistence, so that killing it and starting it again is Redis
 * restarting empty. Resolves once it answers PING.
 */
export async function startRedisServer(options: { port: number; dir: string }): Promise<Subprocess> {
  const child = Bun.spawn(
    [
      "redis-server",
      "--port",
      String(options.port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      options.dir,
    ],
    { stdout: "ignore", stderr: "ignore" },
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ping = Bun.spawnSync(["redis-cli", "-p", String(options.port), "ping"]);
    if (ping.stdout.toString().trim() === "PONG") return child;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("redis-server did not start");
    }
    await Bun.sleep(50);
  }
}
