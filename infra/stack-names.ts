/**
 * The app's stack names, in a module of their own so that readers of a synthesized assembly (the local runtime) know
 * them without loading aws-cdk-lib, which takes seconds.
 */
export const DATA_STACK_NAME = 'IcpCancelData';
export const SERVICE_STACK_NAME = 'IcpCancelService';
export const CONSOLE_STACK_NAME = 'IcpCancelConsole';
