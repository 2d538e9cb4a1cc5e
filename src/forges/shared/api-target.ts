import type { Secret } from "../../config/secret.ts";

/** Where a forge's API is and the token it takes: every client's first argument. */
export interface ApiTarget {
  /** The API root: https://api.github.com (GHES https://HOST/api/v3), https://HOST/api/v1, https://HOST/api/v4. */
  api: string;
  token: Secret;
}
