// Signing as each forge does it (reference/forges.md), written independently of src/forges so
// that the tests check the service against the forges' rules, not against itself.

import { createHmac } from "node:crypto";

export function githubSignature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Gitea, Forgejo and Gogs: bare hex over the JSON text (inside the form field in form mode). */
export function giteaSignature(secret: string, json: string | Buffer): string {
  return createHmac("sha256", secret).update(json).digest("hex");
}

/**
 * GitLab with a signing token (Standard Webhooks): `v1,<base64 HMAC-SHA256>` over
 * `${id}.${timestamp}.${body}`, keyed with the base64-decoded part after `whsec_`.
 */
export function standardWebhookSignature(secret: string, id: string, timestamp: string, body: string | Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64")}`;
}
