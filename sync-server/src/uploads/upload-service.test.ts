import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  newId,
  tables,
  type Role,
  type ThreadAttachment,
  type ThreadId,
  type UploadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import { JobRunner } from '../jobs/job-runner.js';
import { SqliteJobStore } from '../jobs/sqlite-job-store.js';
import { createLogger } from '../logger.js';
import { openDb, type Db } from '../storage/db.js';
import type { ThreadAttachments } from './attachments.js';
import {
  scheduleUploadExpiry,
  UPLOAD_EXPIRY_MAX_EVERY_MS,
  UPLOAD_EXPIRY_QUEUE,
  uploadExpiryEveryMs,
  uploadExpiryHandler,
} from './expiry.js';
import { Thumbnails } from './thumbnails.js';
import { FileUploadBytes } from './upload-bytes.js';
import { ACTIVE_UPLOAD_WINDOW_MS, UploadService, type UploadFinished } from './upload-service.js';

const LIMITS = { maxUploadBytes: 1000, expiryMs: 3_600_000, quotaBytes: 2500, maxConcurrentUploads: 3 };

let db: Db;
let dir: string;
let bytes: FileUploadBytes;
let now: number;
let attached: Array<[ThreadId, ThreadAttachment]>;
let attachFails: boolean;
let service: UploadService;
let workspace: WorkspaceId;
let thread: ThreadId;
let alice: UserId;

function member(role: Role): UserId {
  const id = newId<UserId>();
  db.insert(tables.memberships).values({ workspaceId: workspace, userId: id, role, createdAt: now }).run();
  return id;
}

function makeService(): UploadService {
  const attachments: ThreadAttachments = {
    attach: (threadId, attachment) => {
      if (attachFails) return Promise.reject(new Error('hub down'));
      attached.push([threadId, attachment]);
      return Promise.resolve();
    },
    detach: () => Promise.resolve(),
  };
  return new UploadService({
    db,
    bytes,
    attachments,
    thumbnails: new Thumbnails(join(dir, 'thumbs')),
    limits: LIMITS,
    logger: createLogger('silent'),
    now: () => now,
  });
}

/** An upload admitted by the service and written whole through the tus store. */
async function uploadWhole(user: UserId, content: Buffer, name = 'a.txt'): Promise<UploadId> {
  const id = newId<UploadId>();
  service.begin(user, id, { filename: name, filetype: null, threadId: thread }, content.length);
  const { Upload } = await import('@tus/server');
  await bytes.store.create(new Upload({ id, size: content.length, offset: 0 }));
  const { Readable } = await import('node:stream');
  await bytes.store.write(Readable.from([content]), id, 0);
  return id;
}

beforeEach(() => {
  db = openDb({ path: ':memory:' });
  dir = mkdtempSync(join(tmpdir(), 'caucus-upload-service-'));
  bytes = new FileUploadBytes(join(dir, 'uploads'), LIMITS.expiryMs);
  now = 1_000_000;
  attached = [];
  attachFails = false;
  workspace = newId<WorkspaceId>();
  thread = newId<ThreadId>();
  db.insert(tables.workspaces)
    .values({ id: workspace, name: 'w', personal: false, createdBy: 'x' as UserId, createdAt: now })
    .run();
  db.insert(tables.threads)
    .values({
      id: thread,
      workspaceId: workspace,
      title: 't',
      status: 'active',
      createdBy: 'x' as UserId,
      createdAt: now,
      updatedAt: now,
    })
    .run();
  alice = member('editor');
  service = makeService();
});

afterEach(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const meta = () => ({ filename: 'a.pdf', filetype: 'application/pdf', threadId: thread });

describe('begin', () => {
  it('needs write access to the thread', () => {
    const viewer = member('viewer');
    expect(() => service.begin(viewer, newId<UploadId>(), meta(), 10)).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
    const stranger = newId<UserId>();
    expect(() => service.begin(stranger, newId<UploadId>(), meta(), 10)).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
    db.update(tables.threads).set({ status: 'archived' }).run();
    expect(() => service.begin(alice, newId<UploadId>(), meta(), 10)).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
  });

  it('counts uploads as concurrent only while they are active', () => {
    service.begin(alice, newId<UploadId>(), meta(), 10);
    service.begin(alice, newId<UploadId>(), meta(), 10);
    service.begin(alice, newId<UploadId>(), meta(), 10);
    expect(() => service.begin(alice, newId<UploadId>(), meta(), 10)).toThrow(
      expect.objectContaining({ code: 'too-many-uploads' }),
    );
    // Idle ones stop counting (they still hold their quota until they expire).
    now += ACTIVE_UPLOAD_WINDOW_MS + 1;
    service.begin(alice, newId<UploadId>(), meta(), 10);
    expect(service.stats(alice)).toMatchObject({ activeUploads: 1, quotaUsedBytes: 40 });
  });

  it('reserves the declared length, or the maximum while the length is deferred, against the quota', () => {
    service.begin(alice, newId<UploadId>(), meta(), null);
    service.begin(alice, newId<UploadId>(), meta(), 1000);
    now += ACTIVE_UPLOAD_WINDOW_MS + 1;
    expect(() => service.begin(alice, newId<UploadId>(), meta(), 501)).toThrow(
      expect.objectContaining({ code: 'quota-exceeded' }),
    );
    service.begin(alice, newId<UploadId>(), meta(), 500);
    // Expired uploads give their reservation back.
    now += LIMITS.expiryMs;
    service.begin(alice, newId<UploadId>(), meta(), 1000);
  });
});

describe('finish', () => {
  it('records, attaches and announces once, however often it is called', async () => {
    const events: UploadFinished[] = [];
    service.onUploadFinished((e) => events.push(e));
    const id = await uploadWhole(alice, Buffer.from('hello, world\n'), 'hello.txt');
    const [a, b] = await Promise.all([service.finish(id), service.finish(id)]);
    const again = await service.finish(id);
    expect(a).toEqual(b);
    expect(again).toEqual(a);
    expect(a).toMatchObject({ id, type: 'text/plain', size: 13, uploadedBy: alice, threadId: thread });
    expect(attached).toEqual([
      [thread, { id, name: 'hello.txt', size: 13, type: 'text/plain', sha256: a.sha256 }],
    ]);
    expect(events).toEqual([{ file: a, workspaceId: workspace }]);
  });

  it('removes the bytes of a refused file and forgets it', async () => {
    const id = await uploadWhole(
      alice,
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]),
      'x.png',
    );
    await expect(service.finish(id)).rejects.toMatchObject({ code: 'unsupported-file-type' });
    expect(readdirSync(join(dir, 'uploads'))).toEqual([]);
    expect(() => service.forUploader(alice, id, 'status')).toThrow(
      expect.objectContaining({ code: 'not-found' }),
    );
    expect(attached).toEqual([]);
  });

  it('refuses to finish when the uploader lost write access meanwhile', async () => {
    const id = await uploadWhole(alice, Buffer.from('text'));
    db.update(tables.memberships).set({ role: 'viewer' }).run();
    await expect(service.finish(id)).rejects.toMatchObject({ code: 'forbidden' });
    expect(attached).toEqual([]);
  });
});

describe('recover', () => {
  it('finishes uploads whose bytes were all in, attaches unattached files, and sweeps stray bytes', async () => {
    const complete = await uploadWhole(alice, Buffer.from('all of it'));
    const partialId = newId<UploadId>();
    service.begin(alice, partialId, meta(), 100);
    const { Upload } = await import('@tus/server');
    await bytes.store.create(new Upload({ id: partialId, size: 100, offset: 0 }));
    // Attaching fails the first time: the file is recorded but not attached.
    const unattached = await uploadWhole(alice, Buffer.from('second'));
    attachFails = true;
    await expect(service.finish(unattached)).rejects.toThrow('hub down');
    attachFails = false;
    writeFileSync(join(dir, 'uploads', 'stray'), 'x');
    writeFileSync(join(dir, 'uploads', 'stray.json'), '{}');

    // A new process: a new service over the same database and directory.
    bytes = new FileUploadBytes(join(dir, 'uploads'), LIMITS.expiryMs);
    service = makeService();
    await service.recover();

    expect(attached.map(([, a]) => a.id).sort()).toEqual([complete, unattached].sort());
    expect(service.readable(alice, complete).size).toBe(9);
    expect(service.forUploader(alice, partialId, 'status').status).toBe('uploading');
    expect(readdirSync(join(dir, 'uploads'))).not.toContain('stray');
  });
});

describe('cleanupExpired', () => {
  it('removes only unfinished uploads past their expiry', async () => {
    const done = await uploadWhole(alice, Buffer.from('kept'));
    await service.finish(done);
    const stale = newId<UploadId>();
    service.begin(alice, stale, meta(), 100);
    expect(await service.cleanupExpired()).toBe(0);
    now += LIMITS.expiryMs;
    expect(await service.cleanupExpired()).toBe(1);
    expect(() => service.forUploader(alice, stale, 'status')).toThrow(
      expect.objectContaining({ code: 'not-found' }),
    );
    expect(service.readable(alice, done).id).toBe(done);
  });
});

describe('the uploads-expiry job', () => {
  it('removes expired uploads and attaches files whose attachment failed, at each turn', async () => {
    const store = new SqliteJobStore(db, () => now);
    const runner = new JobRunner({
      store,
      handlers: { [UPLOAD_EXPIRY_QUEUE]: uploadExpiryHandler(service) },
    });
    const everyMs = uploadExpiryEveryMs(LIMITS.expiryMs);
    expect(everyMs).toBe(UPLOAD_EXPIRY_MAX_EVERY_MS);
    scheduleUploadExpiry(store, now, everyMs);
    scheduleUploadExpiry(store, now, everyMs);
    expect(await runner.runDue()).toBe(1);

    const stale = newId<UploadId>();
    service.begin(alice, stale, meta(), 100);
    const unattached = await uploadWhole(alice, Buffer.from('late'));
    attachFails = true;
    await expect(service.finish(unattached)).rejects.toThrow('hub down');
    attachFails = false;
    // Not its turn yet: nothing runs.
    expect(await runner.runDue()).toBe(0);
    now += LIMITS.expiryMs;
    expect(await runner.runDue()).toBe(1);
    expect(() => service.forUploader(alice, stale, 'status')).toThrow(
      expect.objectContaining({ code: 'not-found' }),
    );
    expect(attached.map(([, a]) => a.id)).toEqual([unattached]);
    expect(db.select().from(tables.jobs).all()).toMatchObject([
      { queue: UPLOAD_EXPIRY_QUEUE, state: 'waiting', attempts: 0, repeatEveryMs: everyMs },
    ]);
  });
});
