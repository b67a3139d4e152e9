import test from 'ava';
import { secret, type Secret } from '@runbook/core';
import { bucketUrl, resolveCredentials, resolveTarget } from './credentials.js';
import { resolveOptions } from './options.js';

const s = (o: Record<string, string>): Record<string, Secret> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, secret(v, k)]));

test('the names teams already use: BUCKET_NAME, AWS_ACCESS_ID, AWS_ACCESS_SECRET', (t) => {
  const secrets = s({ BUCKET_NAME: 'team-bucket', AWS_ACCESS_ID: 'AKIAOLD', AWS_ACCESS_SECRET: 'old-secret' });
  t.deepEqual(resolveTarget(resolveOptions(), secrets, 'prod'), { bucket: 'team-bucket', endpoint: undefined, region: 'us-east-1', forcePathStyle: false });
  const c = resolveCredentials(secrets, 'prod');
  t.is(c.accessKeyId.reveal(), 'AKIAOLD');
  t.is(c.secretAccessKey.reveal(), 'old-secret');
  t.is(String(c.secretAccessKey), '••••••');
});

test('the standard AWS names win over the others; endpoint and region from secrets', (t) => {
  const secrets = s({
    BUCKET_NAME: 'b-old', AWS_STORAGE_BUCKET_NAME: 'b-std', AWS_ACCESS_ID: 'x-old', AWS_ACCESS_KEY_ID: 'x-std',
    AWS_ACCESS_SECRET: 'y-old', AWS_SECRET_ACCESS_KEY: 'y-std', AWS_ENDPOINT_URL: 'https://s3.example.net/', AWS_DEFAULT_REGION: 'eu-west-3',
  });
  t.deepEqual(resolveTarget(resolveOptions(), secrets, 'stg'), { bucket: 'b-std', endpoint: 'https://s3.example.net', region: 'eu-west-3', forcePathStyle: false });
  t.is(resolveCredentials(secrets, 'stg').accessKeyId.reveal(), 'x-std');
  t.is(resolveCredentials(secrets, 'stg').secretAccessKey.reveal(), 'y-std');
});

test('options override secrets', (t) => {
  const o = resolveOptions({ bucket: 'opt-bucket', endpoint: 'http://127.0.0.1:9000', region: 'auto', forcePathStyle: true });
  t.deepEqual(resolveTarget(o, s({ BUCKET_NAME: 'other', AWS_REGION: 'us-west-2' }), 'dev'), { bucket: 'opt-bucket', endpoint: 'http://127.0.0.1:9000', region: 'auto', forcePathStyle: true });
});

test('missing: errors name the env and every key tried', (t) => {
  t.throws(() => resolveTarget(resolveOptions(), {}, 'qa'), {
    message: 's3-static: no bucket for env "qa": set the option bucket or add AWS_STORAGE_BUCKET_NAME or BUCKET_NAME to secrets/qa.env (tried AWS_STORAGE_BUCKET_NAME, BUCKET_NAME)',
  });
  t.throws(() => resolveCredentials(s({ AWS_ACCESS_KEY_ID: 'k' }), 'qa'), { message: /no secret access key for env "qa": add AWS_SECRET_ACCESS_KEY or AWS_ACCESS_SECRET to secrets\/qa.env/ });
  t.throws(() => resolveCredentials({}, 'qa'), { message: /no access key id for env "qa".*tried AWS_ACCESS_KEY_ID, AWS_ACCESS_ID/ });
});

test('the bucket URL: AWS virtual-hosted, custom endpoint path style or virtual-hosted', (t) => {
  t.is(bucketUrl({ bucket: 'b1x', region: 'eu-central-1', forcePathStyle: false }, 'static/'), 'https://b1x.s3.eu-central-1.amazonaws.com/static/');
  t.is(bucketUrl({ bucket: 'b1x', endpoint: 'http://127.0.0.1:4568', region: 'x', forcePathStyle: true }, 'static/'), 'http://127.0.0.1:4568/b1x/static/');
  t.is(bucketUrl({ bucket: 'b1x', endpoint: 'https://fra1.digitaloceanspaces.com', region: 'x', forcePathStyle: false }, ''), 'https://b1x.fra1.digitaloceanspaces.com/');
});
