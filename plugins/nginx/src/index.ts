export { nginx, contributeNginx, nginxConfigureTasks, siteNameOf, RELOAD_NGINX, STATIC_MAX_AGE, type NginxOptions } from './nginx.js';
export { nginxSite, nginxSiteType, checkSite, siteScript, type NginxSiteOptions, type SiteState } from './nginx-site.js';
export { renderServerBlock, upstreamPass, nginxValue, locationPath, ACME_PATH, type ServerBlockOptions } from './render-server-block.js';
