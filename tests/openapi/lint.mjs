// The OpenAPI document as a real validator reads it: a daemon started
// here (port 0, a scratch data directory) answers GET /api/v1/openapi.json,
// and Redocly's CLI, at the version package-lock.json pins, lints it with
// the rules of redocly.yaml. Any error or warning fails the test.
//
//   node lint.mjs <path to helpdeskd>

import {spawn, spawnSync} from 'node:child_process';
import {once} from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const kStartMs = 30000;
const kLintMs = 120000;

function fail(message) {
  console.error(`FAIL ${message}`);
  process.exitCode = 1;
}

// The validator as the lock pins it; a clear failure when it is missing.
function redocly() {
  const want = JSON.parse(fs.readFileSync(path.join(here, 'package.json')))
                   .dependencies['@redocly/cli'];
  const installed = path.join(here, 'node_modules/@redocly/cli/package.json');
  if (!fs.existsSync(installed)) {
    throw new Error(`@redocly/cli is not installed: run 'npm ci' in ${here}`);
  }
  const got = JSON.parse(fs.readFileSync(installed)).version;
  if (got !== want) {
    throw new Error(`@redocly/cli ${got} is installed, package.json pins ` +
                    `${want}: run 'npm ci' in ${here}`);
  }
  return path.join(here, 'node_modules/.bin/redocly');
}

async function startDaemon(binary, dir) {
  const portFile = path.join(dir, 'port');
  const log = fs.openSync(path.join(dir, 'daemon.log'), 'w');
  const child = spawn(binary, [
    '--port', '0', '--data-dir', path.join(dir, 'data'), '--port-file',
    portFile, '--password-cost=minimum', '--log-level', 'warn',
  ], {stdio: ['ignore', log, log]});
  fs.closeSync(log);
  let exited = null;
  child.once('exit', (code, signal) => { exited = {code, signal}; });
  child.once('error', (e) => { exited = {error: e.message}; });
  const deadline = Date.now() + kStartMs;
  // The daemon writes the port file once it listens: the file itself is
  // the condition waited on, checked until the deadline.
  for (;;) {
    if (exited) throw new Error(`helpdeskd exited at start: ${JSON.stringify(exited)}`);
    const port = Number.parseInt(
        (await fsp.readFile(portFile, 'utf8').catch(() => '')).trim(), 10);
    if (port > 0) return {child, port};
    if (Date.now() > deadline) throw new Error('no port file after 30 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function stopDaemon(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
  await exit;
  clearTimeout(timer);
}

async function main() {
  const binary = process.argv[2];
  if (!binary) throw new Error('usage: node lint.mjs <path to helpdeskd>');
  const cli = redocly();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'helpdesk-openapi-'));
  let daemon = null;
  try {
    daemon = await startDaemon(binary, dir);
    const url = `http://127.0.0.1:${daemon.port}/api/v1/openapi.json`;
    const res = await fetch(url);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text}`);
    const type = res.headers.get('content-type') || '';
    if (!type.startsWith('application/json')) fail(`Content-Type ${type}`);
    if (!/^"[0-9a-f]+"$/.test(res.headers.get('etag') || '')) {
      fail(`no strong ETag: ${res.headers.get('etag')}`);
    }
    const document = JSON.parse(text);
    if (document.openapi !== '3.1.0') fail(`openapi is ${document.openapi}`);
    const file = path.join(dir, 'openapi.json');
    await fsp.writeFile(file, text);

    const lint = spawnSync(cli, [
      'lint', file, '--config', path.join(here, 'redocly.yaml'),
      '--format', 'json', '--max-problems', '1000',
    ], {
      encoding: 'utf8',
      timeout: kLintMs,
      maxBuffer: 64 << 20,
      env: {
        ...process.env,
        REDOCLY_TELEMETRY: 'off',
        REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
      },
    });
    if (lint.error) throw lint.error;
    let report;
    try {
      report = JSON.parse(lint.stdout);
    } catch {
      throw new Error(`redocly lint exited ${lint.status} without a JSON ` +
                      `report:\n${lint.stdout}\n${lint.stderr}`);
    }
    for (const p of report.problems) {
      const where = (p.location || []).map((l) => l.pointer).join(', ');
      fail(`${p.severity} ${p.ruleId}: ${p.message} at ${where}`);
    }
    const {errors, warnings, ignored} = report.totals;
    console.log(`redocly lint: ${errors} errors, ${warnings} warnings, ` +
                `${ignored} ignored; ${Object.keys(document.paths).length} ` +
                `paths, ${text.length} bytes`);
    if (errors + warnings > 0 || lint.status !== 0) {
      fail(`redocly lint exited ${lint.status} with ${errors} errors and ` +
           `${warnings} warnings`);
    }
  } catch (e) {
    fail(e.message);
  } finally {
    if (daemon) await stopDaemon(daemon.child);
    if (process.exitCode) {
      const log = await fsp.readFile(path.join(dir, 'daemon.log'), 'utf8')
                      .catch(() => '');
      if (log) console.error(`---- daemon log ----\n${log}`);
    }
    await fsp.rm(dir, {recursive: true, force: true});
  }
}

main().catch((e) => {
  fail(e.message);
});
