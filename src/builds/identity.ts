/**
 * How a build is named everywhere (work files, cache keys, messages, summaries): `job/uuid`. A uuid
 * is unique only among the builds of its job (per-job build numbers such as `42` are common), so
 * the uuid alone would let two jobs share a work file or a cache entry.
 */
export function buildKey(build: { job: string; uuid: string }): string {
  return `${build.job}/${build.uuid}`;
}

/** `job/uuid` of a build folder (BUILDS/JOB/UUID), for rejections that have only the folder. */
export function buildKeyOfDir(dir: string): string {
  const parts = dir.split(/[\\/]+/).filter(Boolean);
  return parts.slice(-2).join("/");
}
