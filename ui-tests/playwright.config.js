/**
 * Playwright configuration for the galata UI tests.
 *
 * The browser is Debian's Chromium: the tests never download one.
 */
const { execFileSync } = require('node:child_process');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

/**
 * The port of the JupyterLab these tests start: a free one, so `make demo` (on 8888) or another run
 * on the same machine never answers in its place. Playwright loads this file again in each worker;
 * the environment variable carries the first pick to them.
 */
function freePort() {
  const script =
    "const s = require('net').createServer().listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port)); s.close(); });";
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim();
}
const port = (process.env.LAKETAHOE_UI_PORT ||= freePort());
const baseURL = `http://127.0.0.1:${port}`;

module.exports = {
  ...baseConfig,
  // One JupyterLab and one job queue: run the tests one after another.
  workers: 1,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  retries: 0,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    ...baseConfig.use,
    baseURL,
    trace: 'retain-on-failure',
    video: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  // Always a server of its own: reusing whatever listens would test someone else's JupyterLab.
  webServer: {
    command: `npm start -- --ServerApp.port=${port} --ServerApp.port_retries=0`,
    url: `${baseURL}/lab`,
    timeout: 120_000,
    reuseExistingServer: false
  }
};
