// Payload parts that GitHub, the Gitea dialect and GitLab spell the same way.

import { z } from "zod";

/** One pushed commit: its id, message and the paths it touched (for `[skip ci]` and `paths:`). */
export const pushedCommit = z.object({
  id: z.string(),
  message: z.string().nullish(),
  added: z.array(z.string()).nullish(),
  modified: z.array(z.string()).nullish(),
  removed: z.array(z.string()).nullish(),
});

/** Where to fetch from: a pull request's head repository, which may be a fork. */
export const cloneUrls = z.object({ clone_url: z.string().nullish(), ssh_url: z.string().nullish() });

/** `repository` as GitHub and the Gitea dialect send it. */
export const repository = cloneUrls.extend({ full_name: z.string().min(1) });

/** A `release` event of GitHub or the Gitea dialect, whose users differ. */
export function releaseEvent<U extends z.ZodType>(user: U) {
  return z.object({
    action: z.string().min(1),
    release: z.object({
      tag_name: z.string().min(1),
      name: z.string().nullish(),
      target_commitish: z.string().nullish(),
    }),
    repository,
    sender: user.nullish(),
  });
}

/** Just enough to name the repository of any event, for choosing the secret before normalising. */
const anyEventRepository = z.object({
  repository: z.object({ full_name: z.string().min(1) }).nullish(),
});

/** `repository.full_name` of any GitHub or Gitea-dialect event; undefined on odd shapes or org pings. */
export function readRepositoryFullName(payload: unknown): string | undefined {
  const parsed = anyEventRepository.safeParse(payload);
  return parsed.success ? (parsed.data.repository?.full_name ?? undefined) : undefined;
}
