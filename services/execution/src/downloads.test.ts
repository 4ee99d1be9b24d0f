import { describe, expect, test } from "bun:test";
import { artifactDownloadPath, artifactObjectKey } from "./artifacts/artifacts.service.ts";
import { contentDisposition } from "./downloads.ts";
import { logArchiveKey } from "./logs/archive.ts";

describe("downloads", () => {
  test("Content-Disposition is an attachment with a header-safe name and the exact one encoded", () => {
    expect(contentDisposition("report.json")).toBe(
      `attachment; filename="report.json"; filename*=UTF-8''report.json`,
    );
    expect(contentDisposition('a "quoted";\r\nname.txt')).toBe(
      `attachment; filename="a__quoted____name.txt"; filename*=UTF-8''a%20%22quoted%22%3B%0D%0Aname.txt`,
    );
    expect(contentDisposition(".env")).toBe(`attachment; filename="_env"; filename*=UTF-8''.env`);
    expect(contentDisposition("")).toBe(`attachment; filename="download"; filename*=UTF-8''`);
  });

  test("object keys and paths", () => {
    expect(artifactObjectKey("r", "t", "n.txt")).toBe("artifacts/r/t/n.txt");
    expect(artifactDownloadPath("id")).toBe("/api/v1/execution/artifacts/id/content");
    expect(logArchiveKey("r")).toBe("logs/r.log");
  });
});
