/**
 * Finding Java for DynamoDB Local: runs `java -version` and reads the feature release from its
 * output, so that 'auto' can choose DynamoDB Local (Java 17+) or fall back to dynalite,
 * and the bench can refuse to run without it.
 */
import { type ExecFileException, execFile } from 'node:child_process';

export const MIN_JAVA_MAJOR = 17;

export interface JavaInfo {
  readonly command: string;
  /** Feature release: 17 for "17.0.15", 8 for "1.8.0_391". */
  readonly major: number;
  readonly version: string;
}

/** Reads the version from `java -version` output (it goes to stderr). */
export const parseJavaVersion = (output: string): { major: number; version: string } | undefined => {
  const match = /version "((\d+)(?:\.(\d+))?[^"]*)"/.exec(output);
  if (match === null) return undefined;
  const [, version = '', first = '', second] = match;
  // Up to Java 8 the scheme was 1.<major>; from 9 on (JEP 223) the major comes first.
  const major = first === '1' && second !== undefined ? Number(second) : Number(first);
  return Number.isFinite(major) ? { major, version } : undefined;
};

/** Why `<command> -version` gave no Java version, said after "tried `<command> -version`: ". */
export interface NoJava {
  readonly command: string;
  readonly problem: string;
}

export const isJava = (probe: JavaInfo | NoJava): probe is JavaInfo => 'major' in probe;

/** How long `java -version` may take. A JVM answers it in well under a second; a stuck wrapper never does. */
export const JAVA_VERSION_TIMEOUT_MS = 15_000;

/**
 * Runs `<command> -version`. When it gives no version, says why: no such command, no answer in
 * time (a wrapper waiting on something), an exit code with the first line it printed, or output
 * without a version. "No runnable Java" alone sent people looking for a Java they had. The time
 * limit is kept here, not by execFile's `timeout`, which only signals the child and then waits for
 * its output to close: a wrapper that ignores the signal, or a process it started that holds the
 * output open, would make the start wait on without end.
 */
export const detectJava = (
  command = 'java',
  timeoutMs = JAVA_VERSION_TIMEOUT_MS,
): Promise<JavaInfo | NoJava> =>
  new Promise((resolve) => {
    const child = execFile(command, ['-version'], { windowsHide: true }, (error, stdout, stderr) => {
      clearTimeout(timer);
      const parsed = parseJavaVersion(`${stderr}\n${stdout}`);
      if (error === null && parsed !== undefined) return resolve({ command, ...parsed });
      resolve({ command, problem: javaProblem(error, stderr) });
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({ command, problem: `no answer within ${timeoutMs / 1000} s` });
    }, timeoutMs);
  });

const javaProblem = (error: ExecFileException | null, stderr: string): string => {
  if (error === null) return 'no version in its output';
  if (error.code === 'ENOENT') return 'no such command';
  if (typeof error.code === 'number') {
    const said = stderr.split('\n').find((line) => line.trim() !== '');
    return `exit code ${error.code}${said === undefined ? '' : `: ${said.trim().slice(0, 200)}`}`;
  }
  return error.signal ? `ended by ${error.signal}` : error.message;
};
