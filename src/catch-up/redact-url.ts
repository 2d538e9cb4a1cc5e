/**
 * A git remote as it may be logged, shown and given to jobs: without the userinfo of a URL, which
 * may hold a password or a token (`https://oauth2:TOKEN@gitlab.example.com/…`,
 * `https://TOKEN@github.com/…`). An `ssh://` user without a password is a login name and stays, as
 * does scp-like `git@host:path`, which cannot carry a password.
 */
export function redactUrl(remote: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*@)(.*)$/i.exec(remote);
  if (!match) return remote;
  const [, scheme = "", userinfo = "", rest = ""] = match;
  const keepsUser = /^ssh:\/\//i.test(scheme) || /^git\+ssh:\/\//i.test(scheme);
  if (keepsUser && !userinfo.slice(0, -1).includes(":")) return remote;
  const user = userinfo.slice(0, -1).split(":")[0] ?? "";
  return keepsUser && user !== "" ? `${scheme}${user}@${rest}` : `${scheme}${rest}`;
}
