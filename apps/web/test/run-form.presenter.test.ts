import { describe, expect, test } from "bun:test";
import { type TParameterInput, ZParameter } from "@opsc/contracts/jobs/parameters";
import { normaliseParameterErrors, parameterInputName } from "../app/lib/parameter-inputs.ts";
import {
  checkRunValues,
  dependencyValues,
  describeRunOutcome,
  runFieldsOf,
  submittedValues,
} from "../app/lib/run-form.presenter.ts";

const ref = (name: string) => `$\{${name}}`;

const PARAMETERS = (
  [
    {
      name: "ENV",
      type: "choice",
      required: true,
      choices: { type: "static", values: [{ value: "staging" }, { value: "prod", label: "Production" }] },
    },
    {
      name: "HOST",
      type: "choice",
      choices: { type: "targets", selector: `env=${ref("ENV")} role=${ref("ROLE")}` },
    },
    { name: "ROLE", type: "string", default: "web", regex: "[a-z]+" },
    { name: "NOTES", type: "string", multiline: true },
    { name: "COUNT", type: "integer", min: 1, max: 5, default: 2 },
    { name: "RATIO", type: "number", max: 1.5 },
    { name: "DRY", type: "boolean", default: true },
    {
      name: "ZONES",
      type: "multi-choice",
      choices: { type: "http", url: `https://x.test/z?env=${ref("ENV")}` },
      min: 1,
    },
    { name: "TOKEN", type: "secret", required: true },
    { name: "TARGETS", type: "target-selector", default: "role=web" },
  ] satisfies TParameterInput[]
).map((parameter) => ZParameter.parse(parameter));

describe("the run form's fields", () => {
  const fields = runFieldsOf(PARAMETERS);
  const byName = Object.fromEntries(fields.map((field) => [field.name, field]));

  test("one field per parameter, its control chosen by the type", () => {
    expect(fields.map((field) => [field.name, field.control])).toEqual([
      ["ENV", "select"],
      ["HOST", "select"],
      ["ROLE", "text"],
      ["NOTES", "textarea"],
      ["COUNT", "number"],
      ["RATIO", "number"],
      ["DRY", "checkbox"],
      ["ZONES", "multi-select"],
      ["TOKEN", "password"],
      ["TARGETS", "selector"],
    ]);
  });

  test("defaults start the fields; a secret never has one", () => {
    expect(fields.map((field) => field.initial)).toEqual([
      "",
      "",
      "web",
      "",
      "2",
      "",
      true,
      [],
      "",
      "role=web",
    ]);
  });

  test("static choices are known at once; targets and HTTP sources are fetched, with what they depend on", () => {
    expect(byName.ENV).toMatchObject({ isDynamic: false, dependsOn: [], label: "ENV", required: true });
    expect(byName.ENV!.choices).toEqual([{ value: "staging" }, { value: "prod", label: "Production" }]);
    expect(byName.HOST).toMatchObject({ isDynamic: true, choices: null, dependsOn: ["ENV", "ROLE"] });
    expect(byName.ZONES).toMatchObject({ isDynamic: true, dependsOn: ["ENV"] });
    expect(byName.COUNT).toMatchObject({ numberStep: "1", min: 1, max: 5 });
    expect(byName.RATIO).toMatchObject({ numberStep: "any", min: null, max: 1.5 });
  });

  test("a dynamic list is fetched again only when a value it depends on changes", () => {
    const host = byName.HOST!;
    const before = dependencyValues(host, { ENV: "prod", ROLE: "web", COUNT: "3" });
    expect(before).toEqual({ ENV: "prod", ROLE: "web" });
    expect(dependencyValues(host, { ENV: "prod", ROLE: "web", COUNT: "4" })).toEqual(before);
    expect(dependencyValues(host, { ENV: "staging", ROLE: "web" })).not.toEqual(before);
    expect(dependencyValues(byName.ZONES!, { ENV: ["a", "b"] })).toEqual({ ENV: "a\nb" });
  });

  test("values to send: trimmed text, empty left out (the default applies), secrets and multi-line text as typed", () => {
    expect(
      submittedValues(fields, {
        ENV: " prod ",
        HOST: "",
        ROLE: "  ",
        NOTES: " line 1\nline 2 ",
        COUNT: "3",
        DRY: false,
        ZONES: ["eu"],
        TOKEN: " s3cret ",
        TARGETS: "role=db ",
      }),
    ).toEqual({
      ENV: "prod",
      NOTES: " line 1\nline 2 ",
      COUNT: "3",
      DRY: false,
      ZONES: ["eu"],
      TOKEN: " s3cret ",
      TARGETS: "role=db",
    });
  });

  test("checked with the contract's schema: defaults fill in, errors keyed by the parameters' inputs", () => {
    const ok = checkRunValues(PARAMETERS, { ENV: "prod", ZONES: ["eu"], TOKEN: "t", COUNT: "3" }, {});
    expect(ok).toEqual({
      ok: true,
      values: {
        ENV: "prod",
        ROLE: "web",
        COUNT: 3,
        DRY: true,
        ZONES: ["eu"],
        TOKEN: "t",
        TARGETS: "role=web",
      },
    });
    const bad = checkRunValues(
      PARAMETERS,
      { ENV: "qa", ROLE: "Web1", COUNT: "9", RATIO: "2", ZONES: [] },
      {},
    );
    expect(bad).toEqual({
      ok: false,
      errors: {
        "param:ENV": "ENV must be one of: staging, prod",
        "param:ROLE": "ROLE must match [a-z]+",
        "param:COUNT": "COUNT must be at most 5",
        "param:RATIO": "RATIO must be at most 1.5",
        "param:ZONES": "ZONES: choose at least 1",
        "param:TOKEN": "TOKEN is required",
      },
    });
  });

  test("fetched choices limit the value; a list not fetched yet is checked by shape only", () => {
    const base = { ENV: "prod", TOKEN: "t", ZONES: ["eu"] };
    expect(checkRunValues(PARAMETERS, { ...base, HOST: "db-9" }, { HOST: [{ value: "web-1" }] })).toEqual({
      ok: false,
      errors: { "param:HOST": "HOST must be one of: web-1" },
    });
    expect(checkRunValues(PARAMETERS, { ...base, HOST: "db-9" }, { HOST: undefined }).ok).toBe(true);
    expect(checkRunValues(PARAMETERS, { ...base, ZONES: ["mars"] }, { ZONES: [{ value: "eu" }] })).toEqual({
      ok: false,
      errors: { "param:ZONES": "ZONES: not one of the choices" },
    });
  });

  test("the API's refusals land on the same fields", () => {
    expect(
      normaliseParameterErrors({
        "parameters.ENV": "not offered",
        "data.parameters.TOKEN": "required",
        overrideReason: "inside the blackout window Freeze until 18:00",
        "data.cron": "bad expression",
      }),
    ).toEqual({
      [parameterInputName("ENV")]: "not offered",
      [parameterInputName("TOKEN")]: "required",
      overrideReason: "inside the blackout window Freeze until 18:00",
      cron: "bad expression",
    });
  });

  test("a queued or skipped start says why", () => {
    expect(describeRunOutcome("queued", "0123456789abcdef")).toBe(
      "Queued behind run 01234567: it starts when that run ends.",
    );
    expect(describeRunOutcome("skipped", "0123456789abcdef")).toContain("Skipped: run 01234567");
  });
});
