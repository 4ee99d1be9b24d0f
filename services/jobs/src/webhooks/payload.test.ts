import { describe, expect, test } from "bun:test";
import { mapPayload, PayloadMappingError, valueAt } from "./payload.ts";

const payload = {
  ref: "refs/heads/main",
  repository: { name: "api", private: true, stars: 12 },
  commits: [{ id: "abc" }, { id: "def" }],
  labels: ["deploy", "urgent"],
  nothing: null,
};

describe("valueAt", () => {
  test("follows object keys and array indexes", () => {
    expect(valueAt(payload, "ref")).toBe("refs/heads/main");
    expect(valueAt(payload, "repository.name")).toBe("api");
    expect(valueAt(payload, "commits.1.id")).toBe("def");
  });

  test("a path that leads nowhere is undefined, prototype keys included", () => {
    expect(valueAt(payload, "repository.owner.name")).toBeUndefined();
    expect(valueAt(payload, "commits.x")).toBeUndefined();
    expect(valueAt(payload, "commits.5.id")).toBeUndefined();
    expect(valueAt(payload, "constructor")).toBeUndefined();
    expect(valueAt(payload, "ref.length")).toBeUndefined();
    expect(valueAt("text", "a")).toBeUndefined();
  });
});

describe("mapPayload", () => {
  test("maps strings, numbers, booleans and string lists; skips what is missing or null", () => {
    expect(
      mapPayload(payload, {
        BRANCH: "ref",
        NAME: "repository.name",
        STARS: "repository.stars",
        PRIVATE: "repository.private",
        LABELS: "labels",
        MISSING: "repository.owner",
        EMPTY: "nothing",
      }),
    ).toEqual({
      BRANCH: "refs/heads/main",
      NAME: "api",
      STARS: 12,
      PRIVATE: true,
      LABELS: ["deploy", "urgent"],
    });
  });

  test("refuses an object or a list of objects, naming the parameter", () => {
    expect(() => mapPayload(payload, { REPO: "repository" })).toThrow(PayloadMappingError);
    try {
      mapPayload(payload, { COMMITS: "commits" });
      throw new Error("expected a refusal");
    } catch (error) {
      expect((error as PayloadMappingError).parameter).toBe("COMMITS");
      expect((error as Error).message).toContain("commits");
    }
  });
});
