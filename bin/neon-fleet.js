#!/usr/bin/env node
// The package builds to dist/ in `prepare`, so `npx neon-fleet` works right after `npm ci`.
require("../dist/cli/index.js").main(process.argv);
