/**
 * The command lines of `npm start` (main.ts) and `npm run bench` (bench/run.ts): strict options
 * plus `-h`/`--help`, and failures as one line on stderr, no stack trace, with the exit code: 2 for
 * a usage error, with a pointer to --help, 1 for a failure to run (a Node.js older than
 * package.json's `engines` among them: ../supported-node.ts).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { exitIfUnsupportedNode } from '../supported-node.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Ends the process with `message` on one line. The callers declare it with this type: a call to a
 * function that returns `never` narrows types only when its declaration carries its type.
 */
export type Fail = (message: string, code?: 1 | 2) => never;

/** Parses process.argv for `command` (as the user typed it, e.g. `npm start`). */
export const commandLine = <const O extends Options>(command: string, help: string, options: O) => {
  // Before the options: on an older Node.js, that is the one thing to say.
  exitIfUnsupportedNode(command);
  const fail: Fail = (message, code = 2) => {
    process.stderr.write(`${command}: ${message}\n`);
    if (code === 2) process.stderr.write(`(run \`${command} -- --help\` for the options)\n`);
    process.exit(code);
  };
  const parse = () => {
    try {
      return parseArgs({
        options: { ...options, help: { type: 'boolean', short: 'h' } } as const,
        strict: true,
        allowPositionals: false,
      }).values;
    } catch (error) {
      return fail((error as Error).message);
    }
  };
  const args = parse();
  if ((args as { help?: boolean }).help === true) {
    process.stdout.write(help);
    process.exit(0);
  }
  return { args, fail };
};
