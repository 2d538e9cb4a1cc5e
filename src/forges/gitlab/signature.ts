// GitLab proves a delivery in one of two ways: the hook's secret token, sent as is in
// X-Gitlab-Token (compared in constant time), or, with a signing token, a Standard Webhooks
// signature over the body. A delivery passes with either.
// https://docs.gitlab.com/user/project/integrations/webhooks/#create-a-webhook

import type { Secret } from "../../config/secret.ts";
import type { Headers, IncomingDelivery } from "../../types.ts";
import { headerValue } from "../shared/read-header.ts";
import { hasStandardWebhookSignature, verifyStandardWebhookSignature } from "./standard-webhooks.ts";

const TOKEN_HEADER = "X-Gitlab-Token";

export function hasGitLabSignature(headers: Headers): boolean {
  return headerValue(headers, TOKEN_HEADER) !== undefined || hasStandardWebhookSignature(headers);
}

export function verifyGitLabSignature(delivery: IncomingDelivery, secret: Secret): boolean {
  const token = headerValue(delivery.headers, TOKEN_HEADER);
  if (token !== undefined && secret.equals(token)) return true;
  return verifyStandardWebhookSignature(delivery.headers, delivery.rawBody, secret);
}
