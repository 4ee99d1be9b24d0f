import type { ObjectStoreConfig } from "./env.ts";
import { FsObjectStore } from "./fs-store.ts";
import type { ObjectStore } from "./object-store.ts";
import { S3ObjectStore } from "./s3-store.ts";

export { type ObjectStoreConfig, objectStoreEnv } from "./env.ts";
export { FsObjectStore, type FsObjectStoreOptions } from "./fs-store.ts";
export {
  assertValidKey,
  DEFAULT_CONTENT_TYPE,
  InvalidKeyError,
  type ListedObject,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type StoredObject,
} from "./object-store.ts";
export { S3ObjectStore, type S3ObjectStoreOptions } from "./s3-store.ts";

/** The store a configuration names (see `objectStoreEnv`). */
export function createObjectStore(config: ObjectStoreConfig): ObjectStore {
  if (config.kind === "fs") return new FsObjectStore({ root: config.root });
  const { kind: _kind, ...options } = config;
  return new S3ObjectStore(options);
}
