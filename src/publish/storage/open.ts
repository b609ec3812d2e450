/** The Storage an output names: `s3://BUCKET/PREFIX` is a bucket, anything else a local folder. */
import type { Config } from "../../config.js";
import { FolderStorage } from "./folder.js";
import type { Storage } from "./storage.js";

export function isS3Url(output: string): boolean {
  return output.startsWith("s3://");
}

export async function openStorage(c: Config, dryRun: boolean): Promise<Storage> {
  if (isS3Url(c.output)) {
    // Loaded only when used: the SDK adds a noticeable start-up time to every folder run.
    const { S3Storage } = await import("./s3.js");
    return new S3Storage(c, dryRun);
  }
  return new FolderStorage(c.output, dryRun);
}
