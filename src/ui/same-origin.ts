// Whether a form post came from a page of this origin. A browser sends basic credentials along with
// a cross-site form post, so the signed-in operator's browser would act for any site that posts to
// us. Browsers say where a request came from in `Sec-Fetch-Site`, which no page can set: only
// `same-origin` acts (two ports of one host are `same-site`, and are refused). `Origin`, when given,
// must be this origin; `null` is taken beside `Sec-Fetch-Site: same-origin` because Chromium sends it
// for a page's own posts under `Referrer-Policy: no-referrer` (the page now sets `same-origin`, but a
// proxy may set its own policy). Chromium sends no `Sec-Fetch-Site` to a plain-HTTP origin that is
// not loopback: then `Origin` alone decides, and must be exactly this origin.
// Pure: the headers and the origin the request was made to in, a refusal's words out.

/** Why this post may not act, or undefined when it came from this origin. */
export function crossOriginRefusal(headers: { secFetchSite: string; origin: string }, ownOrigin: string): string | undefined {
  const site = headers.secFetchSite.trim().toLowerCase();
  const origin = headers.origin.trim();
  const sameOrigin = origin.toLowerCase() === ownOrigin.toLowerCase();
  if (site === "") {
    if (sameOrigin) return undefined;
    return origin === "" || origin === "null"
      ? "the browser did not say where this form came from (no Sec-Fetch-Site, no Origin); act from the deliveries page in a current browser"
      : `a form from ${origin} cannot act; use the deliveries page itself`;
  }
  if (site !== "same-origin") return `a form from another origin (Sec-Fetch-Site: ${site}) cannot act; use the deliveries page itself`;
  if (origin !== "" && origin !== "null" && !sameOrigin) return `a form from ${origin} cannot act; use the deliveries page itself`;
  return undefined;
}
