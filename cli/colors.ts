/**
 * Colour through chalk, loaded by `loadStyles` (cli/output.ts) only when some output is coloured.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Styles } from './output.ts';

export const createStyles = (level: 0 | 1 | 2 | 3): Styles => {
  const chalk: ChalkInstance = new Chalk({ level });
  return {
    author: chalk.bold.cyan,
    time: chalk.gray,
    dim: chalk.dim,
    success: chalk.green,
    error: chalk.red,
    warning: chalk.yellow,
  };
};
