/**
 * Installs the benchmark peers' packages, at pinned versions, into throwaway
 * folders outside this repo: <root>/<peer>, root = $SCIMD_PEERS_DIR or
 * <tmp>/scimd-peers. Nothing here is committed or added to package.json.
 *
 *   node bench/peers/setup.mjs                 # every peer
 *   node bench/peers/setup.mjs better-auth     # some
 *   node bench/peers/setup.mjs --check         # only say what is installed
 *
 * Exact versions are pinned for the packages we name; their own dependencies
 * resolve within the ranges those packages declare, and npm's lockfile in the
 * folder records what was installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peersRoot, peerVersion } from './common.mjs';

/**
 * The pins. Why these:
 * - scimmy: express 4, not 5: scimmy-routers 1.3.2 turns `startIndex`/`count`
 *   into numbers by assigning to `req.query`, which Express 5 re-parses on
 *   every read, so under Express 5 every list answers the first 20 resources.
 * - better-auth: @better-auth/scim 1.7.5 is the newest plugin release and
 *   needs exactly better-call 1.4.0 and @better-auth/utils 0.4.2, which
 *   better-auth 1.7.5 (not the newest, 1.7.x later moved both) uses; pinning
 *   @better-auth/core too keeps npm from pulling a newer core for the plugin's
 *   `^1.7.5` peer range. better-sqlite3 12, not 13: 13 declares Node ≥ 22 and
 *   dies with SIGSEGV on Node 20 when it opens a database; 12 has no prebuilt
 *   binary that can be downloaded here, so npm compiles it (1–2 minutes, needs
 *   python3, make and a C++ compiler).
 */
export const PEERS = {
  scimmy: {
    wrapper: 'scimmy.mjs',
    packages: { scimmy: '1.3.5', 'scimmy-routers': '1.3.2', express: '4.22.3' },
  },
  'better-auth': {
    wrapper: 'better-auth.mjs',
    packages: {
      'better-auth': '1.7.5',
      '@better-auth/scim': '1.7.5',
      '@better-auth/core': '1.7.5',
      '@better-auth/utils': '0.4.2',
      'better-call': '1.4.0',
      'better-sqlite3': '12.11.1',
    },
  },
};

export const peerDir = (peer) => join(peersRoot(), peer);

/** Names of pinned packages that are missing or at another version in the peer's folder. */
export function missing(peer) {
  const dir = peerDir(peer);
  return Object.entries(PEERS[peer].packages)
    .filter(([name, version]) => peerVersion(dir, name) !== version)
    .map(([name, version]) => `${name}@${version}`);
}

/** npm install in the peer's folder; throws with npm's output when it fails. */
export function install(peer, log = (m) => process.stderr.write(`${m}\n`)) {
  const dir = peerDir(peer);
  mkdirSync(dir, { recursive: true });
  const manifest = {
    name: `scimd-bench-peer-${peer}`,
    private: true,
    description: 'Throwaway install of a SCIM server the scimd benchmark compares with (made by bench/peers/setup.mjs)',
    dependencies: PEERS[peer].packages,
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const env = { ...process.env };
  // better-sqlite3 has no prebuilt binary reachable here and compiles with node-gyp, which
  // downloads Node's headers unless told where installed ones are.
  const prefix = dirname(dirname(process.execPath));
  if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix;
  const args = ['install', '--no-audit', '--no-fund', '--save-exact'];
  log(`${peer}: npm ${args.join(' ')} in ${dir} (${Object.entries(PEERS[peer].packages).map(([n, v]) => `${n}@${v}`).join(' ')})`);
  const t0 = performance.now();
  const r = spawnSync('npm', args, { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status !== 0) throw new Error(`npm install for ${peer} failed (exit ${r.status ?? r.signal}) in ${dir}:\n${output}`);
  const left = missing(peer);
  if (left.length) throw new Error(`after npm install in ${dir}, still missing or at another version: ${left.join(', ')}\n${output}`);
  log(`${peer}: installed in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** Installs the peers whose folder lacks a pinned version; returns the names it installed. */
export function ensure(peers, log) {
  const done = [];
  for (const peer of peers) {
    if (!PEERS[peer]) throw new Error(`unknown peer "${peer}"; known: ${Object.keys(PEERS).join(', ')}`);
    if (missing(peer).length) {
      install(peer, log);
      done.push(peer);
    }
  }
  return done;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const force = args.includes('--force');
  const names = args.filter((a) => !a.startsWith('--'));
  const peers = names.length ? names : Object.keys(PEERS);
  try {
    for (const peer of peers) {
      if (!PEERS[peer]) throw new Error(`unknown peer "${peer}"; known: ${Object.keys(PEERS).join(', ')}`);
      const left = missing(peer);
      if (check) console.log(`${peer}: ${left.length ? `missing ${left.join(', ')}` : 'installed'} (${peerDir(peer)})`);
      else if (force || left.length) install(peer);
      else console.log(`${peer}: already installed in ${peerDir(peer)}`);
    }
  } catch (err) {
    console.error(err.message);
    process.exitCode = 1;
  }
}
