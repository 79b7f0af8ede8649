/** Queue URLs: what is accepted, what is refused and why, and that a password is never shown. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readProjectConfig } from '../../src/engine/project-config.js';
import { parseQueueUrl, shownQueueUrl } from '../../src/queue/queue-url.js';
import { queueNameFor, queuesForWorker, remoteTag } from '../../src/queue/job-spec.js';

test('redis:// and rediss:// URLs: host, port, database, credentials and TLS', () => {
  assert.deepEqual(parseQueueUrl('redis://queue.local'), { host: 'queue.local', port: 6379, db: 0, tls: false, shown: 'redis://queue.local' });
  const full = parseQueueUrl('rediss://medpipe:s%40cret@10.0.0.5:6380/3');
  assert.equal(full.host, '10.0.0.5');
  assert.equal(full.port, 6380);
  assert.equal(full.db, 3);
  assert.equal(full.username, 'medpipe');
  assert.equal(full.password, 's@cret');
  assert.equal(full.tls, true);
  assert.equal(full.shown, 'rediss://medpipe:***@10.0.0.5:6380/3');
  assert.equal(parseQueueUrl('redis://:pw@h:1').shown, 'redis://:***@h:1');
});

test('bad queue URLs are refused with the fix, and the password is not repeated', () => {
  assert.throws(() => parseQueueUrl('http://h:6379'), /a queue URL is redis:\/\/HOST:PORT\[\/DB\] or rediss:\/\/… \(TLS\), not http:\/\//);
  assert.throws(() => parseQueueUrl('redis://h:6379/queue'), /must be a database number/);
  assert.throws(() => parseQueueUrl('redis://h:6379/0?tls=1'), /takes no query/);
  assert.throws(
    () => parseQueueUrl('redis://:hunter2@h:notaport'),
    (e: Error) => !e.message.includes('hunter2') && /cannot be read/.test(e.message),
  );
  assert.throws(
    () => parseQueueUrl('redis://user:pa/ss@host'),
    (e: Error) => !e.message.includes('pa/ss') && /redis:\/\/user:\*\*\*@host cannot be read/.test(e.message),
  );
  assert.equal(shownQueueUrl('redis://u:p@h'), 'redis://u:***@h');
  // A password may hold @: everything up to the last @ of the authority is hidden.
  assert.equal(parseQueueUrl('redis://:p%40ss@host:6379').shown, 'redis://:***@host:6379');
  assert.equal(shownQueueUrl('redis://:p@ss@host:6379'), 'redis://:***@host:6379');
});

test('queue: in the committed project config, never with a password', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-queue-config-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{}\n');
    writeFileSync(join(dir, 'medpipe.config.yaml'), 'queue: redis://queue-host:6379/1\n');
    assert.equal(readProjectConfig(dir).queue, 'redis://queue-host:6379/1');
    writeFileSync(join(dir, 'medpipe.config.yaml'), '# team settings\nqueue: redis://:hunter2@queue-host:6379\n');
    assert.throws(
      () => readProjectConfig(dir),
      (e: Error) =>
        /medpipe\.config\.yaml:2: queue: this file is committed, so the URL must not hold a password; give the URL with its password in MEDPIPE_QUEUE instead/.test(
          e.message,
        ) && !e.message.includes('hunter2'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a queue per remote and label set; a worker listens on every subset of its labels, for its remote only', () => {
  const remote = 's3://hospital-ml/medpipe';
  const base = `medpipe-steps-${remoteTag(remote)}`;
  assert.match(base, /^medpipe-steps-[0-9a-f]{10}$/);
  assert.equal(queueNameFor([], remote), base);
  assert.equal(queueNameFor(['highmem', 'gpu', 'gpu'], remote), `${base}.gpu.highmem`);
  assert.deepEqual(queuesForWorker(['highmem', 'gpu'], remote), [base, `${base}.gpu`, `${base}.highmem`, `${base}.gpu.highmem`]);
  assert.notEqual(queueNameFor([], 's3://other-team/medpipe'), base);
});
