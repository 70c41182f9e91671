/** The local stack's log printer (backend/local/log-printer.ts): readable lines, and a safe terminal. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogPrinter } from '../../backend/local/log-printer.ts';

/** Prints `lines` through a printer without colour; what reached the terminal. */
const printed = (
  print: (printer: ReturnType<typeof createLogPrinter>) => void,
  options: { verbose?: boolean } = {},
): string => {
  let out = '';
  const printer = createLogPrinter({ ...options, color: false, write: (text) => (out += text) });
  print(printer);
  printer.flush();
  return out;
};

// ESC (cursor moves, screen clears), BEL (ends a window-title sequence), CSI as one C1 character,
// and a right-to-left override that reorders what follows it.
const HOSTILE = ['\u001b[2J', '\u001b]0;title\u0007', '\u009b31m', '\u202e'];
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
const TERMINAL_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

describe('the log printer', () => {
  it('prints a Powertools line as time, function, level, message and its own keys', () => {
    const out = printed((printer) =>
      printer.functionLog(
        'ReadMessages',
        JSON.stringify({
          level: 'INFO',
          message: 'request',
          service: 'whiteboard',
          route: 'GET /messages',
          status: 200,
        }),
      ),
    );
    assert.match(
      out,
      /^\d\d:\d\d:\d\d\.\d{3} ReadMessages INFO request route="GET \/messages" status=200\n$/,
    );
  });

  it('prints every key of a Powertools line with verbose, the routine ones too', () => {
    // The keys every Powertools line carries, which the line above leaves out, and one of its own.
    const entry = {
      level: 'INFO',
      message: 'request',
      timestamp: '2026-01-02T03:04:05.678Z',
      service: 'whiteboard',
      function_name: 'ReadMessages',
      function_arn: 'arn:aws:lambda:us-east-1:000000000000:function:ReadMessages',
      function_memory_size: 256,
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      sampling_rate: 0,
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      cold_start: true,
      correlation_id: 'abc',
      route: 'GET /messages',
    };
    const out = printed((printer) => printer.functionLog('ReadMessages', JSON.stringify(entry)), {
      verbose: true,
    });
    const keys =
      'level=INFO message=request timestamp=2026-01-02T03:04:05.678Z service=whiteboard ' +
      'function_name=ReadMessages function_arn=arn:aws:lambda:us-east-1:000000000000:function:ReadMessages ' +
      'function_memory_size=256 function_request_id=c6af9ac6-7b61-11e6-9a41-93e812345678 sampling_rate=0 ' +
      'xray_trace_id=1-5759e988-bd862e3fe1be46a994272793 cold_start=true correlation_id=abc ' +
      'route="GET /messages"';
    assert.match(out, /^\d\d:\d\d:\d\d\.\d{3} ReadMessages INFO request /);
    // Every key, in the line's order, after the time, function, level and message.
    assert.equal(out.replace(/^\S+ ReadMessages INFO request /, ''), `${keys}\n`);
  });

  it('prints an EMF line as its metrics, also one whose value is missing', () => {
    const emf = (values: Record<string, number>) =>
      JSON.stringify({
        _aws: {
          Timestamp: 0,
          CloudWatchMetrics: [{ Namespace: 'Whiteboard', Metrics: [{ Name: 'MessagesRead' }] }],
        },
        service: 'whiteboard',
        ...values,
      });
    const out = printed((printer) => {
      printer.functionLog('ReadMessages', emf({ MessagesRead: 3 }));
      printer.functionLog('ReadMessages', emf({}));
    });
    assert.match(
      out,
      /^\S+ ReadMessages metrics MessagesRead=3\n\S+ ReadMessages metrics MessagesRead=undefined\n$/,
    );
  });

  for (const hostile of HOSTILE) {
    it(`lets no control character through from what a function logs (${JSON.stringify(hostile)})`, () => {
      const out = printed((printer) => {
        printer.functionLog(
          'PostMessage',
          JSON.stringify({ level: 'INFO', message: `m${hostile}`, key: `k${hostile}` }),
        );
        printer.functionLog(
          'PostMessage',
          JSON.stringify({ level: 'INFO', message: 'm', spaced: `a b${hostile}` }),
        );
        printer.functionLog(
          'PostMessage',
          JSON.stringify({ level: 'INFO', message: 'm', [`key${hostile}`]: 1 }),
        );
        printer.functionLog(
          'PostMessage',
          JSON.stringify({
            _aws: { CloudWatchMetrics: [{ Metrics: [{ Name: `M${hostile}` }] }] },
            [`M${hostile}`]: 1,
          }),
        );
        printer.gateway(`internal error of the local gateway: Error: ${hostile}`);
        printer.functionLog('PostMessage', `console.log line ${hostile}`);
        printer.request({
          requestId: 'id',
          method: 'POST',
          url: '/messages',
          status: 500,
          durationMs: 1,
          note: `the function failed: Error: ${hostile}`,
        });
      });
      assert.equal(out.split('\n').length, 8, out);
      assert.doesNotMatch(out, TERMINAL_CONTROLS);
    });
  }
});
