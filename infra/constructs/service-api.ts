import { RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AppFunction, ENTRY_METADATA, HANDLER_METADATA } from './app-function.ts';

/** Route metadata: the logical id of the function a route invokes, for the local runtime. */
export const FUNCTION_METADATA = 'icp:function';

export interface ApiRoute {
  /** `METHOD /path`, as API Gateway writes it, or `$default` (every request no other route matches). */
  routeKey: string;
  /** Used in construct ids (`<id>Route`). */
  id: string;
  handler: AppFunction;
}

export interface ServiceApiProps {
  routes: readonly ApiRoute[];
}

/**
 * The public HTTP API (API Gateway HTTP API, payload format 2.0): one Lambda per route.
 *
 * Every handler authenticates the caller itself (`shared/http/route.ts`: the API key from `Authorization: Bearer`,
 * looked up by its SHA-256 hash, cached briefly per instance). An API Gateway authorizer cannot do that on an HTTP API:
 * its refusals are a fixed `403 {"message":"Forbidden"}`, while the API contract answers an unknown key with
 * `401` problem+json, and HTTP APIs have no gateway responses to change that.
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

    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'ICP cancellation API',
      createDefaultStage: false,
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
          }),
        ),
      },
    });

    for (const route of props.routes) {
      const integration = new HttpLambdaIntegration(`${route.id}Integration`, route.handler);
      // `$default` takes every request no other route matches: its function answers problem+json where API Gateway
      // itself would answer a plain `{"message":"Not Found"}`.
      const httpRoute =
        route.routeKey === '$default'
          ? new apigwv2.HttpRoute(this, `${route.id}Route`, { httpApi: this.api, routeKey: apigwv2.HttpRouteKey.DEFAULT, integration })
          : this.api.addRoutes({ path: route.routeKey.split(' ')[1] as string, methods: [route.routeKey.split(' ')[0] as apigwv2.HttpMethod], integration })[0];
      if (!httpRoute) throw new Error(`No route created for ${route.routeKey}`);
      const cfnRoute = httpRoute.node.defaultChild as apigwv2.CfnRoute;
      cfnRoute.addMetadata(FUNCTION_METADATA, Stack.of(route.handler).getLogicalId(route.handler.node.defaultChild as CfnElement));
      cfnRoute.addMetadata(ENTRY_METADATA, route.handler.entryPath);
      cfnRoute.addMetadata(HANDLER_METADATA, route.handler.handlerName);
      Validations.of(httpRoute).acknowledge(
        {
          id: 'AwsSolutions-APIG4',
          reason: 'Each route authenticates in its handler (hashed API keys, tenant scoping) so that refusals are 401/403 problem+json; an HTTP API authorizer can only answer a fixed 403.',
        },
        {
          id: 'AwsSolutions-COG4',
          reason: 'Agencies call the API server to server with API keys, not Cognito users; the handler authenticates every request.',
        },
      );
      this.routes.push(httpRoute);
    }
  }

  /** The API's base URL (the `$default` stage has no path prefix). */
  get url(): string {
    return this.stage.url;
  }
}
