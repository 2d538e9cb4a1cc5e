/**
 * Laminar's own page of a run, `{base_url}/jobs/JOB/N` (laminard serves it at that path, see
 * reference/laminard-http.md), for `job:N` as laminarc printed it. Undefined without a base URL,
 * or for anything that is not `job:N`.
 */
export function runUrl(baseUrl: string | undefined, run: string): string | undefined {
  if (baseUrl === undefined) return undefined;
  const match = /^([A-Za-z0-9._-]+):(\d+)$/.exec(run);
  if (!match) return undefined;
  return `${baseUrl.replace(/\/+$/, "")}/jobs/${match[1]}/${match[2]}`;
}
