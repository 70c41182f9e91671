/**
 * backend/handlers/powertools.ts imports Powertools Tracer only where it would trace (`canTrace`).
 * Its rule must agree with the Tracer's own: here both decide under the same environment.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { canTrace } from '../../backend/handlers/powertools.ts';

const VARIABLES = ['AWS_EXECUTION_ENV', 'POWERTOOLS_TRACE_ENABLED'] as const;
type Case = Partial<Record<(typeof VARIABLES)[number], string>>;

/** Powertools Tracer's own decision, constructed under `variables` (it reads them once, then). */
const tracerTraces = (variables: Case): boolean => {
  const saved = VARIABLES.map((name) => [name, process.env[name]] as const);
  try {
    for (const name of VARIABLES) {
      const value = variables[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    return new Tracer().isTracingEnabled();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
};

describe('canTrace', () => {
  const lambda = 'AWS_Lambda_nodejs24.x';
  const cases: readonly [string, Case, boolean][] = [
    ['outside Lambda', {}, false],
    ['outside Lambda, AWS_EXECUTION_ENV blank', { AWS_EXECUTION_ENV: '  ' }, false],
    ['in Lambda', { AWS_EXECUTION_ENV: lambda }, true],
    [
      'in Lambda, tracing turned off',
      { AWS_EXECUTION_ENV: lambda, POWERTOOLS_TRACE_ENABLED: 'false' },
      false,
    ],
    ['in Lambda, FALSE in capitals', { AWS_EXECUTION_ENV: lambda, POWERTOOLS_TRACE_ENABLED: 'FALSE' }, false],
    [
      'in Lambda, false with spaces',
      { AWS_EXECUTION_ENV: lambda, POWERTOOLS_TRACE_ENABLED: ' False ' },
      false,
    ],
    ['in Lambda, tracing turned on', { AWS_EXECUTION_ENV: lambda, POWERTOOLS_TRACE_ENABLED: 'true' }, true],
    [
      'in Lambda, 0 (only false turns it off)',
      { AWS_EXECUTION_ENV: lambda, POWERTOOLS_TRACE_ENABLED: '0' },
      true,
    ],
    ['in Lambda, the variable empty', { AWS_EXECUTION_ENV: lambda, POWERTOOLS_TRACE_ENABLED: '' }, true],
  ];
  for (const [name, variables, expected] of cases) {
    it(`${name}: ${expected ? 'traces' : 'does not trace'}, as Powertools Tracer decides`, () => {
      assert.equal(tracerTraces(variables), expected, "Powertools Tracer's own decision");
      assert.equal(canTrace(variables), expected);
    });
  }
});
