// Figure 4's scale: the least a Node.js client of the local stack can do for `whiteboard read
// --json`. One GET with node:http, the answer written to stdout, then the exit the CLI takes
// (`process.exit` once the output is written). No options, no checks, no undici: what is left of the
// CLI's start once commander, undici and our own code are gone, so that the bench shows how much of
// the 1.6x budget Node.js, the connection and the stack's answer take before the CLI adds anything.
// CommonJS and plain JavaScript on purpose, as cli/launcher.ts is: an ES module entry sets up
// Node's ES module loader first.
//
// node one-request.cjs <url>
const http = require('node:http');

http
  .get(process.argv[2], (response) => {
    const chunks = [];
    response.on('data', (chunk) => chunks.push(chunk));
    response.on('end', () => {
      process.stdout.write(Buffer.concat(chunks), () => process.exit(response.statusCode === 200 ? 0 : 1));
    });
  })
  .on('error', (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
