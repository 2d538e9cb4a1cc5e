/**
 * The `[skip ci]`-style marker in a head commit message, as written there, or undefined. The same
 * markers GitHub Actions, GitLab CI and Gitea Actions honour, plus one for Laminar alone.
 * https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-workflow-runs/skipping-workflow-runs
 */
export function skipMarker(message: string | undefined): string | undefined {
  return message === undefined ? undefined : SKIP_MARKER.exec(message)?.[0];
}

const SKIP_MARKER = /\[(?:skip ci|ci skip|no ci|skip laminar)\]/i;
