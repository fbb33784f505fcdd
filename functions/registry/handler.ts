import middy from '@middy/core';
import type { AppDeps } from '../../shared/app/deps';
import { awsDeps } from '../../shared/aws/deps';
import type { HttpEvent, HttpResult } from '../../shared/http/api-gateway';
import { httpErrors } from '../../shared/http/middleware';
import { lazy } from '../../shared/http/lazy';
import { dispatchNative } from './dispatch';

export const createRegistryHandler = (deps: AppDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(httpErrors())
    .handler((event) => dispatchNative(deps, event));

export const handler = lazy(() => createRegistryHandler(awsDeps()));
