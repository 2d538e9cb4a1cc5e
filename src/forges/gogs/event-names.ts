// The events Gogs defines, a subset of Gitea's: a header naming another is a clear 400.

/** Gogs' HookEventType values: https://github.com/gogs/gogs/blob/main/internal/database/webhook.go */
export const GOGS_EVENTS: ReadonlySet<string> = new Set<string>([
  "create",
  "delete",
  "fork",
  "push",
  "issues",
  "issue_comment",
  "pull_request",
  "release",
]);
