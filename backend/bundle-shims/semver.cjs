// What the Lambda bundles give aws-xray-sdk-core for `require('semver')` (the `alias` in
// backend/bundling.ts). Its one use is `semver.gte` in its AWS SDK v2 patcher
// (dist/lib/patchers/aws_p.js), which these functions never call; yet all of semver (ranges,
// comparators, and the regular expressions it compiles as it loads) would load with the Tracer at
// every traced cold start. semver's README offers its functions one by one "to minimize your
// footprint", and this one is loaded when first called: never, here. The path is relative because
// the alias applies to `semver/...` too: the root's semver, pinned by package-lock.json, the one
// aws-xray-sdk-core resolves (test/unit/bundle-shims.test.ts checks both).
'use strict';

exports.gte = (a, b, loose) => require('../../node_modules/semver/functions/gte.js')(a, b, loose);
