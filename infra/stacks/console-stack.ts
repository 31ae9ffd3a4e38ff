import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { CONSOLE_PREFIX, type ConsoleDomain, ConsoleHosting } from '../constructs/console-hosting.ts';

export interface ConsoleStackProps extends StackProps {
  /** The service stack's HTTP API: the origin of `/v1/*`. */
  api: apigwv2.IHttpApi;
  /** The evidence bucket: the console uploads to it and reads reports from it with presigned URLs. */
  evidenceBucket: s3.IBucket;
}

/**
 * `cdk deploy -c consoleDomain=console.example.com -c consoleCertificateArn=arn:aws:acm:us-east-1:…` serves the
 * console on the agency's own domain (point its DNS at the distribution's domain name, the `ConsoleDomainName` output).
 */
const DOMAIN_CONTEXT = { domainName: 'consoleDomain', certificateArn: 'consoleCertificateArn' } as const;

/**
 * The web console (stateless): CloudFront in front of the console's files and of the HTTP API. Apart from the service
 * stack, so that the API deploys without it and the console can be torn down alone.
 */
export class ConsoleStack extends Stack {
  readonly hosting: ConsoleHosting;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    const domain = this.domain();
    this.hosting = new ConsoleHosting(this, 'Console', {
      apiDomain: `${props.api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`,
      evidenceOrigin: `https://${props.evidenceBucket.bucketRegionalDomainName}`,
      ...(domain ? { domain } : {}),
    });
    const host = domain?.domainName ?? this.hosting.distribution.distributionDomainName;
    new CfnOutput(this, 'ConsoleUrl', { value: `https://${host}/${CONSOLE_PREFIX}/` });
    new CfnOutput(this, 'ConsoleDomainName', { value: this.hosting.distribution.distributionDomainName });
    new CfnOutput(this, 'DistributionId', { value: this.hosting.distribution.distributionId });
  }

  private domain(): ConsoleDomain | undefined {
    const domainName: unknown = this.node.tryGetContext(DOMAIN_CONTEXT.domainName);
    const certificateArn: unknown = this.node.tryGetContext(DOMAIN_CONTEXT.certificateArn);
    if (domainName === undefined && certificateArn === undefined) return undefined;
    if (typeof domainName !== 'string' || !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(domainName)) {
      throw new Error(`CDK context ${DOMAIN_CONTEXT.domainName} must be a domain name (with ${DOMAIN_CONTEXT.certificateArn}); got ${JSON.stringify(domainName)}`);
    }
    if (typeof certificateArn !== 'string' || !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(certificateArn)) {
      throw new Error(`CDK context ${DOMAIN_CONTEXT.certificateArn} must be an ACM certificate ARN in us-east-1 (CloudFront's region); got ${JSON.stringify(certificateArn)}`);
    }
    return { domainName, certificateArn };
  }
}
