/**
 * Benchmarks (not tests): run with `npx playwright test -c playwright.bench.config.js`,
 * or `bench/run.sh` from the repository's root. They print figures; they never fail
 * on a slow machine. Their own server on port 8890, so that they can run beside the
 * tests (port 8888).
 */
const base = require('./playwright.config');

const PORT = 8890;

module.exports = {
  ...base,
  testDir: './bench',
  testMatch: '*.bench.ts',
  timeout: 10 * 60 * 1000,
  reporter: [['list']],
  use: { ...base.use, baseURL: `http://localhost:${PORT}` },
  webServer: {
    ...base.webServer,
    command: `${base.webServer.command} --ServerApp.port=${PORT}`,
    url: `http://localhost:${PORT}/lab`
  }
};
