import { UsageError } from './errors.ts';

/** Where the CLI points when nothing else says: the local stack of `npm start`. */
export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/** The file `npm run deploy` writes (`cdk deploy --outputs-file cdk-outputs.json`), in the repo root. */
export const OUTPUTS_FILE = 'cdk-outputs.json';
/** What every error about cdk-outputs.json advises. */
const OUTPUTS_FIX = `fix or delete ${OUTPUTS_FILE}, or pass --url`;

export type UrlSource = 'flag' | 'env' | 'outputs' | 'default';

export interface ResolvedUrl {
  /** Normalised base URL without a trailing slash, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com`. */
  readonly url: string;
  readonly source: UrlSource;
  /** Human words for where the URL came from, for --verbose and for error hints. */
  readonly origin: string;
  /**
   * Asked when an answer is not the whiteboard API's, naming the URL and where it came from: the
   * user may not know which of the four (--url, WHITEBOARD_URL...) was used.
   */
  readonly wrongApiHint: string;
}

export interface UrlInputs {
  readonly flag: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a file relative to the working directory; undefined when it does not exist. */
  readonly readTextFile: (path: string) => string | undefined;
}

/** cdk-outputs.json's text, undefined when there is none; one that cannot be read is a usage error. */
const readOutputsFile = (readTextFile: UrlInputs['readTextFile']): string | undefined => {
  try {
    return readTextFile(OUTPUTS_FILE);
  } catch (error) {
    throw new UsageError(
      `cannot read ${OUTPUTS_FILE} (${(error as Error).message}); fix or delete it, or pass --url`,
    );
  }
};

/**
 * `--url` > `WHITEBOARD_URL` > the ApiUrl in cdk-outputs.json > http://127.0.0.1:3000.
 * A URL that is given but unusable is an error rather than a silent fall-through: pointing at the
 * wrong place quietly is worse than stopping.
 */
export const resolveApiUrl = ({ flag, env, readTextFile }: UrlInputs): ResolvedUrl => {
  if (flag !== undefined) {
    const url = parseBaseUrl(flag, '--url');
    return { url, source: 'flag', origin: '--url', wrongApiHint: `is --url ${url} the whiteboard API?` };
  }
  const fromEnv = env.WHITEBOARD_URL;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const url = parseBaseUrl(fromEnv, 'WHITEBOARD_URL');
    return {
      url,
      source: 'env',
      origin: 'WHITEBOARD_URL',
      wrongApiHint: `is WHITEBOARD_URL ${url} the whiteboard API?`,
    };
  }
  const outputs = readOutputsFile(readTextFile);
  if (outputs !== undefined) {
    const { stack, apiUrl, others } = pickApiUrl(outputs);
    const also = others.length > 0 ? `; also found ${others.join(', ')}` : '';
    const what = `ApiUrl of stack ${stack} in ${OUTPUTS_FILE}`;
    let url: string;
    try {
      url = parseBaseUrl(apiUrl, what);
    } catch (error) {
      throw error instanceof UsageError ? new UsageError(`${error.message}; ${OUTPUTS_FIX}`) : error;
    }
    return {
      url,
      source: 'outputs',
      origin: `${what}${also}`,
      wrongApiHint: `is ${url}, the ${what}, the whiteboard API?`,
    };
  }
  return {
    url: DEFAULT_API_URL,
    source: 'default',
    origin: 'the default: the local stack',
    wrongApiHint: `is ${DEFAULT_API_URL}, the default URL, the local whiteboard API? (or pass --url)`,
  };
};

const parseBaseUrl = (raw: string, what: string): string => {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`${what} ${JSON.stringify(raw)} is not a URL; expected e.g. ${DEFAULT_API_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what} ${JSON.stringify(raw)} must start with http:// or https://`);
  }
  // Not echoed: it holds a password. The API takes none, and the request would not carry them.
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(`${what} must not hold a user name or password: the whiteboard API takes none`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new UsageError(`${what} ${JSON.stringify(raw)} must not have a query or fragment`);
  }
  // A deployed ApiUrl may carry a stage path (`/prod/`); keep it, drop only the trailing slash.
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
};

interface PickedStack {
  readonly stack: string;
  readonly apiUrl: string;
  readonly others: readonly string[];
}

/**
 * cdk-outputs.json is `{"<StackName>": {"ApiUrl": "...", ...}}`. Several stacks may have been
 * deployed into the same file; take the first by name (code-unit order, not locale order, so every
 * machine picks the same one) and report the others.
 */
const pickApiUrl = (text: string): PickedStack => {
  let parsed: unknown;
  try {
    // A byte order mark, as some Windows editors write, is not JSON; it is dropped (RFC 8259, 8.1).
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new UsageError(`${OUTPUTS_FILE} is not valid JSON (${(error as Error).message}); ${OUTPUTS_FIX}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${OUTPUTS_FILE} must hold a JSON object of stacks; ${OUTPUTS_FIX}`);
  }
  const stacks = Object.entries(parsed as Record<string, unknown>)
    .filter(([, outputs]) => typeof outputs === 'object' && outputs !== null && 'ApiUrl' in outputs)
    .map(([name, outputs]) => [name, (outputs as { ApiUrl: unknown }).ApiUrl] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const first = stacks[0];
  if (first === undefined)
    throw new UsageError(`${OUTPUTS_FILE} has no stack with an ApiUrl output; ${OUTPUTS_FIX}`);
  const [stack, apiUrl] = first;
  if (typeof apiUrl !== 'string') {
    throw new UsageError(`${OUTPUTS_FILE}: ApiUrl of stack ${stack} is not a string; ${OUTPUTS_FIX}`);
  }
  return { stack, apiUrl, others: stacks.slice(1).map(([name]) => name) };
};
