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
  const taken = takenByNpm(options, process.env);
  if (taken.length > 0) {
    const named = taken.map(({ flag }) => flag).join(' and ');
    const what = taken.length === 1 ? 'a setting' : 'settings';
    // `--no-in-memory` (npm's negation: `npm_config_in_memory=`) asks for what is the default.
    const passed = taken.filter(({ negated }) => negated !== true);
    const given = passed.map(({ flag, value }) => (value === undefined ? flag : `${flag} ${value}`));
    const fix =
      given.length === 0
        ? 'leave it out, as it asks for the default'
        : `options go after --, as in \`${command} -- ${given.join(' ')}\``;
    fail(`npm took ${named} as ${what} of its own: ${fix}`);
  }
  const parse = () => {
    try {
      return parseArgs({
        options: { ...options, help: { type: 'boolean', short: 'h' } } as const,
        strict: true,
        allowPositionals: false,
      }).values;
    } catch (error) {
      // npm passes on the value of an option of its own written before -- (`npm start --engine
      // dynalite`: npm reads --engine as its --engine-strict, and passes `dynalite` on).
      const npmHint =
        (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' &&
        process.env.npm_lifecycle_event !== undefined
          ? `; an option written before -- is npm's, not the script's: \`${command} -- <options>\``
          : '';
      return fail(`${(error as Error).message}${npmHint}`);
    }
  };
  const args = parse();
  if ((args as { help?: boolean }).help === true) {
    process.stdout.write(help);
    process.exit(0);
  }
  return { args, fail };
};

/**
 * The options of `options` that npm read as settings of its own: npm passes a script only what
 * follows `--` ("npm will pass all the arguments after the -- directly to your script",
 * https://docs.npmjs.com/cli/v11/commands/npm-run-script). `npm start --in-memory` sets
 * `npm_config_in_memory=true` in the script's environment instead, with a warning ("Unknown cli
 * config") that scrolls away, and the stack would start on the saved data where the user asked for
 * none. Written `--port=4000`, the value is npm's too; written `--port 4000`, npm takes the option
 * as `true` and passes `4000` on, which parseArgs would refuse with no word on the cause.
 */
const takenByNpm = (
  options: Options,
  env: NodeJS.ProcessEnv,
): readonly { flag: string; value?: string; negated?: boolean }[] => {
  if (env.npm_lifecycle_event === undefined) return [];
  return Object.entries(options).flatMap(([name, option]) => {
    const value = env[`npm_config_${name.replaceAll('-', '_')}`];
    if (value === undefined) return [];
    if (option.type === 'boolean') {
      return value === '' || value === 'false'
        ? [{ flag: `--no-${name}`, negated: true }]
        : [{ flag: `--${name}` }];
    }
    return [{ flag: `--${name}`, value: value === 'true' ? '<value>' : value }];
  });
};
