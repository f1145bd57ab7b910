/**
 * The badges against a server whose kernels run behind a Jupyter Kernel Gateway, so
 * that the server extension reads them through usage_request:
 * `npx playwright test -c playwright.gateway.config.js`. Its own ports (the gateway on
 * 8897, JupyterLab on 8898), so it can run beside the main suite's server on 8888.
 */
const crypto = require('crypto');
const base = require('./playwright.config');

const GATEWAY_URL = 'http://127.0.0.1:8897';
// The gateway wants a token, as a real one does; this run's own, known to both servers.
const GATEWAY_TOKEN = process.env.MEMORY_USAGE_GATEWAY_TOKEN || crypto.randomBytes(16).toString('hex');
process.env.MEMORY_USAGE_GATEWAY_TOKEN = GATEWAY_TOKEN;

module.exports = {
  ...base,
  testDir: './gateway',
  testMatch: '*.gateway.ts',
  // Kernels behind a gateway start and answer more slowly than local ones.
  timeout: 180 * 1000,
  use: { ...base.use, baseURL: 'http://localhost:8898' },
  webServer: [
    {
      command:
        'python -m kernel_gateway --KernelGatewayApp.ip=127.0.0.1 --KernelGatewayApp.port=8897 ' +
        '--KernelGatewayApp.port_retries=0 --JupyterWebsocketPersonality.list_kernels=True ' +
        // Its kernels on IPC, as the main suite's (jupyter_server_test_config.py).
        '--KernelManager.transport=ipc',
      url: `${GATEWAY_URL}/api`,
      timeout: 120 * 1000,
      reuseExistingServer: false,
      env: { ...process.env, KG_AUTH_TOKEN: GATEWAY_TOKEN, JUPYTER_RUNTIME_DIR: '/tmp/jlmu-gateway-runtime' }
    },
    {
      command: 'jupyter lab --config jupyter_server_gateway_config.py',
      url: 'http://localhost:8898/lab',
      timeout: 120 * 1000,
      reuseExistingServer: false,
      env: {
        ...process.env,
        MEMORY_USAGE_GATEWAY_URL: GATEWAY_URL,
        MEMORY_USAGE_GATEWAY_TOKEN: GATEWAY_TOKEN
      }
    }
  ]
};
