import { API_ROUTES } from '../../../functions/api/routes';
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
