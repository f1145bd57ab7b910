/**
 * Benchmarks (not tests): run with `npx playwright test -c playwright.bench.config.js`,
 * or `bench/run.sh frontend` from the repository's root. They print figures; they never fail
 * on a slow machine. Their own server on port 8890, so that they can run beside the
 * tests (port 8888); where bench/build_baseline_panel.sh has built an earlier commit's
 * labextension, a second server on port 8891 serves that one, for side-by-side figures.
 */
const fs = require('fs');
const base = require('./playwright.config');

const PORT = 8890;
const BASELINE_PORT = 8891;
const BASELINE_DIR = '/tmp/jmu-baseline-panel';

const servers = [
  {
    ...base.webServer,
    command: `${base.webServer.command} --ServerApp.port=${PORT}`,
    url: `http://localhost:${PORT}/lab`
  }
];
if (fs.existsSync(`${BASELINE_DIR}/labextensions/jupyterlab-memory-usage/package.json`)) {
  servers.push({
    ...base.webServer,
    command: `${base.webServer.command} --ServerApp.port=${BASELINE_PORT}`,
    url: `http://localhost:${BASELINE_PORT}/lab`,
    env: {
      ...base.webServer.env,
      // Its own runtime folder, and the earlier build first on the labextensions path.
      JUPYTER_RUNTIME_DIR: '/tmp/jlmu-galata-runtime-baseline',
      JUPYTER_PATH: [BASELINE_DIR, base.webServer.env.JUPYTER_PATH].join(':')
    }
  });
}

module.exports = {
  ...base,
  testDir: './bench',
  testMatch: '*.bench.ts',
  timeout: 15 * 60 * 1000,
  reporter: [['list']],
  use: {
    ...base.use,
    baseURL: `http://localhost:${PORT}`,
    launchOptions: {
      ...base.use.launchOptions,
      // window.gc() and exact heap sizes, for the memory figures.
      args: [...base.use.launchOptions.args, '--js-flags=--expose-gc', '--enable-precise-memory-info']
    }
  },
  webServer: servers
};
