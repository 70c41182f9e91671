/**
 * The one module that owns what reaches the terminal: colour, neutralising server-provided text,
 * relative times and wrapping. Everything from the server goes through `sanitize*` or `safeJson`
 * before it is written, so a message can never move the cursor, retitle or clear the screen.
 */
/** What the CLI needs to know about a stream it writes to. */
export interface OutputStream {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly columns?: number | undefined;
  /** Colour depth in bits as Node's `tty.WriteStream#getColorDepth()` reports it (1, 4, 8, 24). */
  readonly colorDepth?: number | undefined;
}

export interface ColorInputs {
  readonly stream: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** False for `--no-color` and for `--json`. */
  readonly wanted: boolean;
}

/**
 * The level FORCE_COLOR asks for, read as chalk's supports-color reads it: `0` or `false` none,
 * `1`-`3` (more is 3), `true` or empty 1; undefined when unset or unreadable.
 */
const forcedLevel = (value: string | undefined): 0 | 1 | 2 | 3 | undefined => {
  if (value === undefined) return undefined;
  if (value === '' || value === 'true') return 1;
  if (value === 'false') return 0;
  const level = Number.parseInt(value, 10);
  return Number.isNaN(level) || level < 0 ? undefined : (Math.min(level, 3) as 0 | 1 | 2 | 3);
};

/**
 * Chalk level for a stream. chalk only looks at FORCE_COLOR and `--no-color` in process.argv, not at
 * NO_COLOR (https://no-color.org: "present and not an empty string"), so that rule lives here.
 * FORCE_COLOR colours what is not a terminal too (`| less -R`), as chalk does, and like chalk and
 * Node's `getColorDepth` it goes before NO_COLOR; `--no-color` and `--json` go before both.
 */
export const colorLevel = ({ stream, env, wanted }: ColorInputs): 0 | 1 | 2 | 3 => {
  if (!wanted) return 0;
  const forced = forcedLevel(env.FORCE_COLOR);
  if (forced !== undefined) return forced;
  if (!stream.isTTY) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const depth = stream.colorDepth ?? 4;
  if (depth >= 24) return 3;
  if (depth >= 8) return 2;
  return depth >= 4 ? 1 : 0;
};

export interface Styles {
  readonly author: (text: string) => string;
  readonly time: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly success: (text: string) => string;
  readonly error: (text: string) => string;
  readonly warning: (text: string) => string;
}

const plain = (text: string): string => text;

/** Level 0: text as it is. */
export const PLAIN_STYLES: Styles = {
  author: plain,
  time: plain,
  dim: plain,
  success: plain,
  error: plain,
  warning: plain,
};

/**
 * Styles for a chalk level. chalk (cli/colors.ts) is loaded only for colour: `--json`, pipes and
 * NO_COLOR never pay for it at start-up.
 */
export const loadStyles = async (level: 0 | 1 | 2 | 3): Promise<Styles> =>
  level === 0 ? PLAIN_STYLES : (await import('./colors.ts')).createStyles(level);

// C1 controls (U+0080-U+009F: a terminal may read U+009B as CSI), and the bidirectional controls
// that reorder what follows them (Trojan Source, CVE-2021-42574): LRE..RLO, LRI..PDI. The marks
// (LRM, RLM, ALM) stay: they reorder nothing beyond the neutral characters beside them, right-to-
// left names are written with them, and the API takes them in an author.
const INVISIBLE_CONTROLS = /[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/gu;
// C0 controls and DEL. ESC starts every escape sequence, BEL ends OSC ones (window title).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const C0_AND_DEL = /[\u0000-\u001f\u007f]/gu;
const REPLACEMENT = '\ufffd';

/** ␛ for ESC, ␇ for BEL...: the Unicode "control pictures" show what was there without acting on it. */
const picture = (char: string): string => {
  const code = char.codePointAt(0) ?? 0;
  return code === 0x7f ? '\u2421' : String.fromCodePoint(0x2400 + code);
};

/**
 * Multi-line message text made safe to print: line breaks kept (CR LF, CR, U+2028/2029 become LF),
 * tabs expanded, every other control character shown as a visible symbol.
 */
export const sanitizeText = (text: string): string =>
  text
    .replace(/\r\n?|[\u2028\u2029]/gu, '\n')
    .replace(/\t/gu, '    ')
    .replace(INVISIBLE_CONTROLS, REPLACEMENT)
    .replace(C0_AND_DEL, (char) => (char === '\n' ? char : picture(char)));

/** One line of text made safe, however long: line breaks and tabs become spaces. */
export const inlineSafe = (text: string): string =>
  text
    .replace(/[\t\n\r\u2028\u2029]+/gu, ' ')
    .replace(INVISIBLE_CONTROLS, REPLACEMENT)
    .replace(C0_AND_DEL, picture);

/** A one-line field (author, board, an error message) made safe: line breaks become spaces. */
export const sanitizeInline = (text: string, maxChars = 300): string => {
  const line = inlineSafe(text);
  const chars = Array.from(line);
  return chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : line;
};

// What JSON.stringify leaves raw but a terminal may act on: DEL, C1, bidi controls, and the two
// JavaScript line terminators. Outside strings JSON is plain ASCII, so escaping these keeps it valid.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** JSON for the terminal or a pipe: the same value, with every control character escaped. */
export const safeJson = (value: unknown, indent?: number): string =>
  JSON.stringify(value, null, indent).replace(
    JSON_UNSAFE,
    (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );

/**
 * "2 min ago". `then` later than `now` by a little is clock skew between this machine and AWS,
 * shown as "just now" rather than as a message from the future.
 */
export const relativeTime = (then: number, now: number): string => {
  const seconds = Math.round((now - then) / 1000);
  if (seconds < -60) return `in ${span(-seconds)}`;
  if (seconds < 10) return 'just now';
  return `${span(seconds)} ago`;
};

const span = (seconds: number): string => {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h`;
  const days = Math.floor(hours / 24);
  return `${days} day${days === 1 ? '' : 's'}`;
};

/** `2024-05-01 12:00:00 UTC` from an ISO time; the input itself (made safe) if it does not parse. */
export const formatTime = (iso: string): string => {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return sanitizeInline(iso, 40);
  return `${new Date(time)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/u, '')} UTC`;
};

// East Asian wide and fullwidth ranges plus the emoji: an approximation of wcwidth that is right
// for the scripts and emoji people type, without shipping the Unicode tables. Emoji shown as emoji
// by default (Emoji_Presentation: 🚀 ✅ ⭐ 🫠, beyond the blocks listed) take two columns, as
// Unicode's East Asian Width gives them; a regional indicator alone, one.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97c\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]|(?![\u{1f1e6}-\u{1f1ff}])\p{Emoji_Presentation}/u;
// Combining marks (accents, variation selectors), format characters (zero-width space, joiner), and
// the vowel and final-consonant jamo that complete a decomposed Hangul syllable (as wcwidth has them).
const ZERO_WIDTH = /\p{Mn}|\p{Me}|\p{Cf}|[\u1160-\u11ff\ud7b0-\ud7ff]/u;
// What extends the character before it into one on screen: combining marks, variation selectors and
// the keycap (Mn, Me), emoji skin tones, the tags of a subdivision flag.
const EXTENDS = /\p{Mn}|\p{Me}|[\u{1f3fb}-\u{1f3ff}]|[\u{e0020}-\u{e007f}]/u;
const REGIONAL = /^[\u{1f1e6}-\u{1f1ff}]$/u;
// An emoji base made an emoji by what follows it: ❤️ (U+FE0F), 1️⃣, 👍🏽, a sequence joined by U+200D.
const EMOJI = /\p{Emoji}/u;
// A zero-width joiner joins two pictographs into one emoji (Unicode's rule GB11); between letters
// (Sinhala's ශ්‍රී, Devanagari's क्‍ष) it only shapes them, each keeping its columns.
const PICTOGRAPHIC = /^\p{Extended_Pictographic}/u;
const EMOJI_FORM = /\ufe0f|\u20e3|\u200d|[\u{1f3fb}-\u{1f3ff}]/u;

/**
 * The kind of Hangul jamo or syllable a code point is, for Unicode's rules GB6-GB8 (UAX #29): a
 * leading consonant (L), a vowel (V), a trailing consonant (T), a syllable of the first two (LV) or
 * of all three (LVT); `undefined` for anything else.
 */
const hangul = (code: number): 'L' | 'V' | 'T' | 'LV' | 'LVT' | undefined => {
  if ((code >= 0x1100 && code <= 0x115f) || (code >= 0xa960 && code <= 0xa97c)) return 'L';
  if ((code >= 0x1160 && code <= 0x11a7) || (code >= 0xd7b0 && code <= 0xd7c6)) return 'V';
  if ((code >= 0x11a8 && code <= 0x11ff) || (code >= 0xd7cb && code <= 0xd7fb)) return 'T';
  if (code >= 0xac00 && code <= 0xd7a3) return (code - 0xac00) % 28 === 0 ? 'LV' : 'LVT';
  return undefined;
};

/** Whether the Hangul ending `before` and starting `after` make one syllable (GB6, GB7, GB8). */
const joinsHangul = (before: string, after: string): boolean => {
  const last = hangul(before.codePointAt(before.length - 1) ?? 0);
  const next = hangul(after.codePointAt(0) ?? 0);
  if (last === undefined || next === undefined) return false;
  if (last === 'L') return next !== 'T';
  if (last === 'V' || last === 'LV') return next === 'V' || next === 'T';
  return next === 'T';
};

/**
 * The characters of a string as a terminal shows them: each code point with the ones that extend
 * it, the emoji that a zero-width joiner joins, a flag's two regional indicators, a Hangul syllable
 * written as jamo. (Unicode's grapheme clusters but for the Indic conjuncts; Intl.Segmenter gives
 * them exactly, at 15 ms on its first use, which every `read` with such a message would pay.)
 */
export const graphemes = (text: string): string[] => {
  const clusters: string[] = [];
  let joined = false;
  for (const char of text) {
    const last = clusters.length - 1;
    const previous = clusters[last];
    if (
      previous !== undefined &&
      ((joined && PICTOGRAPHIC.test(char) && PICTOGRAPHIC.test(previous)) ||
        char === '\u200d' ||
        EXTENDS.test(char) ||
        (REGIONAL.test(char) && REGIONAL.test(previous)) ||
        joinsHangul(previous, char))
    ) {
      clusters[last] = previous + char;
      joined = char === '\u200d';
      continue;
    }
    clusters.push(char);
    joined = false;
  }
  return clusters;
};

const codePointWidth = (char: string): number => (ZERO_WIDTH.test(char) ? 0 : WIDE.test(char) ? 2 : 1);

const graphemeWidth = (cluster: string): number => {
  const base = String.fromCodePoint(cluster.codePointAt(0) ?? 0x20);
  if (cluster.length === base.length) return codePointWidth(base);
  if (REGIONAL.test(base)) return 2;
  if (EMOJI.test(base) && EMOJI_FORM.test(cluster)) return 2;
  // A letter and its marks: the marks take no columns.
  let width = 0;
  for (const char of cluster) width += codePointWidth(char);
  return width;
};

/** Columns a (sanitised) string takes in a terminal. */
export const displayWidth = (text: string): number => {
  // Printable ASCII, the usual case, one column a character.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const cluster of graphemes(text)) width += graphemeWidth(cluster);
  return width;
};

/**
 * Greedy word wrap of sanitised text to `width` columns, keeping the text's own line breaks.
 * Words wider than a line are split (URLs, long tokens) so nothing runs past the edge.
 */
export const wrap = (text: string, width: number): string[] => {
  const limit = Math.max(1, width);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    const firstLine = lines.length;
    let line = '';
    let lineWidth = 0;
    const breakLine = (): void => {
      // A line holding only indentation that the next word did not fit after is dropped, not printed blank.
      if (line.trim() !== '') lines.push(line.trimEnd());
      line = '';
      lineWidth = 0;
    };
    for (const token of paragraph.split(/(\s+)/u)) {
      if (token === '') continue;
      const tokenWidth = displayWidth(token);
      if (/^\s+$/u.test(token)) {
        // Spaces inside a line are kept, and so is the paragraph's own indentation; at a break they go.
        const keep = line !== '' || lines.length === firstLine;
        if (keep && lineWidth + tokenWidth < limit) {
          line += token;
          lineWidth += tokenWidth;
        } else {
          breakLine();
        }
        continue;
      }
      if (lineWidth + tokenWidth > limit) breakLine();
      // Split where it must be, between characters as they show, never inside one.
      for (const char of graphemes(token)) {
        const charWidth = graphemeWidth(char);
        if (lineWidth + charWidth > limit && line !== '') breakLine();
        line += char;
        lineWidth += charWidth;
      }
    }
    if (line !== '' || lines.length === firstLine) lines.push(line.trimEnd());
  }
  return lines;
};

/** Terminal width for wrapping: the TTY's, else $COLUMNS, else 80. */
export const terminalWidth = (
  stream: OutputStream,
  env: Readonly<Record<string, string | undefined>>,
): number => {
  if (stream.isTTY && stream.columns !== undefined && stream.columns > 0) return stream.columns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
};

export interface PrintableMessage {
  readonly id: string;
  readonly author: string;
  readonly text: string;
  readonly createdAt: string;
}

const INDENT = '  ';

/**
 * One message for people:
 *
 *     ann  2 min ago
 *       hello, wrapped to the terminal width
 */
export const formatMessage = (
  message: PrintableMessage,
  styles: Styles,
  width: number,
  now: number,
): string => {
  const time = Date.parse(message.createdAt);
  const when = Number.isNaN(time) ? formatTime(message.createdAt) : relativeTime(time, now);
  const header = `${styles.author(sanitizeInline(message.author, 64))}  ${styles.time(when)}`;
  // Indent and text within the terminal's width, down to 10 columns of text on the narrowest.
  const body = wrap(sanitizeText(message.text), Math.max(10, width - INDENT.length))
    .map((line) => (line === '' ? '' : `${INDENT}${line}`))
    .join('\n');
  return `${header}\n${body}\n`;
};
