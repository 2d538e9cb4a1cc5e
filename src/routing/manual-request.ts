import type { ForgeName, HookEvent, JobRequest, JobRule } from "../types.ts";
import { buildParams } from "./build-params.ts";
import { renderTemplate } from "./render-template.ts";

/** A build a person chose on the page: a repository's job at a ref whose head was resolved. */
interface ManualBuild {
  forge: ForgeName;
  repo: string;
  /** `refs/heads/…` or `refs/tags/…`. */
  ref: string;
  sha: string;
  cloneUrl: string;
  user: string;
}

/** The payload kept for a manual build (and offered to `{{ payload.… }}`), in a push's shape. */
export function manualPayload(build: ManualBuild): Record<string, unknown> {
  return {
    found_by: "manual",
    ref: build.ref,
    after: build.sha,
    checkout_sha: build.sha,
    repository: { full_name: build.repo, clone_url: build.cloneUrl },
    project: { path_with_namespace: build.repo, git_http_url: build.cloneUrl },
    sender: { login: build.user },
    user_username: build.user,
  };
}

/**
 * The job's request with the parameters a push (or a tag) of this head would give, but
 * `event=manual`; the job's branch and tag filters are not asked: a person chose this build. Pure.
 */
export function manualRequest(rule: JobRule, build: ManualBuild, deliveryId: string): JobRequest {
  const tag = build.ref.startsWith("refs/tags/");
  const name = build.ref.replace(/^refs\/(heads|tags)\//, "");
  const event: HookEvent = {
    forge: build.forge, forgeEvent: "manual", kind: tag ? "tag" : "push", deleted: false, repo: build.repo, ref: build.ref,
    ...(tag ? { tag: name } : { branch: name }), rev: build.sha, cloneUrl: build.cloneUrl, sender: build.user,
  };
  const builtIns = { ...buildParams(event, deliveryId), event: "manual" };
  const params: Record<string, string> = { ...builtIns };
  const payload = manualPayload(build);
  for (const [key, template] of Object.entries(rule.params)) params[key] = renderTemplate(template, builtIns, payload);
  const reason = `Manual build of ${build.repo} ${name} (${build.sha.slice(0, 7)}) by ${build.user}`.replace(/[\r\n\t]+/g, " ").slice(0, 500);
  return { job: rule.job, params, host: rule.host ?? "", reason };
}
