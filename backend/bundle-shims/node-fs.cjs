// What the Lambda bundles give an `import` of node:fs (the `alias` in backend/bundling.ts): the
// module itself, loaded as CommonJS, which spares the ES module facade (see there).
'use strict';

module.exports = process.getBuiltinModule('node:fs');
