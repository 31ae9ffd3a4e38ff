import { Duration, RemovalPolicy, Stack, type CfnElement } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AppFunction, ENTRY_METADATA, HANDLER_METADATA } from './app-function.ts';

/** Route metadata: the logical id of the function a route invokes, for the local runtime. */
export const FUNCTION_METADATA = 'icp:function';

export interface ApiRoute {
  /** `METHOD /path`, as API Gateway writes it. */
  routeKey: string;
  /** Used in construct ids (`<id>Route`). */
  id: string;
  handler: AppFunction;
}

export interface ServiceApiProps {
  /** The request authorizer: receives the `Authorization` header, answers `{ isAuthorized, context }`. */
  authorizer: lambda.IFunction;
  routes: readonly ApiRoute[];
}

/**
 * The public HTTP API (API Gateway HTTP API, payload format 2.0): one Lambda per route, all behind one Lambda request
 * authorizer that checks the caller's API key (stored hashed) and passes `{ tenantId, scopes, keyId }` on.
 *
 * No CORS: the API is called server to server by agencies' back ends; browsers only upload evidence, straight to S3.
 * The default stage is declared here (not by `HttpApi`) so that it can carry access logs and throttling.
 */
export class ServiceApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly routes: apigwv2.HttpRoute[] = [];

  constructor(scope: Construct, id: string, props: ServiceApiProps) {
    super(scope, id);

    const authorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', props.authorizer, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      // A revoked key keeps working for at most this long; in exchange most requests skip the table lookup.
      resultsCacheTtl: Duration.minutes(5),
    });

    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'ICP cancellation API',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.SIX_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // Per-tenant limits belong to the application; this caps the whole API against runaway clients.
      throttle: { rateLimit: 200, burstLimit: 400 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTimeEpoch',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            tenantId: '$context.authorizer.tenantId',
            keyId: '$context.authorizer.keyId',
          }),
        ),
      },
    });

    for (const route of props.routes) {
      const [method, path] = route.routeKey.split(' ') as [string, string];
      const [httpRoute] = this.api.addRoutes({
        path,
        methods: [method as apigwv2.HttpMethod],
        integration: new HttpLambdaIntegration(`${route.id}Integration`, route.handler),
      });
      if (!httpRoute) throw new Error(`No route created for ${route.routeKey}`);
      const cfnRoute = httpRoute.node.defaultChild as apigwv2.CfnRoute;
      cfnRoute.addMetadata(FUNCTION_METADATA, Stack.of(route.handler).getLogicalId(route.handler.node.defaultChild as CfnElement));
      cfnRoute.addMetadata(ENTRY_METADATA, route.handler.entryPath);
      cfnRoute.addMetadata(HANDLER_METADATA, route.handler.handlerName);
      this.routes.push(httpRoute);
    }
  }

  /** The API's base URL (the `$default` stage has no path prefix). */
  get url(): string {
    return this.stage.url;
  }
}
