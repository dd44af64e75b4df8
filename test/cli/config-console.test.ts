/** The console-session and proxy settings of `loadConfig` (docs/config.md). */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('loadConfig: console sessions and proxies', () => {
  it('defaults to 60 idle minutes, 12 hours, no trusted proxy', () => {
    expect(loadConfig({})).toMatchObject({ sessionIdleMinutes: 60, sessionMaxHours: 12, trustProxy: false });
  });

  it('reads the values', () => {
    expect(loadConfig({ SCIMD_SESSION_IDLE_MINUTES: '15', SCIMD_SESSION_MAX_HOURS: '8', SCIMD_TRUST_PROXY: 'true' })).toMatchObject({ sessionIdleMinutes: 15, sessionMaxHours: 8, trustProxy: true });
    expect(loadConfig({ SCIMD_TRUST_PROXY: ' 10.0.0.0/8, 192.168.1.5 ,loopback' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.5', 'loopback']);
    expect(loadConfig({ SCIMD_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ SCIMD_TRUST_PROXY: '' }).trustProxy).toBe(false);
  });

  it.each([
    [{ SCIMD_SESSION_IDLE_MINUTES: '0' }, 'SCIMD_SESSION_IDLE_MINUTES="0"'],
    [{ SCIMD_SESSION_IDLE_MINUTES: 'an hour' }, 'SCIMD_SESSION_IDLE_MINUTES="an hour"'],
    [{ SCIMD_SESSION_MAX_HOURS: '1.5' }, 'SCIMD_SESSION_MAX_HOURS="1.5"'],
    [{ SCIMD_SESSION_MAX_HOURS: '721' }, 'SCIMD_SESSION_MAX_HOURS="721"'],
    [{ SCIMD_TRUST_PROXY: 'yes' }, 'SCIMD_TRUST_PROXY="yes": must be true, false, or a comma-separated list'],
  ])('refuses %o naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
