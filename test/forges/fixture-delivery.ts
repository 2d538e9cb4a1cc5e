// Builds what the HTTP layer hands a forge, from the real payloads in test/fixtures/payloads and
// the header sets each forge really sends (lower-cased, as Node gives them).

import { readFileSync } from "node:fs";
import { Secret } from "../../src/config/secret.ts";
import type { Headers, IncomingDelivery } from "../../src/types.ts";

const PAYLOADS = new URL("../fixtures/payloads/", import.meta.url);

/** The exact text of a fixture file: `github/push-5.json`. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(name, PAYLOADS), "utf8");
}

/** A fixture parsed, for payloads a test alters. */
export function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(fixtureText(name)) as Record<string, unknown>;
}

/** An `application/json` delivery whose body is `text`. */
export function jsonDelivery(headers: Headers, text: string): IncomingDelivery {
  return { headers, rawBody: Buffer.from(text, "utf8"), payload: JSON.parse(text), payloadText: text, contentType: "json" };
}

/** An `application/x-www-form-urlencoded` delivery: `payload=<urlencoded JSON>`, as Go's url.Values encodes it. */
export function formDelivery(headers: Headers, text: string): IncomingDelivery {
  const body = new URLSearchParams({ payload: text }).toString();
  return { headers, rawBody: Buffer.from(body, "utf8"), payload: JSON.parse(text), payloadText: text, contentType: "form" };
}

export function secret(value: string): Secret {
  return new Secret(value, "test");
}

const DELIVERY = "f5b6c2e0-5d8c-11ef-8a7b-3c5d1e2f4a6b";

/** https://docs.github.com/en/webhooks/webhook-events-and-payloads#delivery-headers */
export function githubHeaders(event: string, signature256?: string): Record<string, string> {
  return {
    "user-agent": "GitHub-Hookshot/044aadd",
    "content-type": "application/json",
    "x-github-hook-id": "292430182",
    "x-github-event": event,
    "x-github-delivery": DELIVERY,
    "x-github-hook-installation-target-type": "repository",
    "x-github-hook-installation-target-id": "79929171",
    ...(signature256 === undefined ? {} : { "x-hub-signature-256": signature256, "x-hub-signature": "sha1=unused" }),
  };
}

/**
 * Gitea's deliver.go: its own headers plus X-Gogs-*, X-GitHub-* and X-Hub-Signature*, the
 * signatures empty (and the X-Hub ones bare prefixes) when the hook has no secret.
 */
export function giteaHeaders(event: string, signature = "", eventType = event): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-gitea-delivery": DELIVERY,
    "x-gitea-event": event,
    "x-gitea-event-type": eventType,
    "x-gitea-signature": signature,
    "x-gogs-delivery": DELIVERY,
    "x-gogs-event": event,
    "x-gogs-event-type": eventType,
    "x-gogs-signature": signature,
    "x-hub-signature": "sha1=",
    "x-hub-signature-256": `sha256=${signature}`,
    "x-github-delivery": DELIVERY,
    "x-github-event": event,
    "x-github-event-type": eventType,
  };
}

/** Forgejo's AddDefaultHeaders: X-Forgejo-* and every Gitea header. */
export function forgejoHeaders(event: string, signature = "", eventType = event): Record<string, string> {
  return {
    "x-forgejo-delivery": DELIVERY,
    "x-forgejo-event": event,
    "x-forgejo-event-type": eventType,
    "x-forgejo-signature": signature,
    ...giteaHeaders(event, signature, eventType),
  };
}

/** Gogs sends only its own three. */
export function gogsHeaders(event: string, signature = ""): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-gogs-delivery": DELIVERY,
    "x-gogs-event": event,
    "x-gogs-signature": signature,
  };
}

/** https://docs.gitlab.com/user/project/integrations/webhooks/#delivery-headers */
export function gitlabHeaders(event: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "content-type": "application/json",
    "user-agent": "GitLab/17.5.0",
    "x-gitlab-event": event,
    "x-gitlab-event-uuid": "13792a34-cac6-4fda-95a8-c58e00a3954e",
    "x-gitlab-webhook-uuid": "5a1e8a3c-1b2d-4c5e-9f7a-2b3c4d5e6f70",
    "x-gitlab-instance": "https://gitlab.example.com",
    "idempotency-key": "f5e5f430-f57b-4e6e-9fac-d9128cd7232f",
    ...extra,
  };
}
