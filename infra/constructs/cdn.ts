import path from 'node:path';
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AccessLevel,
  AllowedMethods,
  CachePolicy,
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
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

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

    const stack = Stack.of(this);
    const apiDomain = `${props.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Packyard',
      httpVersion: HttpVersion.HTTP2_AND_3,
      domainNames: props.domainName ? [props.domainName] : undefined,
      certificate: props.certificateArn ? Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn) : undefined,
      defaultRootObject: ROOT_OBJECT,
      enableLogging: true,
      logBucket: props.accessLogBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        // LIST lets S3 answer 404 (not 403) for a missing file, which apt, pip and npm treat as "absent";
        // query strings never reach the origin and `/` maps to ROOT_OBJECT, so no request can list the bucket.
        origin: S3BucketOrigin.withOriginAccessControl(props.packagesBucket, {
          originAccessLevels: [AccessLevel.READ, AccessLevel.LIST],
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: packagesCache,
        // Index files are stored pre-compressed (.gz, .xz) where clients expect them; never re-encode.
        compress: false,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations: [{ function: this.edgeFunction, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
          // A POST must not be redirected; API clients use https.
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // API Gateway routes on its own Host name, so everything else (Authorization included) is forwarded.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          compress: false,
          responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        },
      },
    });

    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      'defaultRootObject is set, so `/` never lists the bucket',
    );

    this.publicBaseUrl = `https://${props.domainName ?? this.distribution.distributionDomainName}`;
  }
}
