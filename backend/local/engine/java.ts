/**
 * Finding Java for DynamoDB Local: runs `java -version` and reads the feature release from its
 * output, so that 'auto' can choose DynamoDB Local (Java 17+) or fall back to dynalite,
 * and the bench can refuse to run without it.
 */
import { execFile } from 'node:child_process';

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

/** Runs `<command> -version`; undefined when no runnable Java is there. */
export const detectJava = (command = 'java'): Promise<JavaInfo | undefined> =>
  new Promise((resolve) => {
    execFile(command, ['-version'], { timeout: 15_000, windowsHide: true }, (error, stdout, stderr) => {
      const parsed = parseJavaVersion(`${stderr}\n${stdout}`);
      resolve(error === null && parsed !== undefined ? { command, ...parsed } : undefined);
    });
  });
