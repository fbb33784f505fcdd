import { randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { rebuildGroupId, type RebuildQueue, type RebuildRequest } from '../../shared/ports/rebuild-queue';

type Consumer = (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

/**
 * SQS FIFO's behaviour in process: one worker per message group at a time, and requests for a group that
 * arrive while it is queued coalesce into one delivery. A failed delivery is retried with backoff, up to
 * `maxReceives` times, as SQS would before sending it to the DLQ.
 */
export class LocalRebuildQueue implements RebuildQueue {
  private consumer?: Consumer;
  private readonly pending = new Map<string, RebuildRequest>();
  private readonly running = new Set<string>();
  private readonly idleWaiters: (() => void)[] = [];
  readonly deadLetters: RebuildRequest[] = [];

  constructor(private readonly opts: { maxReceives?: number; retryDelayMs?: number } = {}) {}

  attach(consumer: Consumer): void {
    this.consumer = consumer;
    for (const group of this.pending.keys()) this.kick(group);
  }

  async enqueue(requests: RebuildRequest[]): Promise<void> {
    for (const r of requests) {
      const group = rebuildGroupId(r);
      this.pending.set(group, r);
      this.kick(group);
    }
  }

  /** Resolves once nothing is queued or running (tests and the CLI's local checks wait on it). */
  drained(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.pending.size === 0 && this.running.size === 0;
  }

  private kick(group: string): void {
    if (!this.consumer || this.running.has(group) || !this.pending.has(group)) return;
    const req = this.pending.get(group)!;
    this.pending.delete(group);
    this.running.add(group);
    void this.deliver(group, req, 1).finally(() => {
      this.running.delete(group);
      if (this.pending.has(group)) this.kick(group);
      else if (this.isIdle()) this.idleWaiters.splice(0).forEach((w) => w());
    });
  }

  private async deliver(group: string, req: RebuildRequest, attempt: number): Promise<void> {
    const messageId = randomUUID();
    const event = {
      Records: [
        {
          messageId,
          receiptHandle: messageId,
          body: JSON.stringify(req),
          attributes: { MessageGroupId: group, ApproximateReceiveCount: String(attempt) },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:local:000000000000:packyard-rebuild.fifo',
          awsRegion: 'local',
        },
      ],
    } as unknown as SQSEvent;
    let failed = false;
    try {
      const res = await this.consumer!(event);
      failed = res.batchItemFailures.length > 0;
    } catch {
      failed = true;
    }
    if (!failed) return;
    if (attempt >= (this.opts.maxReceives ?? 5)) {
      this.deadLetters.push(req);
      return;
    }
    await new Promise((r) => setTimeout(r, (this.opts.retryDelayMs ?? 500) * attempt));
    // A newer request for the group supersedes the retry: it rebuilds from the same current state.
    if (this.pending.has(group)) return;
    await this.deliver(group, req, attempt + 1);
  }
}
