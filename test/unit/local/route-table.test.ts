import { API_ROUTES } from '../../../functions/api/routes';
import { REGISTRY_ROUTES } from '../../../functions/registry/routes';
import { RouteTable } from '../../../infra/local/api-event';

describe('RouteTable', () => {
  const t = new RouteTable(API_ROUTES);
  it('matches route keys and decodes path parameters as API Gateway does', () => {
    expect(t.match('GET', '/api/v1/repos')).toEqual({ key: 'GET /api/v1/repos', params: {} });
    expect(t.match('POST', '/api/v1/repos/acme/tools/packages/abc%3D/distributions')).toEqual({
      key: 'POST /api/v1/repos/{owner}/{repo}/packages/{id}/distributions',
      params: { owner: 'acme', repo: 'tools', id: 'abc=' },
    });
  });
  it('tells a wrong method from an unknown path', () => {
    expect(t.match('PUT', '/api/v1/repos')).toBe('method-not-allowed');
    expect(t.match('GET', '/api/v1/nothing')).toBeUndefined();
    expect(t.match('GET', '/api/v1/repos/acme/tools/extra/deep/path')).toBeUndefined();
  });
});

describe('RouteTable with greedy registry routes', () => {
  const t = new RouteTable(REGISTRY_ROUTES);
  it('matches any method and the rest of the path', () => {
    expect(t.match('PUT', '/acme/tools/npm/@acme%2fx')).toEqual({ key: 'ANY /{owner}/{repo}/npm/{proxy+}', params: { owner: 'acme', repo: 'tools', proxy: '@acme/x' } });
    expect(t.match('DELETE', '/acme/tools/cargo/api/v1/crates/foo/0.1.0/yank')).toMatchObject({ key: 'ANY /{owner}/{repo}/cargo/{proxy+}', params: { proxy: 'api/v1/crates/foo/0.1.0/yank' } });
    expect(t.match('POST', '/acme/tools/pypi/legacy/')).toMatchObject({ key: 'ANY /{owner}/{repo}/pypi/{proxy+}', params: { proxy: 'legacy/' } });
  });
  it('needs something below the registry', () => {
    expect(t.match('PUT', '/acme/tools/npm/')).toBeUndefined();
    expect(t.match('PUT', '/acme/tools/debian/x')).toBeUndefined();
  });
});
