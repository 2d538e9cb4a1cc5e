// The X-Gitlab-Event values GitLab sends.
// https://docs.gitlab.com/user/project/integrations/webhook_events/

export const GITLAB_EVENTS: ReadonlySet<string> = new Set<string>([
  "Push Hook",
  "Tag Push Hook",
  "Issue Hook",
  "Confidential Issue Hook",
  "Note Hook",
  "Confidential Note Hook",
  "Merge Request Hook",
  "Wiki Page Hook",
  "Pipeline Hook",
  "Job Hook",
  "Deployment Hook",
  "Feature Flag Hook",
  "Release Hook",
  "Milestone Hook",
  "Emoji Hook",
  "Resource Access Token Hook",
  "Project Access Token Hook",
  "Group Access Token Hook",
  "Member Hook",
  "Subgroup Hook",
  "Project Hook",
  "Vulnerability Hook",
  "System Hook",
]);
