import { describe, expect, test } from "bun:test";
import { AppError } from "@opsc/server-kit";
import { parseSelector } from "./selector.ts";

describe("selector parser", () => {
  test("terms, operators, lists, negation, quoting and wildcards", () => {
    const terms = parseSelector(
      'env=prod role in (web, api) !name=db-* region!=eu owner notin ("a b",c), has-backup',
    );
    expect(terms.map((term) => term.type)).toEqual(["compare", "in", "not", "compare", "in", "exists"]);
    expect(terms[1]).toMatchObject({ key: "role", values: ["web", "api"], negated: false });
    expect(terms[2]).toMatchObject({ term: { key: "name", value: "db-*" } });
    expect(terms[3]).toMatchObject({ key: "region", value: "eu", negated: true });
    expect(terms[4]).toMatchObject({ key: "owner", values: ["a b", "c"], negated: true });
    expect(terms[5]).toMatchObject({ key: "has-backup" });
  });

  test("an empty selector is no condition at all", () => {
    expect(parseSelector("")).toEqual([]);
    expect(parseSelector("   ")).toEqual([]);
  });

  test.each([
    ["env=", 5],
    ["role in (web,", 14],
    ["env=prod &", 10],
    ["=prod", 1],
  ])("%p is refused with the column of the error", (source, column) => {
    try {
      parseSelector(source);
      throw new Error("expected a syntax error");
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).field).toBe("selector");
      expect((error as AppError).message).toContain(`at column ${column}`);
      expect((error as AppError).code).toBe("BAD_REQUEST");
    }
  });

  test("expected characters are quoted in the message", () => {
    expect(() => parseSelector("role in (web a")).toThrow('at column 14, expected ",", ")" but found "a"');
  });
});
