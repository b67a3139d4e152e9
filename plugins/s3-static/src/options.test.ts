import test from 'ava';
import { resolveOptions, type S3StaticOptions } from './options.js';

test('defaults', (t) => {
  const o = resolveOptions();
  t.is(o.prefix, 'static/');
  t.is(o.path, '.');
  t.is(o.ref, 'HEAD');
  t.deepEqual(o.command, ['python3', 'manage.py', 'collectstatic', '--noinput']);
  t.is(o.concurrency, 8);
  t.false(o.delete);
  t.false(o.forcePathStyle);
  t.deepEqual(o.cacheControl, { hashed: 'public, max-age=31536000, immutable', other: 'public, max-age=300' });
});

test('a prefix gets its trailing slash; an empty prefix is the bucket root', (t) => {
  t.is(resolveOptions({ prefix: 'shop/static' }).prefix, 'shop/static/');
  t.is(resolveOptions({ prefix: '' }).prefix, '');
});

const bad: [string, S3StaticOptions, RegExp][] = [
  ['bucket', { bucket: 'Bad_Bucket' }, /s3-static: bucket must be an S3 bucket name/],
  ['prefix', { prefix: '/static' }, /prefix must be a key prefix without a leading '\/'/],
  ['prefix ..', { prefix: 'a/../b' }, /prefix must be/],
  ['command', { command: [] }, /command must be a non-empty argv array/],
  ['outputDir without command', { command: false }, /outputDir must be set when command is false/],
  ['endpoint', { endpoint: 'localhost:9000' }, /endpoint must be an http\(s\) URL, got "localhost:9000"/],
  ['publicUrl', { publicUrl: '//cdn' }, /publicUrl must be an http\(s\) URL/],
  ['concurrency', { concurrency: 0 }, /concurrency must be an integer from 1 to 256, got 0/],
  ['delete', { delete: 'yes' as never }, /delete must be a boolean, got "yes"/],
  ['acl', { acl: 'public' as never }, /acl must be 'public-read' or 'private'/],
  ['env', { env: { A: 1 as never } }, /env must be an object of string values/],
  ['option (unknown)', { bucekt: 'shop-static' } as never, /^s3-static: unknown option "bucekt"; did you mean "bucket"\? allowed: on, bucket, prefix, /],
  ['cacheControl option (unknown)', { cacheControl: { hash: 'no-cache' } } as never, /^s3-static: unknown option "cacheControl\.hash"; did you mean "cacheControl\.hashed"\? allowed: hashed, other$/],
];
for (const [name, options, message] of bad) {
  test(`bad ${name}: an E_OPTIONS error naming the key`, (t) => {
    const e = t.throws(() => resolveOptions(options), { message });
    t.is((e as { code?: string }).code, 'E_OPTIONS');
  });
}
