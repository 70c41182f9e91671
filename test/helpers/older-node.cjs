// Preloaded (NODE_OPTIONS=--require) by the tests of what each command does on a Node.js older
// than package.json's `engines`: this Node.js then says it is 18.20.4.
Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '18.20.4' } });
