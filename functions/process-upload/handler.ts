import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import type { AppDeps } from '../../shared/app/deps';
import { processUpload } from '../../shared/app/uploads';
import { awsDeps } from '../../shared/aws/deps';
import { lazy } from '../../shared/http/lazy';
import { log } from '../../shared/http/middleware';

/** S3 event keys are URL-encoded with '+' for spaces. */
const objectKey = (raw: string) => decodeURIComponent(raw.replace(/\+/g, ' '));

export const createProcessUploadHandler = (deps: AppDeps) =>
  middy<S3Event, void>().handler(async (event) => {
    for (const record of event.Records) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      const key = objectKey(record.s3.object.key);
      const result = await processUpload(deps, key);
      if (result) log('info', 'upload processed', { uploadId: result.id, repo: result.repo, status: result.status, code: result.error?.code });
    }
  });

export const handler = lazy(() => createProcessUploadHandler(awsDeps()));
