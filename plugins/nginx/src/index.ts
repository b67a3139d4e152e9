export { nginx, contributeNginx, nginxConfigureTasks, nginxSiteTask, siteNameOf, RELOAD_NGINX, UPDATE_NGINX_SITE, STATIC_MAX_AGE, type NginxOptions } from './nginx.js';
export { nginxSite, nginxSiteType, checkSite, siteScript, missingFact, type NginxSiteOptions, type SiteState } from './nginx-site.js';
export { renderServerBlock, upstreamPass, nginxValue, locationPath, ACME_PATH, type ServerBlockOptions } from './render-server-block.js';
