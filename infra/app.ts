import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.ts';

// The CDK CLI's entry point (cdk.json `app`); everything else is in build-app.ts, shared with tests and the local runtime.
buildApp(new App());
