import { App, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ConsoleStack } from '../../infra/stacks/console-stack.ts';
import { ofType, synthesize } from './synth.ts';

// Prepare (once for the file: synthesizing costs seconds).
const synth = synthesize();
const console_ = Template.fromStack(synth.consoleStack);
const resources = console_.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, any> }>;
const [[distributionId, distribution] = []] = ofType(resources, 'AWS::CloudFront::Distribution');
const config = distribution?.Properties?.DistributionConfig as Record<string, any>;
const bucketId = (prefix: string) => Object.keys(resources).find((id) => id.startsWith(prefix) && resources[id]?.Type === 'AWS::S3::Bucket') ?? '';

/** The CloudFront Function's code, run as CloudFront runs it on a viewer request. */
function viewerRequest(uri: string): { uri?: string; statusCode?: number; headers?: Record<string, { value: string }> } {
  const [[, fn] = []] = ofType(resources, 'AWS::CloudFront::Function');
  const handler = new Function(`${fn?.Properties?.FunctionCode as string}; return handler;`)() as (event: unknown) => never;
  return handler({ request: { uri, method: 'GET', headers: {} } });
}

describe('the console stack', () => {
  it('keeps the console in a private, encrypted, TLS-only bucket that only the distribution reads (origin access control)', () => {
    // Act
    const bucket = resources[bucketId('ConsoleAssets')]?.Properties;
    const [[, policy] = []] = ofType(resources, 'AWS::S3::BucketPolicy').filter(([, p]) => JSON.stringify(p.Properties?.Bucket).includes('ConsoleAssets'));
    const statements = (policy?.Properties?.PolicyDocument as { Statement: unknown }).Statement as { Effect: string; Principal: unknown; Action: unknown; Condition?: unknown }[];

    // Assess
    expect(bucket).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: bucketId('ConsoleLogs') } },
    });
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]);
    expect(JSON.stringify(statements.find((s) => s.Effect === 'Deny'))).toContain('aws:SecureTransport');
    console_.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    expect(config.Origins.find((o: { S3OriginConfig?: unknown }) => o.S3OriginConfig).OriginAccessControlId).toBeDefined();
  });

  it('sends /v1/* to the HTTP API uncached, with every viewer header but Host, every method, HTTPS only', () => {
    // Act
    const [api] = config.CacheBehaviors as Record<string, unknown>[];
    const apiOrigin = config.Origins.find((o: { Id: string }) => o.Id === api?.TargetOriginId);

    // Assess
    expect(config.CacheBehaviors).toHaveLength(1);
    expect(api).toMatchObject({
      PathPattern: '/v1/*',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
      ViewerProtocolPolicy: 'https-only',
    });
    expect(api?.ResponseHeadersPolicyId).toBeUndefined();
    expect(apiOrigin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    // The service stack's API, by its id, in the stack's own region.
    expect(JSON.stringify(apiOrigin.DomainName)).toMatch(/IcpCancelService.*PublishOutputRefHttpApi.*execute-api/);
  });

  it('serves the console with the security headers the local runtime sends, HTTPS enforced, logged', () => {
    // Act
    const [[, headers] = []] = ofType(resources, 'AWS::CloudFront::ResponseHeadersPolicy');
    const security = (headers?.Properties?.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, any> }).SecurityHeadersConfig;
    const csp = JSON.stringify(security.ContentSecurityPolicy.ContentSecurityPolicy);

    // Assess
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', ResponseHeadersPolicyId: { Ref: expect.stringMatching(/^ConsoleSecurityHeaders/) } });
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request' })]);
    expect(csp).toContain("default-src 'none'; script-src 'self'; style-src 'self'");
    expect(csp).toContain("connect-src 'self' https://");
    expect(csp).toContain('RegionalDomainName'); // the evidence bucket, where presigned uploads and report reads go
    expect(csp).toContain("frame-ancestors 'none'");
    expect(security).toMatchObject({
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      ContentTypeOptions: { Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: true },
    });
    expect(config.Logging).toMatchObject({ Bucket: { 'Fn::GetAtt': [bucketId('ConsoleLogs'), 'RegionalDomainName'] }, Prefix: 'distribution/' });
  });

  it('redirects / and /console to /console/ and serves a folder as its index.html', () => {
    // Act
    const root = viewerRequest('/');
    const bare = viewerRequest('/console');
    const folder = viewerRequest('/console/');
    const asset = viewerRequest('/console/assets/index-abc.js');

    // Assess
    expect(root).toMatchObject({ statusCode: 301, headers: { location: { value: '/console/' } } });
    expect(bare).toMatchObject({ statusCode: 301, headers: { location: { value: '/console/' } } });
    expect(folder.uri).toBe('/console/index.html');
    expect(asset.uri).toBe('/console/assets/index-abc.js');
  });

  it('deploys the console under console/ and invalidates its page', () => {
    // Act
    const [[, deployment] = []] = ofType(resources, 'Custom::CDKBucketDeployment');

    // Assess
    expect(deployment?.Properties).toMatchObject({
      DestinationBucketName: { Ref: bucketId('ConsoleAssets') },
      DestinationBucketKeyPrefix: 'console/',
      Prune: true,
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/console/', '/console/index.html'],
    });
  });

  it("uses CloudFront's own certificate unless given a domain with its certificate, then TLSv1.2 at least (cdk-nag clean without CFR4)", () => {
    // Prepare: the console stack alone, beside stand-ins for the API and the bucket (a whole app costs seconds more).
    const consoleWith = (context: Record<string, string>) => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context }, builtinCloudFormationValidation: false });
      const others = new Stack(app, 'Others');
      const stack = new ConsoleStack(app, 'Console', {
        api: apigwv2.HttpApi.fromHttpApiAttributes(others, 'Api', { httpApiId: 'a1b2c3d4e5' }),
        evidenceBucket: s3.Bucket.fromBucketName(others, 'Evidence', 'evidence-bucket'),
      });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      app.synth();
      return stack;
    };
    const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234';

    // Act
    const own = consoleWith({ consoleDomain: 'console.agency.example', consoleCertificateArn: arn });
    const ownConfig = Template.fromStack(own).findResources('AWS::CloudFront::Distribution');
    const refused = () => consoleWith({ consoleDomain: 'console.agency.example', consoleCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x' });

    // Assess
    expect(config.ViewerCertificate).toBeUndefined();
    expect(Object.values(ownConfig)[0]?.Properties.DistributionConfig).toMatchObject({
      Aliases: ['console.agency.example'],
      ViewerCertificate: { AcmCertificateArn: arn, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
    });
    expect(refused).toThrow(/consoleCertificateArn must be an ACM certificate ARN in us-east-1/);
    expect(Annotations.fromStack(own).findWarning('*', Match.anyValue())).toEqual([]);
  });
});
