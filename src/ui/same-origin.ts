// Whether a form post came from a page of this origin. A browser sends basic credentials along with
// a cross-site form post, so the signed-in operator's browser would act for any site that posts to
// us. Browsers say where a request came from in `Sec-Fetch-Site`, which a page cannot set: only
// `same-origin` may act (two ports of one host are `same-site`, and so are refused). `Origin` is
// checked too when the browser gives one, but `null` is taken: the page sets
// `Referrer-Policy: no-referrer`, under which Chromium sends `Origin: null` with its own form posts.
// Pure: the headers and the origin the request was made to in, a refusal's words out.

/** Why this post may not act, or undefined when it came from this origin. */
export function crossOriginRefusal(headers: { secFetchSite: string; origin: string }, ownOrigin: string): string | undefined {
  const site = headers.secFetchSite.trim().toLowerCase();
  if (site === "") {
    return "the browser did not say where this form came from (no Sec-Fetch-Site header); act from the deliveries page in a current browser";
  }
  if (site !== "same-origin") return `a form from another origin (Sec-Fetch-Site: ${site}) cannot act; use the deliveries page itself`;
  const origin = headers.origin.trim();
  if (origin !== "" && origin !== "null" && origin.toLowerCase() !== ownOrigin.toLowerCase()) {
    return `a form from ${origin} cannot act; use the deliveries page itself`;
  }
  return undefined;
}
