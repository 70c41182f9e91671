/**
 * The command line as the CLI reads it before commander does. Connection options written before the
 * command move after it (commandFirst), and the mistakes that commander would misread, or report
 * with no hint of the fix, become one usage error each (readCommandLine).
 */
import type { Command, Option } from 'commander';
import { BOARD_PATTERN } from './api.ts';

const HELP_OR_VERSION = new Set(['-h', '--help', '-V', '--version']);

/** The connection options, with whether each takes a value: every command has them. */
const CONNECTION_OPTIONS: ReadonlyMap<string, boolean> = new Map([
  ['--url', true],
  ['--timeout', true],
  ['--retries', true],
  ['--no-color', false],
  ['--verbose', false],
]);

/** A connection option written before the command, with the word after it taken as its value. */
interface LeadingOption {
  readonly name: string;
  /** The word after the option, when the option takes its value from there. */
  readonly nextWord?: string | undefined;
}

/** The connection options the first words of `argv` are, and how many words they take. */
const leadingConnectionOptions = (
  argv: readonly string[],
): { readonly options: readonly LeadingOption[]; readonly words: number } => {
  const options: LeadingOption[] = [];
  let index = 0;
  while (index < argv.length) {
    const [name = '', inline] = (argv[index] as string).split(/=(.*)/s, 2);
    const takesValue = CONNECTION_OPTIONS.get(name);
    if (takesValue === undefined) break;
    const valueFollows = takesValue && inline === undefined;
    options.push(valueFollows ? { name, nextWord: argv[index + 1] } : { name });
    index += valueFollows ? 2 : 1;
  }
  return { options, words: index };
};

/** The word after the leading connection options, when it can be a command. */
const commandAfter = (argv: readonly string[], leading: number): string | undefined => {
  const command = argv[leading];
  return command === undefined || command.startsWith('-') ? undefined : command;
};

/**
 * `whiteboard --url <u> read` as `whiteboard read --url <u>`: connection options written before
 * the command, as many CLIs take them (`aws --profile p s3 ls`), are moved after it. Only when a
 * command follows them; anything else is left for commander to judge.
 */
export const commandFirst = (
  argv: readonly string[],
  leading = leadingConnectionOptions(argv).words,
): readonly string[] => {
  const command = commandAfter(argv, leading);
  if (leading === 0 || command === undefined) return argv;
  // `whiteboard --verbose help read` is `whiteboard help read`: help has no connection to make.
  if (command === 'help') return argv.slice(leading);
  return [command, ...argv.slice(0, leading), ...argv.slice(leading + 1)];
};

/** An option's name as written, without an `=value` joined to it. */
const optionName = (word: string): string => word.split('=', 1)[0] as string;

const flagsOf = (option: Option): string[] =>
  [option.long, option.short].filter((flag): flag is string => flag !== undefined);

/**
 * The end of a "needs a value" error: how to give `word` as the value of `name`, when the option
 * would take it. `--limit=--json` or `--timeout=read` would only earn the next error.
 */
const valueForm = (options: readonly Option[], name: string, word: string): string => {
  const parse = options.find((option) => flagsOf(option).includes(name))?.parseArg;
  try {
    parse?.(word, undefined);
  } catch {
    return '';
  }
  return ` (to mean it as the value, write ${name}=${word})`;
};

/** A word of a command line after its command, as commander reads it. */
interface CommandWord {
  readonly word: string;
  /** An option; the value of the option before it; a word that is neither (commander: an argument). */
  readonly role: 'option' | 'value' | 'argument';
}

/**
 * The words after the command (`words` has its command first: commandFirst), walked as commander
 * reads them: an option that needs a value takes the next word, whatever it is, and a `--` of its
 * own ends the options.
 */
const commandWords = (command: Command, words: readonly string[]): CommandWord[] => {
  const needsValue = new Set(command.options.filter((option) => option.required).flatMap(flagsOf));
  const read: CommandWord[] = [];
  let options = true;
  for (let index = 1; index < words.length; index++) {
    const word = words[index] as string;
    if (options && word === '--') {
      options = false;
      continue;
    }
    if (!options || !word.startsWith('-') || word === '-') {
      read.push({ word, role: 'argument' });
      continue;
    }
    read.push({ word, role: 'option' });
    const next = words[index + 1];
    if (needsValue.has(word) && next !== undefined) {
      read.push({ word: next, role: 'value' });
      index++;
    }
  }
  return read;
};

/**
 * What commander would misread in a command's words, or refuse in words that do not help. Returns
 * the usage error, if any.
 * - `--board --json`: commander takes the word after an option that needs a value as its value,
 *   even when that word is another option of the command, or `--`, so the user who left out the
 *   board got board "--json" and no JSON, or a message whose text is "--json". Such a value must
 *   be written `--board=--json`.
 * - `--text hello world`: commander says "too many arguments"; the user left out the quotes.
 */
const commandLineProblem = (program: Command, words: readonly string[], self: string): string | undefined => {
  const command = program.commands.find((candidate) => candidate.name() === words[0]);
  if (command === undefined) return undefined;
  const optionNames = new Set([...command.options.flatMap(flagsOf), ...HELP_OR_VERSION]);
  const read = commandWords(command, words);
  for (const [index, { word, role }] of read.entries()) {
    if (role !== 'value' || (word !== '--' && !optionNames.has(optionName(word)))) continue;
    const option = read[index - 1]?.word as string;
    const what = word === '--' ? '-- ends the options' : `${word} is an option`;
    return `${option} needs a value, and ${what}${valueForm(command.options, option, word)}`;
  }
  // Help shows whatever else the line holds.
  if (read.some(({ word, role }) => role === 'option' && HELP_OR_VERSION.has(word))) return undefined;
  // An unknown option, commander names, with a suggestion (`--autor`: "Did you mean --author?").
  // It checks the required options first, and would say that `--author` is missing, which for a
  // misspelt one sends the user the wrong way: so they are not required of a line that commander
  // is to refuse anyway.
  if (read.some(({ word, role }) => role === 'option' && !optionNames.has(optionName(word)))) {
    for (const option of command.options) option.makeOptionMandatory(false);
    return undefined;
  }
  // `whiteboard post help`: the help was meant, whatever else is missing (but `--text hello help`
  // is a text of several words, below).
  const helpAt = read.findIndex(({ word, role }) => role === 'argument' && word === 'help');
  if (helpAt !== -1 && !(read[helpAt - 2]?.word === '--text' && read[helpAt - 1]?.role === 'value')) {
    return `unexpected word help: for the help of ${command.name()}, ${self} ${command.name()} --help`;
  }
  // Commander names the first required option missing, and the next only at the next try.
  const given = new Set(read.filter(({ role }) => role === 'option').map(({ word }) => optionName(word)));
  const missing = command.options.filter(
    (option) => option.mandatory && !flagsOf(option).some((flag) => given.has(flag)),
  );
  if (missing.length > 1) {
    const names = missing.map((option) => `'${option.flags}'`);
    return `required options ${names.slice(0, -1).join(', ')} and ${names.at(-1)} not specified`;
  }
  const stray = read.findIndex(({ role }) => role === 'argument');
  if (stray === -1) return undefined;
  const { word } = read[stray] as CommandWord;
  const [option, value] = [read[stray - 2], read[stray - 1]];
  if (option?.word === '--text' && value?.role === 'value') {
    const next = read.slice(stray).findIndex(({ role }) => role !== 'argument');
    const rest = read.slice(stray, next === -1 ? undefined : stray + next).map((argument) => argument.word);
    // Single quotes: in double ones a shell would still expand $ and backquotes.
    const quoted = `'${[value.word, ...rest].join(' ').replaceAll("'", "'\\''")}'`;
    return `unexpected word ${word}: a text of several words goes in quotes (--text ${quoted})`;
  }
  const boardGiven = read.some((given) => given.role === 'option' && optionName(given.word) === '--board');
  // A word that looks like an option (`read -- --json`, `read -`) is no board name a user meant,
  // though the rule allows it.
  const board =
    command.name() === 'read' && !boardGiven && BOARD_PATTERN.test(word) && !word.startsWith('-')
      ? `for a board: --board ${word}; `
      : '';
  return `unexpected word ${word}: ${command.name()} takes options only (${board}a value with spaces goes in quotes)`;
};

/**
 * `whiteboard --json read`: an option of the commands, other than the connection options
 * (commandFirst), written before the command. Commander would call it unknown.
 */
const commandOptionFirst = (
  program: Command,
  given: readonly string[],
  at: number,
  self: string,
): string | undefined => {
  const word = given[at];
  if (word === undefined || !word.startsWith('-') || HELP_OR_VERSION.has(word)) return undefined;
  const name = optionName(word);
  const having = program.commands.filter((command) => command.options.some((o) => flagsOf(o).includes(name)));
  if (having.length === 0) return undefined;
  const named = given.find((arg) => having.some((command) => command.name() === arg));
  const takesValue = having.some((command) =>
    command.options.some((o) => o.required && flagsOf(o).includes(name)),
  );
  const next = given[at + 1];
  // `whiteboard --board read`: the command was taken as the value, and the value left out.
  const value =
    !takesValue || word !== name ? '' : next === undefined || next === named ? ' <value>' : ` ${next}`;
  const command =
    named ??
    (having.length === 1 ? (having[0] as Command).name() : `<${having.map((c) => c.name()).join('|')}>`);
  return `${name} goes after the command: ${self} ${command} ${word}${value}`;
};

/** The words to give commander, or the usage error (without its `error: `) to print instead. */
export type CommandLine = { readonly words: readonly string[] } | { readonly error: string };

/**
 * Reads `given` (the command line after `whiteboard`) for `program`, the CLI's commander program.
 * For a line with an unknown option it makes the command's options optional, so that commander
 * names the unknown one rather than a required one missing (commandLineProblem). `self` begins the
 * commands an error suggests (program.ts, `invokedAs`).
 */
export const readCommandLine = (
  program: Command,
  given: readonly string[],
  self = 'whiteboard',
): CommandLine => {
  const isCommand = (word: string) => program.commands.some((command) => command.name() === word);
  const leading = leadingConnectionOptions(given);
  const moved = commandFirst(given, leading.words);
  // `help nope`: commander would print the whole help as an error; say what `nope` alone says, an
  // unknown command, with its suggestion ("Did you mean read?").
  const [first, topic, ...rest] = moved;
  const words =
    first === 'help' &&
    topic !== undefined &&
    rest.length === 0 &&
    !topic.startsWith('-') &&
    !isCommand(topic)
      ? [topic]
      : moved;
  // `READ`: commander suggests a command only for a near miss, which case alone is not.
  const [named] = words;
  if (named !== undefined && !named.startsWith('-') && !isCommand(named) && named !== 'help') {
    const lower = named.toLowerCase();
    if (isCommand(lower)) return { error: `unknown command '${named}' (Did you mean ${lower}?)` };
  }
  const problem = commandLineProblem(program, words, self);
  if (problem !== undefined) return { error: problem };
  const optionFirst = commandOptionFirst(program, given, leading.words, self);
  if (
    leading.words > 0 &&
    commandAfter(given, leading.words) === undefined &&
    !given.some((arg) => HELP_OR_VERSION.has(arg))
  ) {
    // `whiteboard --timeout read`: the command was taken as the option's value.
    const valueLeftOut = leading.options.find(
      ({ nextWord }) => nextWord !== undefined && (nextWord === 'help' || isCommand(nextWord)),
    );
    if (valueLeftOut !== undefined) {
      const { name, nextWord = '' } = valueLeftOut;
      const options = program.commands.flatMap((command) => command.options);
      return {
        error: `${name} needs a value, and ${nextWord} is a command${valueForm(options, name, nextWord)}`,
      };
    }
    // Commander would call the option unknown, which it is not: it only lacks its command.
    const option = optionName(given[0] as string);
    if (optionFirst === undefined) {
      return { error: `${option} goes with a command: ${self} ${option} ... read (or post)` };
    }
  }
  if (optionFirst !== undefined) return { error: optionFirst };
  return { words };
};
