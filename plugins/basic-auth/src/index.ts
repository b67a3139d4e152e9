export { basicAuth, contributeBasicAuth, basicAuthConfigureTasks, userFileFor, ACME_CHALLENGE_PATH, type BasicAuthOptions } from './basic-auth.js';
export { htpasswd, htpasswdType, checkHtpasswd, parseHtpasswd, type HtpasswdOptions, type HtpasswdState } from './htpasswd.js';
export { apr1, verifyPassword, randomSalt } from './md5-crypt.js';
export { resolveUsers } from './resolve-users.js';
