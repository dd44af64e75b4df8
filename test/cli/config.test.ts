import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: undefined, publicUrl: undefined, operatorToken: undefined, maxPayloadBytes: 1_048_576, maxPageSize: 1000, authFailureLimit: 20, authFailureWindowSeconds: 60 });
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads and normalises values', () => {
    const c = loadConfig({ PORT: '9000', SCIMD_PUBLIC_URL: 'https://scim.example.com/', DATABASE_URL: 'postgres://u@h/db', SCIMD_OPERATOR_TOKEN: 'x'.repeat(20) });
    expect(c).toMatchObject({ port: 9000, publicUrl: 'https://scim.example.com', databaseUrl: 'postgres://u@h/db', operatorToken: 'x'.repeat(20) });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', SCIMD_PUBLIC_URL: ' ' }).databaseUrl).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT="eighty"'],
    [{ PORT: '70000' }, 'PORT="70000"'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL=<hidden>: must be a postgres://'],
    [{ SCIMD_PUBLIC_URL: 'scim.example.com' }, 'SCIMD_PUBLIC_URL="scim.example.com": must be an absolute http(s) URL'],
    [{ SCIMD_AUTH_FAILURE_LIMIT: '0' }, 'SCIMD_AUTH_FAILURE_LIMIT="0"'],
    [{ SCIMD_AUTH_FAILURE_WINDOW_SECONDS: 'a minute' }, 'SCIMD_AUTH_FAILURE_WINDOW_SECONDS="a minute"'],
    [{ SCIMD_OPERATOR_TOKEN: 'short' }, 'SCIMD_OPERATOR_TOKEN=<hidden>: must be at least 16 characters'],
  ])('refuses %o naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

it('never echoes a secret in a config error', () => {
  expect(() => loadConfig({ SCIMD_OPERATOR_TOKEN: 'shortsecret' })).not.toThrow(/shortsecret/);
  expect(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@h/db' })).not.toThrow(/hunter2/);
});
