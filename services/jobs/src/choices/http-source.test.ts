import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ChoiceSourceError, fetchHttpChoices } from "./http-source.ts";

let server: ReturnType<typeof Bun.serve>;
let base: string;

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/list") return Response.json(["a", 2, { value: "c", label: "See" }, { value: 4 }]);
      if (path === "/nested") return Response.json({ data: { groups: [{ items: ["x", "y"] }] } });
      if (path === "/bad-item") return Response.json([{ name: "no value" }]);
      if (path === "/not-json") return new Response("<html>");
      if (path === "/stream") {
        // 64 KiB chunks without a Content-Length: the cap applies while reading.
        const chunk = new Uint8Array(65_536).fill(32);
        let sent = 0;
        return new Response(
          new ReadableStream({
            pull(controller) {
              if (sent++ < 40) controller.enqueue(chunk);
              else controller.close();
            },
          }),
        );
      }
      if (path === "/silent") return new Promise<Response>(() => {});
      return new Response("nope", { status: 404 });
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => {
  server.stop(true);
});

describe("fetchHttpChoices", () => {
  test("strings, numbers and {value, label} objects become choices", async () => {
    expect(await fetchHttpChoices(`${base}/list`, undefined)).toEqual([
      { value: "a" },
      { value: "2" },
      { value: "c", label: "See" },
      { value: "4" },
    ]);
  });

  test("a dotted path walks objects and array indexes", async () => {
    expect(await fetchHttpChoices(`${base}/nested`, "data.groups.0.items")).toEqual([
      { value: "x" },
      { value: "y" },
    ]);
    await expect(fetchHttpChoices(`${base}/nested`, "data.missing")).rejects.toThrow(
      'nothing at "data.missing"',
    );
    await expect(fetchHttpChoices(`${base}/nested`, "data")).rejects.toThrow('at "data" is not a list');
  });

  test("bad answers are ChoiceSourceErrors that say what is wrong", async () => {
    await expect(fetchHttpChoices(`${base}/bad-item`, undefined)).rejects.toThrow("item 0");
    await expect(fetchHttpChoices(`${base}/not-json`, undefined)).rejects.toThrow("not JSON");
    await expect(fetchHttpChoices(`${base}/gone`, undefined)).rejects.toThrow("HTTP 404");
    await expect(
      fetchHttpChoices(`${base}/stream`, undefined, { maxBytes: 1_048_576 }),
    ).rejects.toBeInstanceOf(ChoiceSourceError);
    await expect(fetchHttpChoices("http://127.0.0.1:9/", undefined)).rejects.toThrow("could not be reached");
  });

  test("an endpoint that never answers is given up after the timeout", async () => {
    await expect(fetchHttpChoices(`${base}/silent`, undefined, { timeoutMs: 200 })).rejects.toThrow(
      "did not answer within 0.2 s",
    );
  });
});
