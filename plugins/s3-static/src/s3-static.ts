/**
 * `s3Static()`: static files in a bucket instead of on the hosts. A deploy collects them once on the
 * control machine and syncs them to S3 (or any S3 API) before any host is planned; every host's .env and
 * site model get the bucket's (or the CDN's) URL, so nginx serves no /static/ location.
 */
import { definePlugin, placeable, type PluginContext, type PrepareContext, type SiteModel, type Plugin } from '@runbook/core';
import { collect } from './collect.js';
import { bucketUrl, resolveCredentials, resolveTarget } from './credentials.js';
import { resolveOptions, type S3StaticOptions } from './options.js';
import { syncStatic, type SyncResult } from './sync.js';
import { s3StaticSync } from './sync-report.js';

/**
 * Static files on S3 or any S3-compatible service. List it after `app()` and before `nginx()`.
 * @example s3Static({ path: 'apps/shop', publicUrl: 'https://cdn.example.com/static/' })
 * @example s3Static({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, delete: true })
 */
export function s3Static(options: S3StaticOptions = {}): Plugin {
  const o = resolveOptions(options);
  // the sync of each run, made once by `prepare`
  const results = new WeakMap<object, SyncResult>();
  return placeable(s3Static, options, definePlugin({
    name: 's3-static',
    async prepare(ctx: PrepareContext) {
      if (ctx.playbook !== 'deploy') return;
      const target = resolveTarget(o, ctx.secrets, ctx.env);
      const credentials = resolveCredentials(ctx.secrets, ctx.env);
      const collected = await collect(o, ctx.config.root, ctx.secrets);
      try {
        results.set(ctx.config, await syncStatic({ files: collected.files, target, credentials, options: o, check: Boolean(ctx.check) }));
      } finally {
        await collected.cleanup();
      }
    },
    contribute(site: SiteModel, ctx: PluginContext) {
      const url = o.publicUrl ?? bucketUrl(resolveTarget(o, ctx.secrets, ctx.env), o.prefix);
      site.staticUrl = url;
      site.env.STATIC_URL = url;
    },
    deploy(ctx: PluginContext) {
      const result = results.get(ctx.config);
      return result ? { prepare: [s3StaticSync({ result })] } : {};
    },
  }));
}
