import type { DocPath } from "./locate.ts";
import type { RawConfig } from "./schema.ts";

type Report = (path: DocPath, message: string, key?: boolean) => void;

/**
 * `supersede:` aborts an older run when it starts, which only following runs through laminard's
 * event stream can see (`laminar.http`), and only pushes to a branch and pull requests have a newer
 * push of the same line: elsewhere the key would do nothing, silently.
 */
export function checkSupersede(raw: RawConfig, at: Report): void {
  raw.repositories.forEach((repo, index) => {
    repo.jobs.forEach((job, jobIndex) => {
      if (job.supersede === undefined) return;
      const where = `repositories.${index}.jobs.${jobIndex}.supersede`;
      const path = ["repositories", index, "jobs", jobIndex, "supersede"];
      if (!raw.laminar.http) {
        at(path, `${where} needs laminar.http: an older run is aborted when laminard's event stream says it started`, true);
      } else if (!job.events.includes("push") && !job.events.includes("pull_request")) {
        at(path, `${where} has no effect without push or pull_request in events: only a newer push of a branch or pull request supersedes`, true);
      }
    });
  });
}
