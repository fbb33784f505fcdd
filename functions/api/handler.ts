import middy from '@middy/core';
import type { AppDeps } from '../../shared/app/deps';
import { awsDeps } from '../../shared/aws/deps';
import type { HttpEvent, HttpResult } from '../../shared/http/api-gateway';
import { httpErrors } from '../../shared/http/middleware';
import { lazy } from '../../shared/http/lazy';
import { dispatch } from './dispatch';

export const createApiHandler = (deps: AppDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(httpErrors())
    .handler((event) => dispatch(deps, event));

export const handler = lazy(() => createApiHandler(awsDeps()));
