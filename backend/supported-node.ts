/**
 * The oldest Node.js the project's commands run on: package.json's `engines` (a test holds the
 * two together), checked as each command starts (`npm start`, `npm test`, `npm run bench`, the
 * `whiteboard` CLI).
 *
 * Why check: npm only warns when `engines` is not met ("Unless the user has set the engine-strict
 * config flag, this field is advisory only": npm Docs, package.json, "engines"), and on an older
 * Node.js the commands start, then fail deep inside. On Node.js 18 the local stack printed its
 * banner and answered every request 500 (`process.getBuiltinModule is not a function`: Node.js
 * 20.16 on), and the CLI ended with `unexpected failure: ReferenceError: crypto is not defined`.
 * The deployed functions run on Lambda's Node.js (infra/), whatever the machine that deploys them
 * runs.
 */

export const MINIMUM_NODE = '20.18.0';

const parts = (version: string): number[] => {
  const numbers = version.split('-')[0]?.split('.', 3) ?? [];
  return [0, 1, 2].map((i) => Number.parseInt(numbers[i] ?? '0', 10) || 0);
};

/** Why this Node.js cannot run the project's commands, or undefined when it can. */
export const unsupportedNode = (version: string = process.versions.node): string | undefined => {
  const have = parts(version);
  const need = parts(MINIMUM_NODE);
  const index = need.findIndex((part, i) => have[i] !== part);
  // As npm reads `>=20.18.0`: a pre-release of 20.18.0 (20.18.0-rc.1) comes before it.
  const newer = index === -1 ? !version.includes('-') : (have[index] ?? 0) > (need[index] ?? 0);
  if (newer) return undefined;
  return (
    `Node.js ${version} (${process.execPath}) is older than whiteboard supports: it needs ` +
    `${MINIMUM_NODE} or newer. Install a newer one (https://nodejs.org), then run the command again`
  );
};

/**
 * Ends the process with exit code 1 and one line, `<prefix>: <why>`, on an older Node.js: the
 * prefix is the command as typed (`npm start`), or `error` for the CLI, whose error lines start so.
 */
export const exitIfUnsupportedNode = (prefix: string): void => {
  const why = unsupportedNode();
  if (why === undefined) return;
  process.stderr.write(`${prefix}: ${why}\n`);
  process.exit(1);
};
