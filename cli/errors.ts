/**
 * The CLI's typed failures. Each knows its exit code, so runCli (program.ts) maps them in one place:
 * 1 for API or network failures, 2 for usage and configuration mistakes the user can fix.
 */
export abstract class CliError extends Error {
  abstract readonly exitCode: 1 | 2 | 130;
  /** A second line under the error: what to check before trying again. */
  note: string | undefined;
}

/** The command line or the configuration is wrong; nothing was sent. */
export class UsageError extends CliError {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** What an error message ends with when the request was sent more than once. */
export const triedTimes = (attempts: number): string => (attempts > 1 ? ` (tried ${attempts} times)` : '');

/** The API answered with an error status. `apiMessage` and `code` come from its JSON body. */
export class ApiError extends CliError {
  readonly exitCode = 1;
  /** How many requests got this answer (retried reads: more than one). */
  readonly attempts: number;
  /** Where a redirect (3xx) points: its Location header. */
  readonly location: string | undefined;
  /** `ResolvedUrl.wrongApiHint` of the URL that answered, when the client was given it. */
  readonly wrongApiHint: string | undefined;
  /**
   * The body had the error shape of the API and of API Gateway's own answers, `{"message": ...}`;
   * an HTML error page of a proxy has not.
   */
  readonly apiShaped: boolean;
  constructor(
    readonly status: number,
    readonly apiMessage: string,
    readonly code: string | undefined,
    readonly url: string,
    {
      attempts = 1,
      location,
      wrongApiHint,
      apiShaped = true,
    }: {
      attempts?: number;
      location?: string | undefined;
      wrongApiHint?: string | undefined;
      apiShaped?: boolean;
    } = {},
  ) {
    super(`${apiMessage} (HTTP ${status}${code === undefined ? '' : ` ${code}`})`);
    this.name = 'ApiError';
    this.attempts = attempts;
    this.location = location;
    this.wrongApiHint = wrongApiHint;
    this.apiShaped = apiShaped;
  }
}

/** No usable HTTP answer: the server could not be reached, timed out, or hung up. */
export class NetworkError extends CliError {
  readonly exitCode = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

/** An answer came, but not one the whiteboard API gives: not JSON, the wrong shape, or too big. */
export class ResponseError extends CliError {
  readonly exitCode = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ResponseError';
  }
}

/**
 * Standard output could not be written (a full disk). `done` says what had already happened: a
 * post that was stored must say so, or posting again on exit 1 stores the message twice.
 */
export const outputFailure = (done: string | undefined, detail: string): string =>
  `${done === undefined ? 'cannot' : `${done}, but could not`} write the output: ${detail}`;

/** Writing standard output failed at once (cli/main.ts reports a later failure itself). */
export class OutputError extends CliError {
  readonly exitCode = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutputError';
  }
}

/** What the CLI's AbortSignal is aborted with when a signal stops the command (cli/main.ts). */
export class StoppedBySignal extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped by ${signal}`);
    this.name = 'AbortError';
  }
}

/**
 * The exit code of a command that was stopped: 128 + the signal's number, as a shell reports a
 * command that the signal killed (130 for Ctrl-C's SIGINT, 143 for SIGTERM), so that a script or a
 * CI runner tells the two apart. An abort for any other reason counts as Ctrl-C.
 */
export const interruptedExitCode = (reason: unknown): 130 | 143 =>
  reason instanceof StoppedBySignal && reason.signal === 'SIGTERM' ? 143 : 130;

/**
 * Ctrl-C or SIGTERM ended the command during a request; `note` says what may already have
 * happened. runCli exits with the code of the signal that stopped it (interruptedExitCode).
 */
export class InterruptedError extends CliError {
  readonly exitCode = 130;
  constructor(options?: { cause?: unknown }) {
    super('interrupted', options);
    this.name = 'InterruptedError';
  }
}
