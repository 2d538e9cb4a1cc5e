/**
 * Laminar's own page of a run, `{base_url}/jobs/JOB/N` (laminard serves it at that path, see
 * reference/laminard-http.md), for `job:N` as laminarc printed it. Undefined without a base URL,
 * or for anything that is not `job:N`.
 */
export function runUrl(baseUrl: string | undefined, run: string): string | undefined {
  if (baseUrl === undefined) return undefined;
  const match = /^([A-Za-z0-9._-]+):(\d+)$/.exec(run);
  if (!match) return undefined;
  return runPageUrl(baseUrl, match[1]!, Number(match[2]));
}

/** The same page, from a job and run number the journal already holds apart. */
export function runPageUrl(baseUrl: string, job: string, number: number): string {
  // Job names are [A-Za-z0-9._-] (config/schema.ts): nothing to escape, and laminard does not
  // percent-decode URLs anyway (reference/laminarc.md).
  return `${baseUrl.replace(/\/+$/, "")}/jobs/${job}/${number}`;
}
