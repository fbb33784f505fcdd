import type { SQSEvent } from 'aws-lambda';
import { LocalRebuildQueue } from '../../../infra/local/local-queue';

const req = (scope: string) => ({ repo: 'acme/tools', format: 'deb', scope });

describe('LocalRebuildQueue', () => {
  it('runs one delivery per group at a time and coalesces requests queued meanwhile', async () => {
    const q = new LocalRebuildQueue();
    const seen: string[] = [];
    let active = 0;
    let maxActivePerGroup = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    q.attach(async (e: SQSEvent) => {
      active++;
      maxActivePerGroup = Math.max(maxActivePerGroup, active);
      seen.push(JSON.parse(e.Records[0].body).scope);
      await gate;
      active--;
      return { batchItemFailures: [] };
    });
    await q.enqueue([req('debian/bookworm')]);
    for (let i = 0; i < 10; i++) await q.enqueue([req('debian/bookworm')]);
    release();
    await q.drained();
    expect(seen).toEqual(['debian/bookworm', 'debian/bookworm']);
    expect(maxActivePerGroup).toBe(1);
  });

  it('runs different groups side by side', async () => {
    const q = new LocalRebuildQueue();
    let active = 0;
    let peak = 0;
    q.attach(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 20));
      active--;
      return { batchItemFailures: [] };
    });
    await q.enqueue([req('a/1'), req('b/2'), req('c/3')]);
    await q.drained();
    expect(peak).toBe(3);
  });

  it('retries a failed delivery, then dead-letters it', async () => {
    const q = new LocalRebuildQueue({ maxReceives: 3, retryDelayMs: 1 });
    let calls = 0;
    q.attach(async (e) => {
      calls++;
      return { batchItemFailures: [{ itemIdentifier: e.Records[0].messageId }] };
    });
    await q.enqueue([req('debian/sid')]);
    await q.drained();
    expect(calls).toBe(3);
    expect(q.deadLetters).toEqual([req('debian/sid')]);
  });
});
