// Real git for the catch-up tests: bare repositories in a temp folder, reached as file:// remotes,
// and a working clone that commits and pushes with real git commands.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export interface GitRemote {
  /** The bare repository's folder. */
  bare: string;
  /** file:// URL of the bare repository, as `poll:` names it. */
  url: string;
  /** Runs git in the working clone; returns its trimmed output. */
  git(...args: string[]): string;
  /** A new commit on the current branch; returns its id. */
  commit(message: string): string;
  /** The commit id of a ref in the working clone. */
  rev(ref: string): string;
}

export interface GitKit {
  dir: string;
  env: NodeJS.ProcessEnv;
  remote(name: string): GitRemote;
  remove(): void;
}

/** git's own identity and no user or system config, so that the machine's settings cannot leak in. */
export function createGitKit(): GitKit {
  const dir = mkdtempSync(join(tmpdir(), "lh-git-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "Test Pusher",
    GIT_AUTHOR_EMAIL: "pusher@example.com",
    GIT_COMMITTER_NAME: "Test Pusher",
    GIT_COMMITTER_EMAIL: "pusher@example.com",
    GIT_TERMINAL_PROMPT: "0",
  };
  const run = (cwd: string, args: string[]) => execFileSync("git", args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  return {
    dir,
    env,
    remote(name) {
      const bare = join(dir, `${name}.git`);
      const work = join(dir, `${name}-work`);
      run(dir, ["init", "--quiet", "--bare", "--initial-branch=main", bare]);
      run(dir, ["init", "--quiet", "--initial-branch=main", work]);
      const url = pathToFileURL(bare).href;
      run(work, ["remote", "add", "origin", url]);
      let count = 0;
      const git = (...args: string[]) => run(work, args);
      return {
        bare,
        url,
        git,
        commit(message) {
          count += 1;
          git("commit", "--quiet", "--allow-empty", "-m", `${message} (${count})`);
          return git("rev-parse", "HEAD");
        },
        rev: (ref) => git("rev-parse", ref),
      };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
