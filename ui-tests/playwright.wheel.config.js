/**
 * The wheel as a user installs it (scripts/check-wheel.sh): JupyterLab from the new
 * environment that the script made, with no Node.js on its PATH and none of the
 * project's .venv, on port 8899; `MEMORY_USAGE_WHEEL_ENV` is that environment.
 */
const base = require('./playwright.config');

const env = process.env.MEMORY_USAGE_WHEEL_ENV;
if (!env) {
  throw new Error('MEMORY_USAGE_WHEEL_ENV is not set: run scripts/check-wheel.sh');
}

module.exports = {
  ...base,
  testDir: './wheel',
  testMatch: '*.wheel.ts',
  use: { ...base.use, baseURL: 'http://localhost:8899' },
  webServer: {
    command: `${env}/bin/jupyter lab --config jupyter_server_wheel_config.py`,
    url: 'http://localhost:8899/lab',
    timeout: 120 * 1000,
    reuseExistingServer: false,
    // Nothing of this machine's Node.js or the project's environment.
    env: {
      PATH: `${env}/bin`,
      HOME: process.env.MEMORY_USAGE_WHEEL_HOME || `${env}/home`,
      LANG: 'C.UTF-8',
      JUPYTER_RUNTIME_DIR: `${env}/rt`
    }
  }
};
