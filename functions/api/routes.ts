/**
 * The management API's routes. The CDK api construct creates one HTTP API route per entry, the local server
 * matches requests against them, and the handler dispatches on the route key. Dependency-free.
 */
export const API_ROUTES = [
  'GET /api/v1/repos',
  'POST /api/v1/repos',
  'GET /api/v1/repos/{owner}/{repo}',
  'PATCH /api/v1/repos/{owner}/{repo}',
  'DELETE /api/v1/repos/{owner}/{repo}',
  'POST /api/v1/repos/{owner}/{repo}/uploads',
  'GET /api/v1/repos/{owner}/{repo}/uploads/{id}',
  'POST /api/v1/repos/{owner}/{repo}/uploads/{id}/complete',
  'GET /api/v1/repos/{owner}/{repo}/packages',
  'POST /api/v1/repos/{owner}/{repo}/packages',
  'GET /api/v1/repos/{owner}/{repo}/packages/{id}',
  'POST /api/v1/repos/{owner}/{repo}/packages/{id}/distributions',
  'GET /api/v1/tokens',
  'POST /api/v1/tokens',
  'DELETE /api/v1/tokens/{id}',
] as const;

export type ApiRouteKey = (typeof API_ROUTES)[number];
