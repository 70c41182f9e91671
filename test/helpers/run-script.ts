import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Variables under which a Node.js process says it is 18.20.4, older than package.json's `engines`
 * (older-node.cjs, preloaded): for the tests of what each command then does.
 */
export const OLDER_NODE_ENV: NodeJS.ProcessEnv = {
  // Quoted, backslashes escaped, as NODE_OPTIONS reads a value: a clone's path may hold spaces.
  NODE_OPTIONS: `--require ${JSON.stringify(fileURLToPath(new URL('./older-node.cjs', import.meta.url)))}`,
};

export interface Ended {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command` with `args` to its end, from `cwd` (the repository's root unless given), with the
 * variables `env` on top of this process's: its exit code, standard output and error, all of them
 * (the end is when its output closes, not only when it exits: npm's script, a process of its own,
 * may still be writing). One that still runs after `interruptAfterMs` gets a SIGINT, as Ctrl-C
 * would send.
 */
export const runCommand = (
  command: string,
  args: readonly string[],
  { env = {}, cwd = root, interruptAfterMs = 60_000 }: RunOptions = {},
): Promise<Ended> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGINT'), interruptAfterMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly interruptAfterMs?: number;
}

/**
 * Runs a TypeScript script of the repository (`node --import tsx <script> ...args`) to its end, as
 * runCommand does.
 */
export const runScript = (
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  interruptAfterMs = 60_000,
): Promise<Ended> =>
  runCommand(process.execPath, ['--import', 'tsx', script, ...args], { env, interruptAfterMs });

/**
 * Starts a TypeScript script of the repository (`node --import tsx <script> ...args`) from a
 * parent process that is then killed outright (SIGKILL, once the script's output has `readyText`),
 * as npm's shell is: the script is orphaned, and nothing ran to stop it. Its pid, and what it
 * printed on standard output so far.
 */
export const startOrphaned = async (
  script: string,
  args: readonly string[],
  readyText: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ readonly pid: number; readonly output: () => string }> => {
  const launcher = [
    "const { spawn } = require('node:child_process');",
    `const child = spawn(process.execPath, ${JSON.stringify(['--import', 'tsx', script, ...args])},`,
    "  { stdio: ['ignore', 'inherit', 'inherit'] });",
    "console.log('pid ' + child.pid);",
  ].join('\n');
  const parent = spawn(process.execPath, ['-e', launcher], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let output = '';
  const pid = await new Promise<number>((resolve, reject) => {
    parent.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /pid (\d+)/.exec(output);
      if (found && output.includes(readyText)) resolve(Number(found[1]));
    });
    parent.once('exit', () => reject(new Error(`the parent ended first:\n${output}`)));
  });
  parent.kill('SIGKILL');
  return { pid, output: () => output };
};
