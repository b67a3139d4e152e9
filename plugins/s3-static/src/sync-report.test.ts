import test from 'ava';
import { changeLines, s3StaticSync, summary } from './sync-report.js';
import type { SyncResult } from './sync.js';

const r = (o: Partial<SyncResult>): SyncResult => ({ location: 's3://b1x/static/', uploaded: [], unchanged: 0, deleted: [], requests: 1, check: false, ...o });
const check = (res: SyncResult) => s3StaticSync({ result: res }).type.check({}, { result: res }, {} as never);

test('no change: ok, the counts as the reason', (t) => {
  t.deepEqual(check(r({ unchanged: 12 })), { noop: 's3://b1x/static/: uploaded 0, unchanged 12, deleted 0 (1 S3 request): in sync' });
});

test('uploads and deletions: changed, the summary then the names', (t) => {
  t.deepEqual(check(r({ uploaded: ['a.css'], deleted: ['old.css'], unchanged: 3, requests: 4 })), {
    changes: ['s3://b1x/static/: uploaded 1, unchanged 3, deleted 1 (4 S3 requests)', 'upload a.css', 'delete old.css'],
  });
});

test('--check says what would change; long lists are cut', (t) => {
  const many = Array.from({ length: 25 }, (_, i) => `f${i}.css`);
  const lines = changeLines(r({ uploaded: many, check: true }));
  t.is(lines[0], summary(r({ uploaded: many, check: true })));
  t.regex(lines[0], /would upload 25, unchanged 0, would delete 0/);
  t.is(lines.length, 22);
  t.is(lines[21], '… and 5 more');
});
