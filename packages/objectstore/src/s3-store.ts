import { pipeline, Transform } from "node:stream";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import {
  assertValidKey,
  assertValidPrefix,
  DEFAULT_CONTENT_TYPE,
  type ListedObject,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type StoredObject,
  toNodeReadable,
} from "./object-store.ts";

/** Options for {@link S3ObjectStore}. */
export interface S3ObjectStoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible server's URL (MinIO, Ceph, s3rver); AWS when omitted. */
  endpoint?: string;
  /** `http://endpoint/bucket/key` instead of `http://bucket.endpoint/key`; most S3-compatible servers need it. */
  forcePathStyle?: boolean;
  /** Static credentials; without them the SDK's default chain (environment, instance role) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Create the bucket on first use when it does not exist. */
  createBucket?: boolean;
  /** Multipart part size (at least 5 MiB, the S3 minimum, which is the default: objects up to 50 GB). */
  partSize?: number;
  /** Parts uploaded at once; default 2. An upload's memory grows with `partSize * queueSize`, not the object. */
  queueSize?: number;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === "NoSuchKey" || name === "NotFound" || statusOf(error) === 404;
}

/**
 * Objects in an S3 bucket. Streams go up with `@aws-sdk/lib-storage` (multipart past one part, so memory stays
 * at a few parts whatever the size) and come down as the response stream. Checksums are computed only when the
 * operation requires them (`WHEN_REQUIRED`): with the SDK's default, streamed bodies are sent aws-chunked, which
 * several S3-compatible servers store verbatim.
 */
export class S3ObjectStore implements ObjectStore {
  readonly kind = "s3" as const;
  readonly client: S3Client;
  readonly bucket: string;
  readonly #options: S3ObjectStoreOptions;
  #bucketReady: Promise<void> | null = null;

  constructor(options: S3ObjectStoreOptions) {
    this.#options = options;
    this.bucket = options.bucket;
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  /** Creates the bucket when asked to and it is missing; once per store, again after a failure. */
  #ensureBucket(): Promise<void> {
    if (!this.#options.createBucket) return Promise.resolve();
    this.#bucketReady ??= (async () => {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      } catch (error) {
        if (!isNotFound(error)) throw error;
        try {
          await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
        } catch (createError) {
          // Another process created it meanwhile.
          const name = (createError as { name?: string }).name;
          if (name !== "BucketAlreadyOwnedByYou" && name !== "BucketAlreadyExists") throw createError;
        }
      }
    })().catch((error: unknown) => {
      this.#bucketReady = null;
      throw error;
    });
    return this.#bucketReady;
  }

  async put(key: string, body: ObjectBody, options: PutOptions = {}): Promise<{ key: string; size: number }> {
    assertValidKey(key);
    await this.#ensureBucket();
    const contentType = options.contentType ?? DEFAULT_CONTENT_TYPE;
    const partSize = Math.max(MIN_PART_SIZE, this.#options.partSize ?? MIN_PART_SIZE);
    if (typeof body === "string" || body instanceof Uint8Array) {
      const bytes = typeof body === "string" ? Buffer.from(body) : body;
      if (bytes.byteLength <= partSize) {
        await this.client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType }),
          options.signal ? { abortSignal: options.signal } : {},
        );
        return { key, size: bytes.byteLength };
      }
    }
    let size = 0;
    // pipeline (not pipe) so that a failing source destroys what the uploader reads, which fails the upload.
    const counted = pipeline(
      toNodeReadable(body),
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          callback(null, chunk);
        },
      }),
      () => {},
    );
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: counted, ContentType: contentType },
      partSize,
      queueSize: this.#options.queueSize ?? 2,
      leavePartsOnError: false,
    });
    const onAbort = () => void upload.abort().catch(() => {});
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error("aborted");
      await upload.done();
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
    return { key, size };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertValidKey(key);
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        size: response.ContentLength ?? 0,
        contentType: response.ContentType ?? DEFAULT_CONTENT_TYPE,
        lastModified: response.LastModified ?? new Date(0),
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async get(key: string): Promise<StoredObject | null> {
    assertValidKey(key);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!response.Body) return null;
      return {
        key,
        size: response.ContentLength ?? 0,
        contentType: response.ContentType ?? DEFAULT_CONTENT_TYPE,
        lastModified: response.LastModified ?? new Date(0),
        body: response.Body.transformToWebStream() as ReadableStream<Uint8Array>,
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    assertValidPrefix(prefix);
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          ...(prefix ? { Prefix: prefix } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        yield { key: item.Key, size: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async isReady(): Promise<boolean> {
    try {
      await this.#ensureBucket();
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
