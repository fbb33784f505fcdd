import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsRebuildQueue } from '../../../shared/aws/sqs-rebuild-queue';
import { PackyardError } from '../../../shared/domain/errors';
import type { RebuildRequest } from '../../../shared/ports/rebuild-queue';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/111122223333/rebuild.fifo';

describe('SqsRebuildQueue (aws-sdk-client-mock)', () => {
  const client = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const sqs = mockClient(client);
  const queue = new SqsRebuildQueue(client, QUEUE);
  const req = (i: number): RebuildRequest => ({ repo: 'acme/tools', format: 'deb', scope: `debian/d${i}` });

  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });

  it('sends batches of at most 10, one group per scope, random deduplication ids', async () => {
    const requests = Array.from({ length: 23 }, (_, i) => req(i));
    await queue.enqueue(requests);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Entries?.length)).toEqual([10, 10, 3]);
    const entries = calls.flatMap((c) => c.Entries ?? []);
    expect(calls.every((c) => c.QueueUrl === QUEUE)).toBe(true);
    expect(entries.map((e) => JSON.parse(e.MessageBody ?? '') as RebuildRequest)).toEqual(requests);
    expect(entries.map((e) => e.MessageGroupId)).toEqual(requests.map((r) => `${r.repo}#${r.format}#${r.scope}`));
    expect(new Set(entries.map((e) => e.MessageDeduplicationId)).size).toBe(23);
    expect(entries[0].MessageDeduplicationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls.every((c) => new Set(c.Entries?.map((e) => e.Id)).size === c.Entries?.length)).toBe(true);
  });

  it('sends the same scope asked for again later as a new message', async () => {
    await queue.enqueue([req(1)]);
    await queue.enqueue([req(1)]);
    const ids = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.[0].MessageDeduplicationId);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('folds duplicates within one call and sends nothing for an empty list', async () => {
    await queue.enqueue([req(1), req(1), req(2)]);
    await queue.enqueue([]);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input.Entries).toHaveLength(2);
  });

  it('fails loudly when SQS refuses entries', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    const e = await queue.enqueue([req(1)]).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(PackyardError);
    expect(e).toMatchObject({ status: 503, code: 'SQS_UNAVAILABLE' });
    expect((e as Error).message).toContain('acme/tools#deb#debian/d1');
  });
});
