import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AppDeps } from '../../shared/app/deps';
import { rebuildIndex } from '../../shared/app/rebuild';
import { awsDeps } from '../../shared/aws/deps';
import { lazy } from '../../shared/http/lazy';
import { log } from '../../shared/http/middleware';
import { rebuildGroupId, type RebuildRequest } from '../../shared/ports/rebuild-queue';

/**
 * One rebuild per scope however many messages a batch holds for it (a burst of uploads coalesces). If a
 * scope fails, all of its messages are reported failed so SQS FIFO keeps them in order for the retry.
 */
export const createRebuildHandler = (deps: AppDeps) =>
  middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    const groups = new Map<string, { req: RebuildRequest; ids: string[] }>();
    for (const m of event.Records) {
      const req = JSON.parse(m.body) as RebuildRequest;
      const id = rebuildGroupId(req);
      const g = groups.get(id) ?? { req, ids: [] };
      g.ids.push(m.messageId);
      groups.set(id, g);
    }
    const failures: string[] = [];
    for (const [id, g] of groups) {
      try {
        const started = Date.now();
        const result = await rebuildIndex(deps, g.req);
        log('info', 'index rebuilt', { group: id, messages: g.ids.length, ms: Date.now() - started, ...result });
      } catch (e) {
        log('error', 'index rebuild failed', { group: id, error: e instanceof Error ? e.stack ?? e.message : String(e) });
        failures.push(...g.ids);
      }
    }
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  });

export const handler = lazy(() => createRebuildHandler(awsDeps()));
