/**
 * Plain HTTP listeners on 127.0.0.1 that answer 200 at once: the targets of `bun run bench health`. They run in a
 * process of their own so that the probes of the baseline and of the workers meet the same servers, and so the
 * baseline's probing does not share an event loop with them. Ports come from LISTEN_PORTS (comma-separated).
 */
const ports = (process.env.LISTEN_PORTS ?? "").split(",").filter(Boolean).map(Number);
if (ports.length === 0) throw new Error("LISTEN_PORTS is empty");
for (const port of ports) {
  Bun.serve({ hostname: "127.0.0.1", port, fetch: () => new Response("ok") });
}
console.log(`listening on ${ports.join(", ")}`);
