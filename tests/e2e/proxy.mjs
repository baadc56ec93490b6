// The real support proxy for end-to-end tests: started on a fresh database of its own
// (a SQLite file, or a new database on the PostgreSQL server TEST_DATABASE_URL names), in
// front of the scripted OpenAI-compatible server, and stopped by the test.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DIST } from './browser.mjs';

const ROOT = join(import.meta.dirname, '../..');
const PROXY = process.env.SUPPORT_PROXY ?? join(ROOT, 'target/debug/support-proxy');
const HELP_DIR = join(ROOT, 'crates/support-core/data/help');
export const POSTGRES = process.env.TEST_DATABASE_URL;
// scripts/check.sh and CI must not pass without the PostgreSQL run.
export const REQUIRE_POSTGRES = Boolean(process.env.CI || process.env.E2E_REQUIRE_POSTGRES);
export const KEY = 'e2e-server-key';

/** `startProxy(databaseUrl, extraEnv)` in front of `upstream`. */
export function proxyRunner(upstream) {
  return { startProxy: (databaseUrl, extra) => startProxy(upstream, databaseUrl, extra) };
}

function proxyEnv(upstream, databaseUrl, extra = {}) {
  return {
    PATH: process.env.PATH, BIND: '127.0.0.1:0', UPSTREAM_BASE_URL: `${upstream.url}/v1`,
    UPSTREAM_API_KEY: KEY, DATABASE_URL: databaseUrl, STATIC_DIR: DIST, LOG: 'warn', ...extra,
  };
}

/** Starts the proxy on `databaseUrl`; resolves to `{ url, stop }` once it serves. */
async function startProxy(upstream, databaseUrl, extra) {
  const proxy = spawn(PROXY, [], { env: proxyEnv(upstream, databaseUrl, extra), stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => proxy.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    proxy.stdout.on('data', (data) => {
      const found = String(data).match(/serving on (http:\/\/\S+)/);
      if (found) resolve(found[1]);
    });
    exited.then(({ code }) => reject(new Error(`support-proxy exited with ${code}`)));
  });
  /** SIGTERM; resolves to how it exited. */
  const stop = () => {
    if (proxy.exitCode === null && proxy.signalCode === null) proxy.kill('SIGTERM');
    return exited;
  };
  return { url, stop };
}

/** A fresh SQLite file: the proxy creates it and fills it with the demo orders and articles. */
export function sqliteDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'support-proxy-e2e-'));
  const file = join(dir, 'support.db');
  return {
    name: 'sqlite',
    url: `sqlite://${file}`,
    prepare: () => {},
    rows: (sql) => JSON.parse(execFileSync('sqlite3', ['-json', file, sql], { encoding: 'utf8' }) || '[]'),
    exec: (sql) => execFileSync('sqlite3', [file, sql]),
    drop: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const psql = (url, sql) => execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { encoding: 'utf8' });

/** A fresh database on the PostgreSQL server, given the demo orders and articles. */
export function postgresDatabase(server, upstream) {
  const name = `e2e_${randomBytes(6).toString('hex')}`;
  psql(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    name: 'postgres',
    url: url.href,
    // `seed` adds the demo orders; HELP_DIR imports the articles first.
    prepare: () => execFileSync(PROXY, ['seed'], { env: { ...proxyEnv(upstream, url.href), HELP_DIR }, stdio: 'ignore' }),
    rows: (sql) => JSON.parse(psql(url.href, `SELECT coalesce(json_agg(r), '[]') FROM (${sql}) r`)),
    exec: (sql) => psql(url.href, sql),
    drop: () => psql(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

