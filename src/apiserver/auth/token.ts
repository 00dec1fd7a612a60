// The admin bearer token: given with --token, else generated once and kept in the data dir
// (like k3s's server token), so restarts keep existing kubeconfigs working.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function ensureToken(tokenPath: string, given?: string): string {
  if (given) {
    mkdirSync(dirname(tokenPath), { recursive: true, mode: 0o700 });
    writeFileSync(tokenPath, `${given}\n`, { mode: 0o600 });
    return given;
  }
  if (existsSync(tokenPath)) {
    const stored = readFileSync(tokenPath, 'utf8').trim();
    if (stored) return stored;
  }
  const token = randomBytes(24).toString('hex');
  mkdirSync(dirname(tokenPath), { recursive: true, mode: 0o700 });
  writeFileSync(tokenPath, `${token}\n`, { mode: 0o600 });
  return token;
}

export interface UserInfo {
  name: string;
  groups: string[];
}

/** Checks `Authorization: Bearer <token>` against the known tokens in constant time. */
export class TokenAuthenticator {
  private readonly tokens = new Map<string, UserInfo>();

  addToken(token: string, user: UserInfo): void {
    this.tokens.set(token, user);
  }

  authenticate(authorization: string | undefined): UserInfo | undefined {
    if (!authorization) return undefined;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return undefined;
    const presented = Buffer.from(match[1]);
    for (const [token, user] of this.tokens) {
      const known = Buffer.from(token);
      if (known.length === presented.length && timingSafeEqual(known, presented)) return user;
    }
    return undefined;
  }
}
