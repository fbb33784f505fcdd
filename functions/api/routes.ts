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
  'GET /api/v1/repos/{owner}/{repo}/master-tokens',
  'POST /api/v1/repos/{owner}/{repo}/master-tokens',
  'DELETE /api/v1/repos/{owner}/{repo}/master-tokens/{id}',
  'GET /api/v1/repos/{owner}/{repo}/master-tokens/{id}/read-tokens',
  'DELETE /api/v1/repos/{owner}/{repo}/read-tokens/{id}',
  'GET /api/v1/repos/{owner}/{repo}/collaborators',
  'POST /api/v1/repos/{owner}/{repo}/collaborators',
  'DELETE /api/v1/repos/{owner}/{repo}/collaborators/{user}',
  'GET /api/v1/repos/{owner}/{repo}/events',
  'GET /api/v1/repos/{owner}/{repo}/signing-keys',
  'POST /api/v1/repos/{owner}/{repo}/signing-keys/rotate',
  'DELETE /api/v1/repos/{owner}/{repo}/signing-keys/previous',
  'GET /api/v1/repos/{owner}/{repo}/oidc-policies',
  'POST /api/v1/repos/{owner}/{repo}/oidc-policies',
  'DELETE /api/v1/repos/{owner}/{repo}/oidc-policies/{id}',
  'GET /api/v1/events',
  'GET /api/v1/users',
  'POST /api/v1/users',
  'GET /api/v1/tokens',
  'POST /api/v1/tokens',
  'DELETE /api/v1/tokens/{id}',
  // Packagecloud-compatible read-token minting, authenticated by a master token (see PUBLIC_ROUTES).
  'POST /install/repositories/{owner}/{repo}/tokens.text',
  'GET /install/repositories/{owner}/{repo}/script.deb.sh',
  'GET /install/repositories/{owner}/{repo}/script.rpm.sh',
  // The same scripts beside the repository's files (CloudFront routes `/*/*/script.*.sh` to the API).
  'GET /{owner}/{repo}/script.deb.sh',
  'GET /{owner}/{repo}/script.rpm.sh',
  // CI identity: an OIDC JWT is the credential (see PUBLIC_ROUTES).
  'POST /api/v1/oidc/exchange',
] as const;

export type ApiRouteKey = (typeof API_ROUTES)[number];
