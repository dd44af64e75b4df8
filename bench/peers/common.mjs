/**
 * What the peer wrappers (bench/peers/<peer>.mjs) share: their command line,
 * loading the peer's packages from its throwaway install folder (outside this
 * repo, made by bench/peers/setup.mjs), and the two lines a wrapper prints once
 * it listens, which bench/peers/run.mjs reads.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** Root of the throwaway install folders: $SCIMD_PEERS_DIR, else <tmp>/scimd-peers. */
export const peersRoot = () => process.env.SCIMD_PEERS_DIR || join(tmpdir(), 'scimd-peers');

/**
 * `--port N` (default 0: a free port), `--token T` (default random), `--dir D`
 * (default <peers root>/<peer>), on 127.0.0.1 only.
 */
export function peerOptions(peer, usage) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      token: { type: 'string' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`Usage: node bench/peers/${peer}.mjs [--port N] [--token T] [--dir D]\n\n${usage}\n`);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got "${values.port}"`);
  return { port, token: values.token || randomBytes(24).toString('hex'), dir: values.dir || join(peersRoot(), peer) };
}

/**
 * Imports a package installed in `dir`/node_modules (not this repo's). Resolution
 * uses Node's `require` conditions, so a package that ships both builds loads
 * its CommonJS one; every package of one peer is loaded the same way, so they
 * share module instances. Returns the module namespace plus `main`: the default
 * export, unwrapped from a transpiled CommonJS module's `exports.default`.
 */
export async function peerImport(dir, specifier) {
  let file;
  try {
    file = createRequire(join(dir, 'package.json')).resolve(specifier);
  } catch (err) {
    throw new Error(`cannot load ${specifier} from ${dir} (run \`node bench/peers/setup.mjs\` first): ${err.message}`);
  }
  const ns = await import(pathToFileURL(file).href);
  const main = ns.default?.__esModule && 'default' in ns.default ? ns.default.default : ns.default;
  return { ...ns, main };
}

/** Installed version of a package in `dir` (its package.json), for the report. */
export function peerVersion(dir, name) {
  try {
    return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** The lines bench/peers/run.mjs waits for (and a person can copy). */
export function announce({ peer, base, token, versions, store }) {
  process.stdout.write(`${peer} peer: ${Object.entries(versions).map(([n, v]) => `${n}@${v ?? '?'}`).join(', ')}; store: ${store}\n`);
  process.stdout.write(`SCIM base URL: ${base}\n`);
  process.stdout.write(`bearer token: ${token}\n`);
}

/** Stops on SIGTERM/SIGINT: closes the server, then runs `extra` (e.g. deleting a temp database). */
export function stopOnSignal(server, extra) {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections?.();
    server.close(() => {
      Promise.resolve(extra?.()).finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
