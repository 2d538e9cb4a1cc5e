// The events of the Gitea family, from their sources. The X-*-Event header carries the coarse name
// (HookEventType.Event(): `pull_request` for `pull_request_sync`, `issue_comment` for
// `pull_request_comment`, `pull_request_approved` for `pull_request_review_approved`) and
// X-*-Event-Type the fine one; both spellings are known events.
// https://github.com/go-gitea/gitea/blob/main/modules/webhook/type.go
// https://codeberg.org/forgejo/forgejo/src/branch/forgejo/modules/webhook/type.go

/** HookEventType values of Gitea and Forgejo. */
const HOOK_EVENT_TYPES = [
  "create",
  "delete",
  "fork",
  "push",
  "issues",
  "issue_assign",
  "issue_label",
  "issue_milestone",
  "issue_comment",
  "pull_request",
  "pull_request_assign",
  "pull_request_label",
  "pull_request_milestone",
  "pull_request_comment",
  "pull_request_review_approved",
  "pull_request_review_rejected",
  "pull_request_review_comment",
  "pull_request_sync",
  "pull_request_review_request",
  "wiki",
  "repository",
  "release",
  "package",
  "status",
  "schedule",
  "workflow_dispatch",
  "workflow_run",
  "workflow_job",
  // Forgejo only
  "action_run_failure",
  "action_run_recover",
  "action_run_success",
] as const;

/** Coarse names from HookEventType.Event() that are not themselves a HookEventType. */
const COARSE_ONLY = ["pull_request_approved", "pull_request_rejected"] as const;

export const GITEA_EVENTS: ReadonlySet<string> = new Set<string>([...HOOK_EVENT_TYPES, ...COARSE_ONLY]);
