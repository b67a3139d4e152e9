import test from 'ava';
import { unifiedDiff } from './diff.js';

const macro = test.macro((t, old: string | undefined, now: string, expected: string) => {
  t.is(unifiedDiff('/f', old, now), expected);
});

test('equal texts: empty', macro, 'a\n', 'a\n', '');
test('new file: from /dev/null', macro, undefined, 'a\nb\n', '--- /dev/null\n+++ /f\n@@ -0,0 +1,2 @@\n+a\n+b\n');
test('one line changed in the middle, 3 lines of context', macro,
  '1\n2\n3\n4\n5\n6\n7\n8\n9\n', '1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n',
  '--- /f\n+++ /f\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n');
test('two distant changes: two hunks', macro,
  'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n', 'A\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nL\n',
  '--- /f\n+++ /f\n@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n d\n@@ -9,4 +9,4 @@\n i\n j\n k\n-l\n+L\n');
test('appended line', macro, 'a\n', 'a\nb\n', '--- /f\n+++ /f\n@@ -1 +1,2 @@\n a\n+b\n');
test('missing final newline is shown', macro, 'a', 'a\n',
  '--- /f\n+++ /f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n');
test('all removed', macro, 'a\nb\n', '', '--- /f\n+++ /f\n@@ -1,2 +0,0 @@\n-a\n-b\n');
