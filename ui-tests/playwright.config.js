/**
 * Configuration for Playwright using default from @jupyterlab/galata
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

module.exports = {
  ...baseConfig,
  // Never try to open the HTML report in a browser (headless environments).
  reporter: [
    [process.env.CI ? 'github' : 'list'],
    ['html', { open: 'never' }]
  ],
  use: {
    ...baseConfig.use,
    // Use the system (Debian) Chromium; `npx playwright install` is not needed.
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    },
    video: 'off',
    trace: 'off',
    // galata mocks the user API with the unanchored regex /.*\/api\/me.*/,
    // which also swallows every browser request to /api/memory-usage/* (it
    // answers them with a fake user and status 200). Use the real endpoint.
    mockUser: false
  },
  webServer: {
    command: 'jupyter lab --config jupyter_server_test_config.py',
    url: 'http://localhost:8888/lab',
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI,
    // Where jupyter_server_test_config.py writes the memory-limited kernel spec, and a
    // short runtime folder for the kernels' IPC sockets (a socket path has 107 bytes).
    env: {
      ...process.env,
      JUPYTER_RUNTIME_DIR: '/tmp/jlmu-galata-runtime',
      JUPYTER_PATH: ['/tmp/jupyterlab-memory-usage-galata', process.env.JUPYTER_PATH]
        .filter(Boolean)
        .join(':')
    }
  }
};
