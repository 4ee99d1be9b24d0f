import { z } from "zod";
import type { FsObjectStoreOptions } from "./fs-store.ts";
import type { S3ObjectStoreOptions } from "./s3-store.ts";

/** Which backend and its settings, as {@link createObjectStore} takes them. */
export type ObjectStoreConfig =
  | ({ kind: "fs" } & FsObjectStoreOptions)
  | ({ kind: "s3" } & S3ObjectStoreOptions);

const boolish = z
  .enum(["true", "false", "1", "0", ""])
  .transform((value) => value === "true" || value === "1");

/**
 * The object store's environment fragment, for a deployable's `src/env.ts` (like `@opsc/config`'s fragments):
 * `OBJECT_STORE=fs|s3` (default `fs`); fs: `OBJECT_STORE_PATH` (default `.opsc/objects`, relative to the working
 * directory); s3: `S3_BUCKET` (required), `S3_REGION` (default `us-east-1`), `S3_ENDPOINT` (AWS when unset),
 * `S3_ACCESS_KEY_ID` and `S3_SECRET_ACCESS_KEY` (both or neither; the SDK's default chain when neither),
 * `S3_FORCE_PATH_STYLE` (default false) and `S3_CREATE_BUCKET` (create it on first use; default false).
 */
export const objectStoreEnv = () =>
  z
    .object({
      OBJECT_STORE: z.enum(["fs", "s3"]).default("fs"),
      OBJECT_STORE_PATH: z.string().min(1).default(".opsc/objects"),
      S3_ENDPOINT: z.string().url().optional(),
      S3_REGION: z.string().min(1).default("us-east-1"),
      S3_BUCKET: z.string().optional(),
      S3_ACCESS_KEY_ID: z.string().min(1).optional(),
      S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
      S3_FORCE_PATH_STYLE: boolish.default(false),
      S3_CREATE_BUCKET: boolish.default(false),
    })
    .superRefine((value, context) => {
      if (value.OBJECT_STORE !== "s3") return;
      if (!value.S3_BUCKET || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value.S3_BUCKET))
        context.addIssue({
          code: "custom",
          path: ["S3_BUCKET"],
          message:
            "S3_BUCKET is required with OBJECT_STORE=s3: 3 to 63 lower-case letters, digits, '.' and '-'",
        });
      if ((value.S3_ACCESS_KEY_ID === undefined) !== (value.S3_SECRET_ACCESS_KEY === undefined))
        context.addIssue({
          code: "custom",
          path: ["S3_SECRET_ACCESS_KEY"],
          message: "give both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither",
        });
    })
    .transform(
      (value): ObjectStoreConfig =>
        value.OBJECT_STORE === "fs"
          ? { kind: "fs", root: value.OBJECT_STORE_PATH }
          : {
              kind: "s3",
              bucket: value.S3_BUCKET!,
              region: value.S3_REGION,
              ...(value.S3_ENDPOINT ? { endpoint: value.S3_ENDPOINT } : {}),
              forcePathStyle: value.S3_FORCE_PATH_STYLE,
              createBucket: value.S3_CREATE_BUCKET,
              ...(value.S3_ACCESS_KEY_ID && value.S3_SECRET_ACCESS_KEY
                ? {
                    credentials: {
                      accessKeyId: value.S3_ACCESS_KEY_ID,
                      secretAccessKey: value.S3_SECRET_ACCESS_KEY,
                    },
                  }
                : {}),
            },
    );
