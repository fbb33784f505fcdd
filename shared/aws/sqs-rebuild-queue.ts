import { randomUUID } from 'node:crypto';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PackyardError } from '../domain/errors';
import { rebuildGroupId, type RebuildQueue, type RebuildRequest } from '../ports/rebuild-queue';
import { unexpectedSdkError } from './sdk-error';

/** SQS's SendMessageBatch limit. */
const BATCH_MAX = 10;

/** The FIFO rebuild queue: one message group per index scope, so a scope is rebuilt by one worker at a time. */
export class SqsRebuildQueue implements RebuildQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(requests: RebuildRequest[]): Promise<void> {
    // The same scope twice in one call is one rebuild.
    const unique = [...new Map(requests.map((r) => [rebuildGroupId(r), r])).values()];
    for (let i = 0; i < unique.length; i += BATCH_MAX) {
      const chunk = unique.slice(i, i + BATCH_MAX);
      let failed: { Id?: string; Code?: string; Message?: string }[];
      try {
        const out = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: chunk.map((r, n) => ({
              Id: String(n),
              MessageBody: JSON.stringify({ repo: r.repo, format: r.format, scope: r.scope }),
              MessageGroupId: rebuildGroupId(r),
              // A random id, not the content: a rebuild asked for after one already started must not be
              // dropped as a duplicate; the worker coalesces the messages of a group instead.
              MessageDeduplicationId: randomUUID(),
            })),
          }),
        );
        failed = out.Failed ?? [];
      } catch (e) {
        throw unexpectedSdkError('SQS', 'SendMessageBatch', e);
      }
      if (failed.length > 0) {
        const what = failed.map((f) => `${chunk[Number(f.Id)] ? rebuildGroupId(chunk[Number(f.Id)]) : f.Id}: ${f.Code ?? 'error'}`).join(', ');
        throw new PackyardError(503, 'SQS_UNAVAILABLE', `could not enqueue rebuilds: ${what}`);
      }
    }
  }
}

// Compile-time conformance, aptly-style: this adapter is a RebuildQueue.
const _conformance: (client: SQSClient, queueUrl: string) => RebuildQueue = (client, url) => new SqsRebuildQueue(client, url);
void _conformance;
