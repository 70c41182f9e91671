// What the Lambda bundles give aws-xray-sdk-core for `require('semver')` (the `alias` in
// backend/bundling.ts). Its one use is `semver.gte` in its AWS SDK v2 patcher
// (dist/lib/patchers/aws_p.js), which these functions never call; yet all of semver (ranges,
// comparators, and the regular expressions it compiles as it loads) would load with the Tracer at
// every traced cold start. semver's README offers its functions one by one "to minimize your
// footprint". The path is relative because the alias applies to `semver/...` too: the root's semver,
// pinned by package-lock.json, the same 7.x that aws-xray-sdk-core resolves (test/infra checks it).
'use strict';

exports.gte = require('../../node_modules/semver/functions/gte.js');
