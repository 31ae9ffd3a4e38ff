import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { REPO_ROOT } from './app-function.ts';
import { CONSOLE_HSTS_SECONDS, consoleContentSecurityPolicy } from './console-headers.ts';

/** Where the console lives on the distribution, as on the local runtime (`/console/`). */
export const CONSOLE_PREFIX = 'console';

/** A domain of the agency's own for the console, with its ACM certificate (in us-east-1, as CloudFront requires). */
export interface ConsoleDomain {
  domainName: string;
  certificateArn: string;
}

export interface ConsoleHostingProps {
  /** The HTTP API's host (`<api-id>.execute-api.<region>.amazonaws.com`): the origin of `/v1/*`. */
  apiDomain: string;
  /** The evidence bucket's origin (`https://<bucket>.s3.<region>.amazonaws.com`), where the console's presigned calls go. */
  evidenceOrigin: string;
  /** Serve the console on this domain instead of CloudFront's own (which only allows a TLSv1 minimum). */
  domain?: ConsoleDomain;
  /**
   * The built console to deploy. Default: built by the CDK app itself (Vite, when the stack is bundled), so
   * `cdk deploy` is one command; tests pass nothing and synthesize with bundling off, which builds nothing.
   */
  assets?: s3deploy.ISource;
}

/**
 * The console on AWS: its static files in a private S3 bucket read by CloudFront only (origin access control), and the
 * HTTP API as the distribution's second origin for `/v1/*`, so that the console calls the API on its own origin (no
 * CORS) exactly as it does on the local runtime.
 *
 * - `/v1/*`: every method, no caching (`CACHING_DISABLED`), every viewer header, query string and cookie forwarded but
 *   `Host` (`ALL_VIEWER_EXCEPT_HOST_HEADER`): API Gateway routes on its own host name, and the handlers need
 *   `Authorization`, `Idempotency-Key` and `Content-Type`.
 * - Everything else: the bucket, under `console/`; `/` and `/console` redirect to `/console/`, and a path ending in
 *   `/` is its `index.html` (a CloudFront Function). `index.html` is sent `no-cache`, the hashed assets for a year.
 * - Security headers on the console's responses (`console-headers.ts`, the same the local runtime sends).
 * - Access logs of the distribution and of the bucket go to a log bucket of their own.
 */
export class ConsoleHosting extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly bucket: s3.Bucket;
  readonly logs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);

    this.logs = new s3.Bucket(this, 'Logs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logs are written with an ACL: the bucket must accept ACLs (owner preferred).
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-console-logs', expiration: Duration.days(400) }],
    });
    Validations.of(this.logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: "This is the console's log bucket (the distribution's and the assets bucket's access logs); logging it would log its own log deliveries.",
    });

    this.bucket = new s3.Bucket(this, 'Assets', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'assets-bucket/',
      // Build output, deployed again by every `cdk deploy`: nothing in it needs keeping.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'icp-cancel console: CSP, no framing, nosniff, no referrer, HSTS',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleContentSecurityPolicy(props.evidenceOrigin), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.seconds(CONSOLE_HSTS_SECONDS), includeSubdomains: true, override: true },
      },
    });
    const paths = new cloudfront.Function(this, 'Paths', {
      comment: 'icp-cancel console: / and /console to /console/, a folder to its index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(`function handler(event) {
  var request = event.request;
  if (request.uri === '/' || request.uri === '/${CONSOLE_PREFIX}') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '/${CONSOLE_PREFIX}/' } } };
  }
  if (request.uri.endsWith('/')) request.uri += 'index.html';
  return request;
}`),
    });

    const certificate = props.domain ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn) : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'icp-cancel console and API',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: paths, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/v1/*': {
          origin: new origins.HttpOrigin(props.apiDomain, {
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
          }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // A minimum protocol applies only with a certificate of one's own (CloudFront's default one is fixed at TLSv1).
      ...(props.domain && certificate
        ? { domainNames: [props.domain.domainName], certificate, minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 }
        : {}),
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'distribution/',
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Agencies and operators work from mainland China and abroad alike, and every request needs an API key: no country is refused.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'The API behind /v1 authenticates every request with a hashed API key and API Gateway throttles it; a WAF web ACL (a cost per rule and request) is left to the deployer, through the distribution id output.',
      },
      ...(props.domain
        ? []
        : [
            {
              id: 'AwsSolutions-CFR4',
              reason: "Without a domain of its own (-c consoleDomain=… -c consoleCertificateArn=…) the console is served with CloudFront's default certificate, whose minimum protocol CloudFront fixes at TLSv1; with one, TLSv1.2_2021 applies.",
            },
          ]),
    );

    const deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [props.assets ?? builtConsole()],
      destinationBucket: this.bucket,
      destinationKeyPrefix: `${CONSOLE_PREFIX}/`,
      // The new index.html points at the new hashed assets: the old ones go, and CloudFront forgets the old page.
      prune: true,
      distribution: this.distribution,
      distributionPaths: [`/${CONSOLE_PREFIX}/`, `/${CONSOLE_PREFIX}/index.html`],
      cacheControl: [s3deploy.CacheControl.noCache()],
      memoryLimit: 512,
    });
    // CDK's own deployment handler (a singleton function of the stack, run only by CloudFormation during a deployment):
    // its runtime and its role's policy are CDK's, written for exactly this copy.
    const handler = deployment.handlerRole.node.scope;
    if (handler) {
      Validations.of(handler).acknowledge(
        {
          id: 'AwsSolutions-L1',
          reason: "CDK's BucketDeployment handler (Python, bundled with aws-cdk-lib) picks its own runtime; it runs only during deployments.",
        },
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: "CDK's BucketDeployment handler writes its logs with the basic execution role CDK gives it; it is not configurable.",
        },
        ...[
          'Action::s3:GetObject*',
          'Action::s3:GetBucket*',
          'Action::s3:List*',
          'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
        ].map((finding) => ({
          id: `AwsSolutions-IAM5[${finding}]`,
          reason: "CDK's BucketDeployment handler reads the console's build from the CDK bootstrap assets bucket with the read grant CDK writes for it.",
        })),
        ...['Action::s3:Abort*', 'Action::s3:DeleteObject*', 'Resource::<ConsoleAssets8400950A.Arn>/*'].map((finding) => ({
          id: `AwsSolutions-IAM5[${finding}]`,
          reason: "CDK's BucketDeployment handler replaces the console's files in its own assets bucket (prune deletes the old ones) with the write grant CDK writes for it.",
        })),
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: "CDK's BucketDeployment handler invalidates the console's index.html after a deployment: CDK grants cloudfront:CreateInvalidation and GetInvalidation on *.",
        },
      );
    }
  }
}

/**
 * The console built by Vite into the asset's folder while the stack is bundled (`cdk synth`/`deploy`), as
 * `npm run console:build` builds it; identified by its output, so an unchanged console uploads nothing.
 */
function builtConsole(): s3deploy.ISource {
  return s3deploy.Source.asset(join(REPO_ROOT, 'console'), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: the local build below always answers (there is no Docker here), and a failure stops the synth.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:20'),
      local: {
        tryBundle(outputDir: string): boolean {
          execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(REPO_ROOT, 'console', 'vite.config.ts'), '--outDir', outputDir, '--emptyOutDir'], {
            cwd: REPO_ROOT,
            stdio: ['ignore', 'ignore', 'inherit'],
          });
          return true;
        },
      },
    },
  });
}
