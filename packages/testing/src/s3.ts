import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import { randomSuffix } from "./random.ts";

/** An S3-compatible server for tests, from {@link startS3}. */
export interface StartedS3 {
  /** `http://127.0.0.1:<port>` (path-style addressing). */
  endpoint: string;
  port: number;
  /** A bucket created at start; `createBucket` tests may use another name. */
  bucket: string;
  region: "us-east-1";
  /** s3rver accepts any signature made with these. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The environment the services read (`OBJECT_STORE=s3` and the `S3_*` variables). */
  env: Record<string, string>;
  /** Stops the server and deletes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Import from `@opsc/testing/s3` (not the index, so other tests do not load s3rver).
 * s3rver (an S3 implementation in JavaScript) in this process, on a free loopback port, over a temp folder. Clients
 * need `forcePathStyle` and `requestChecksumCalculation: "WHEN_REQUIRED"` (the object store sets the latter).
 */
export async function startS3(options: { bucket?: string } = {}): Promise<StartedS3> {
  const directory = mkdtempSync(join(tmpdir(), "opsc-s3-"));
  const bucket = options.bucket ?? `opsc-test-${randomSuffix()}`;
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  let port: number;
  try {
    ({ port } = (await server.run()) as { port: number });
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
  let stopped = false;
  return {
    endpoint,
    port,
    bucket,
    region: "us-east-1",
    credentials,
    env: {
      OBJECT_STORE: "s3",
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      S3_FORCE_PATH_STYLE: "true",
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close().catch(() => {});
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
