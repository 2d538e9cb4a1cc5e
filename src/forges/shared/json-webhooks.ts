import type { ApiTarget } from "./api-target.ts";
import { boundedSignal, callJson } from "./call-json.ts";
import { nextPageUrl } from "./next-page.ts";
import type { RepositoryWebhooks, Webhook, WebhookClientOptions, WebhookDialect } from "./webhooks.ts";

const MAX_PAGES = 10;
const TIMEOUT_MS = 30_000;

/**
 * A repository's hooks through a plain JSON API (Gitea's family, GitLab): the forge gives its auth
 * header, the first page's path, its dialect and how it reads a hook; pages follow `Link: rel="next"`.
 */
export function jsonWebhooks<Raw>(
  forge: { label: string; auth: (token: string) => Record<string, string>; listPath: string; dialect: WebhookDialect; readHook: (raw: Raw) => Webhook },
  target: ApiTarget,
  repo: string,
  options: WebhookClientOptions,
): RepositoryWebhooks {
  const root = target.api.replace(/\/+$/, "");
  const call = (method: string, url: string, body?: Record<string, unknown>) => {
    const token = target.token.reveal();
    return callJson({
      fetch: options.fetch ?? fetch, method, url, headers: forge.auth(token), body,
      signal: boundedSignal(options.signal, options.timeoutMs ?? TIMEOUT_MS), token,
    });
  };
  return {
    async list() {
      const hooks: Raw[] = [];
      let url: string | undefined = `${root}${forge.listPath}`;
      for (let page = 1; url !== undefined && page <= MAX_PAGES; page += 1) {
        const { body, headers } = await call("GET", url);
        if (!Array.isArray(body)) throw new Error(`${forge.label} answered a list request with something else than a list`);
        hooks.push(...(body as Raw[]));
        url = nextPageUrl(headers.get("link") ?? undefined);
      }
      return hooks.map(forge.readHook);
    },
    async create(spec) {
      const request = forge.dialect.createRequest(repo, spec);
      return forge.readHook((await call(request.method, `${root}${request.path}`, request.body)).body as Raw);
    },
    async update(hook, spec) {
      const request = forge.dialect.updateRequest(repo, hook, spec);
      return forge.readHook((await call(request.method, `${root}${request.path}`, request.body)).body as Raw);
    },
  };
}
