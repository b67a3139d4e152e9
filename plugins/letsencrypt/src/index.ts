export { letsencrypt, contributeLetsencrypt, letsencryptConfigureTasks, certPaths, NGINX_HANDLERS, CA_BUNDLE_FILE, CERTBOT_DROP_IN, DEPLOY_HOOK, DEPLOY_HOOK_SCRIPT } from './letsencrypt.js';
export {
  resolveLetsencryptOptions, dnsName, LETSENCRYPT_PRODUCTION, LETSENCRYPT_STAGING, HSTS_YEAR,
  type LetsencryptOptions, type ResolvedLetsencryptOptions,
} from './letsencrypt-options.js';
export {
  certificate, certificateType, certificateFact, parseCertificate, checkCertificate, certbotArgs,
  type CertificateOptions, type CertificateFacts, type CertificateState,
} from './certificate.js';
