import os from 'node:os';
import path from 'node:path';

/** What ssh takes from the control machine: home for `~`, the local user as the default remote user. */
export interface LocalContext {
  home: string;
  user: string;
  hostname: string;
  uid: number;
}

export interface LocalOverrides {
  /** @default os.homedir() */
  home?: string;
  /** @default os.userInfo().username */
  localUser?: string;
}

export function localContext(o: LocalOverrides = {}): LocalContext {
  const info = safeUserInfo();
  return {
    home: o.home ?? os.homedir(),
    user: o.localUser ?? info?.username ?? process.env.USER ?? 'root',
    hostname: os.hostname(),
    uid: info?.uid ?? -1,
  };
}

// userInfo throws when the uid has no passwd entry (some containers)
function safeUserInfo(): os.UserInfo<string> | undefined {
  try {
    return os.userInfo();
  } catch {
    return undefined;
  }
}

/** `~` and `~/x` as ssh expands them; `~user` forms are left alone. */
export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  return p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

/** A path as the user wrote it, made absolute against the directory of the file it was written in. */
export const resolvePath = (dir: string, p: string, home: string): string =>
  path.resolve(dir, expandHome(p, home));
