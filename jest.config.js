const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyterlab/',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  collectCoverageFrom: [
    'src/**/*.{ts,tsx}',
    '!src/**/*.d.ts',
    '!src/**/.ipynb_checkpoints/*'
  ],
  coverageReporters: ['lcov', 'text'],
  // Matches src/**/__tests__/*.spec.ts(x)
  testRegex: 'src/(?:.+/)?__tests__/[^/]+\\.spec\\.tsx?$',
  modulePathIgnorePatterns: [
    '<rootDir>/.venv/',
    '<rootDir>/jupyterlab_memory_usage/labextension/',
    '<rootDir>/ui-tests/'
  ],
  testPathIgnorePatterns: ['/lib/', '/node_modules/', '<rootDir>/ui-tests/'],
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
