import type { ArtifactFile, ArtifactSink } from "@opsc/executors";
import type { ObjectStore } from "@opsc/objectstore";

/** The object key of a task's artifact: `artifacts/<runId>/<taskId>/<name>` (names are sanitized by the executors). */
export function artifactKey(runId: string, taskId: string, name: string): string {
  return `artifacts/${runId}/${taskId}/${name}`;
}

/**
 * Uploads a task's files to the object store while they stream from the target: the store writes to a temp file
 * (fs) or in multipart parts (S3), so a file is never held in memory whole. The executor has counted, limited and
 * hashed the bytes on their way here.
 */
export class ObjectStoreArtifactSink implements ArtifactSink {
  constructor(
    private readonly store: ObjectStore,
    private readonly ids: { runId: string; taskId: string },
  ) {}

  async save(file: ArtifactFile, signal: AbortSignal): Promise<{ key: string }> {
    const key = artifactKey(this.ids.runId, this.ids.taskId, file.name);
    await this.store.put(key, file.body, { contentType: file.contentType, signal });
    return { key };
  }
}
