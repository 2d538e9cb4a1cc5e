/** What a forge's 401, 403 or 404 to a token's request means, in the words every command uses. */
export function refusalWhy(status: number): string {
  return status === 401 ? "the token is not valid" : status === 404 ? "no such repository, or the token cannot see it" : "the token may not do this";
}
