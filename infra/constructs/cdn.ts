import path from 'node:path';
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AccessLevel,
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  CacheHeaderBehavior,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  KeyValueStore,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { API_ROUTES } from '../../functions/api/routes';
import { REGISTRY_SEGMENTS } from '../../shared/domain/distribution';
import { acknowledge } from '../nag';

export interface CdnProps {
  readonly packagesBucket: IBucket;
  readonly httpApi: IHttpApi;
  readonly accessLogBucket: IBucket;
  /** Custom host name; needs `certificateArn` (an ACM certificate in us-east-1). */
  readonly domainName?: string;
  readonly certificateArn?: string;
}

const EDGE_FUNCTION_FILE = path.join(__dirname, '..', '..', 'functions', 'edge-auth', 'viewer-request.js');
/** Requests for `/` fetch this (absent) object instead of listing the bucket. */
const ROOT_OBJECT = 'index.html';

/**
 * CloudFront in front of the packages bucket (every read is a static object) and, under /api/*, the HTTP API.
 * The viewer-request function runs before the cache, so a path-only cache key never serves a private
 * repository's object to a caller the function has not admitted.
 */
export class Cdn extends Construct {
  readonly distribution: Distribution;
  readonly edgeStore: KeyValueStore;
  readonly edgeFunction: CloudFrontFunction;
  /** https URL clients read from, without a trailing slash. */
  readonly publicBaseUrl: string;

  constructor(scope: Construct, id: string, props: CdnProps) {
    super(scope, id);
    if (!props.domainName !== !props.certificateArn) throw new Error('domainName and certificateArn go together');

    this.edgeStore = new KeyValueStore(this, 'EdgeStore', { comment: 'Packyard private repositories and read tokens' });
    this.edgeFunction = new CloudFrontFunction(this, 'ViewerRequest', {
      code: FunctionCode.fromFile({ filePath: EDGE_FUNCTION_FILE }),
      runtime: FunctionRuntime.JS_2_0,
      keyValueStore: this.edgeStore,
      comment: 'Packyard: URL rewrites and read-token check',
    });

    const packagesCache = new CachePolicy(this, 'PackagesCache', {
      comment: 'Packyard packages: path-only key; indexes live 60 s unless the object says otherwise',
      defaultTtl: Duration.seconds(60),
      minTtl: Duration.seconds(0),
      // Pool and by-hash files say `immutable, max-age=31536000`; honour it.
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: false,
      enableAcceptEncodingBrotli: false,
    });

    // Registry reads a static object or, for the few dynamic ones, reach the API with the caller's token, so
    // the token is part of the key; private repositories' tokens are removed by the function before the cache.
    const registryCache = new CachePolicy(this, 'RegistryCache', {
      comment: 'Packyard language registries: path plus credentials; indexes live 60 s unless the object says otherwise',
      defaultTtl: Duration.seconds(60),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.days(365),
      headerBehavior: CacheHeaderBehavior.allowList('Authorization', 'X-NuGet-ApiKey'),
      enableAcceptEncodingGzip: false,
      enableAcceptEncodingBrotli: false,
    });

    const stack = Stack.of(this);
    const apiDomain = `${props.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    const apiBehavior: BehaviorOptions = {
      // The viewer-request function sends native writes here by this id (cf.selectRequestOriginById('api')).
      origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY, originId: 'api' }),
      // A POST must not be redirected; API clients use https.
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      // API Gateway routes on its own Host name, so everything else (Authorization included) is forwarded.
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: false,
      responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
    };

    const packagesOrigin = S3BucketOrigin.withOriginAccessControl(props.packagesBucket, {
      originAccessLevels: [AccessLevel.READ, AccessLevel.LIST],
    });
    // `/{owner}/{repo}/npm/*` and the other registries: reads from the bucket, writes routed by the function.
    const registryBehavior: BehaviorOptions = {
      origin: packagesOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: registryCache,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: false,
      responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
      functionAssociations: [{ function: this.edgeFunction, eventType: FunctionEventType.VIEWER_REQUEST }],
    };

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Packyard',
      httpVersion: HttpVersion.HTTP2_AND_3,
      domainNames: props.domainName ? [props.domainName] : undefined,
      certificate: props.certificateArn ? Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn) : undefined,
      // Settable only with a custom certificate; every client Packyard serves speaks TLS 1.2.
      minimumProtocolVersion: props.certificateArn ? SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      defaultRootObject: ROOT_OBJECT,
      enableLogging: true,
      logBucket: props.accessLogBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        // LIST lets S3 answer 404 (not 403) for a missing file, which apt, pip and npm treat as "absent";
        // query strings never reach the origin and `/` maps to ROOT_OBJECT, so no request can list the bucket.
        origin: packagesOrigin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: packagesCache,
        // Index files are stored pre-compressed (.gz, .xz) where clients expect them; never re-encode.
        compress: false,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations: [{ function: this.edgeFunction, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        ...Object.fromEntries(apiPathPatterns(API_ROUTES).map((pattern) => [pattern, apiBehavior])),
        ...Object.fromEntries(REGISTRY_SEGMENTS.map((segment) => [`/*/*/${segment}/*`, registryBehavior])),
      },
    });

    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      'defaultRootObject is set, so `/` never lists the bucket',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'a package registry serves its clients wherever they are; an operator who must restrict countries adds a geo restriction (infra/README.md)',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'reads are static objects behind the token check of the viewer-request function and the API throttles per stage; a WAF web ACL (billed per rule and request) is the operator\'s choice (infra/README.md)',
    );
    if (!props.certificateArn) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR4',
        'without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose TLS policy cannot be set; with domainName and certificateArn the minimum is TLSv1.2_2021',
      );
    }

    this.publicBaseUrl = `https://${props.domainName ?? this.distribution.distributionDomainName}`;
  }
}

/**
 * The CloudFront path patterns that must reach the API rather than the bucket, from the API's own route list:
 * a route under a fixed first segment (`/api/...`, `/install/...`) brings that whole tree; a route beside a
 * repository's files (`/{owner}/{repo}/script.deb.sh`) brings exactly that shape.
 */
export function apiPathPatterns(routes: readonly string[]): string[] {
  const patterns = routes.map((route) => {
    const segments = route.split(' ')[1].split('/').slice(1);
    if (!segments[0].startsWith('{')) return `/${segments[0]}/*`;
    return '/' + segments.map((seg) => (seg.startsWith('{') ? '*' : seg)).join('/');
  });
  return [...new Set(patterns)];
}
