/**
 * Benchmarks (not tests): run with `npx playwright test -c playwright.bench.config.js`,
 * or `bench/run.sh` from the repository's root. They print figures; they never fail
 * on a slow machine.
 */
const base = require('./playwright.config');

module.exports = {
  ...base,
  testDir: './bench',
  testMatch: '*.bench.ts',
  timeout: 10 * 60 * 1000,
  reporter: [['list']]
};
