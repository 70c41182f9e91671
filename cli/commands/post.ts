import { lengthProblem, limits } from '../api.ts';
import { CliError, InterruptedError, OutputError, outputFailure, UsageError } from '../errors.ts';
import { mayHaveArrived } from '../network-failure.ts';
import { formatTime, relativeTime, safeJson, sanitizeInline } from '../output.ts';
import { type CommandContext, type PostOptions, suggestedRead } from '../program.ts';

/** Standard input is only read for `--text -`; the API takes 2000 characters, so 64 KiB is plenty. */
const STDIN_MAX_BYTES = 64 * 1024;

export const runPost = async (context: CommandContext, options: PostOptions): Promise<void> => {
  const { api, deps, styles, out } = context;
  try {
    // Trimmed, as the API trims them: spaces around a text do not count, and are not sent either
    // (a text of a few words and pages of trailing blank lines would be a body over the API's limit).
    const author = options.author.trim();
    if (author === '') throw new UsageError('--author must not be empty');
    notReplaced('--author', author);
    checkLength('--author', author, limits.authorMaxChars);
    const text = (options.text === '-' ? await readTextFromStdin(context) : options.text).trim();
    if (text === '') {
      throw new UsageError(options.text === '-' ? 'standard input held no text' : '--text must not be empty');
    }
    if (options.text !== '-') notReplaced('--text', text);
    checkLength(options.text === '-' ? 'the text on standard input' : '--text', text, limits.textMaxChars);
    const { raw, message } = await api.post(options.board, { author, text }).catch((error: unknown) => {
      // Posting again after a failure, or after Ctrl-C while the request was out, could store
      // the message twice: say how to check first.
      const check = suggestedRead(context, options.board);
      const note = `the message may have been stored; check with \`${check}\` before posting again`;
      if (deps.signal?.aborted) throw Object.assign(new InterruptedError({ cause: error }), { note });
      if (error instanceof CliError && mayHaveArrived(error)) error.note = note;
      throw error;
    });
    const done = `posted ${sanitizeInline(message.id, 64)}`;
    deps.setDone?.(done);
    const time = Date.parse(message.createdAt);
    const ago = Number.isNaN(time) ? '' : ` (${relativeTime(time, deps.now())})`;
    const output = options.json
      ? `${safeJson(raw, 2)}\n`
      : `${styles.success('Posted')} to ${sanitizeInline(message.board, 64)} as ${styles.author(sanitizeInline(message.author, 64))}\n` +
        `  ${styles.dim('id  ')}  ${sanitizeInline(message.id, 64)}\n` +
        `  ${styles.dim('time')}  ${formatTime(message.createdAt)}${styles.time(ago)}\n`;
    try {
      out(output);
    } catch (error) {
      throw new OutputError(outputFailure(done, (error as Error).message), { cause: error });
    }
  } finally {
    await context.client.close();
  }
};

/**
 * The API's length rule, checked before sending: the API would say the same, but a value many
 * times too long makes a body over its byte limit, and the answer is then a 413 about bytes.
 */
const checkLength = (name: string, trimmed: string, maxChars: number): void => {
  const problem = lengthProblem(name, trimmed, maxChars);
  if (problem !== undefined) throw new UsageError(problem);
};

const readTextFromStdin = async ({ deps, errStyles }: CommandContext): Promise<string> => {
  if (deps.stdinIsTTY)
    deps.stderr.write(`${errStyles.dim('Type the message, then Ctrl-D on a new line.')}\n`);
  const text = await deps.readStdin(STDIN_MAX_BYTES);
  if (Buffer.byteLength(text) > STDIN_MAX_BYTES) {
    throw new UsageError(
      `standard input is longer than ${STDIN_MAX_BYTES} bytes; a message holds at most ${limits.textMaxChars} characters`,
    );
  }
  return text;
};

/**
 * Node.js turns each byte of an argument that is not UTF-8 into U+FFFD: posted, the text would be
 * changed. Such an argument cannot be told from one that holds U+FFFD itself, which standard input
 * (checked as bytes) still takes.
 */
const notReplaced = (option: string, value: string): void => {
  if (value.includes('\uFFFD')) {
    throw new UsageError(
      `${option} holds U+FFFD (\uFFFD), what Node.js makes of bytes that are not UTF-8: check the terminal's encoding (locale), or pass the text on standard input with --text -`,
    );
  }
};
