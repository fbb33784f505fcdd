import { awsDeps } from '../../../shared/aws/deps';
import { CloudFrontCdnCache } from '../../../shared/aws/cloudfront-cdn-cache';
import { DynamoMetadataStore } from '../../../shared/aws/dynamo-metadata-store';
import { ENV } from '../../../shared/config';

describe('awsDeps', () => {
  it('reads no variable until a port is used, then names the one that is missing', () => {
    const deps = awsDeps({});
    expect(deps.clock.now()).toBeInstanceOf(Date);
    expect(() => deps.meta).toThrow(`environment variable ${ENV.TABLE_NAME} is not set`);
    expect(() => deps.packages).toThrow(ENV.PACKAGES_BUCKET);
    expect(() => deps.incoming).toThrow(ENV.INCOMING_BUCKET);
    expect(() => deps.keys).toThrow(ENV.KMS_KEY_ID);
    expect(() => deps.queue).toThrow(ENV.REBUILD_QUEUE_URL);
    expect(() => deps.publicBaseUrl).toThrow(ENV.PUBLIC_BASE_URL);
  });

  it('builds each port once, from only the variables it needs', () => {
    const deps = awsDeps({ [ENV.TABLE_NAME]: 'packyard', [ENV.PUBLIC_BASE_URL]: 'https://pkgs.example.com/' });
    expect(deps.meta).toBeInstanceOf(DynamoMetadataStore);
    expect(deps.meta).toBe(deps.meta);
    expect(deps.publicBaseUrl).toBe('https://pkgs.example.com');
    expect(() => deps.packages).toThrow(ENV.PACKAGES_BUCKET);
  });

  it('has a CDN to invalidate only where DISTRIBUTION_ID is set', () => {
    expect(awsDeps({}).cdn).toBeUndefined();
    expect(awsDeps({ [ENV.DISTRIBUTION_ID]: 'E123' }).cdn).toBeInstanceOf(CloudFrontCdnCache);
  });
});
