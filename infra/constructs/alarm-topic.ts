import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /**
   * Alarm names this topic accepts notifications from, as an ARN resource-name pattern (`IcpCancelService-*`): the
   * topic policy lets CloudWatch publish for those alarms of this account only.
   */
  alarmNamePattern: string;
  /** Subscribes this address to the topic by e-mail (AWS sends a confirmation message first). */
  email?: string;
}

/**
 * Where every operations alarm goes: an SNS topic, encrypted and TLS only (cdk-nag AwsSolutions-SNS2, SNS3).
 *
 * The key is a customer managed one, not the AWS managed `alias/aws/sns`: CloudWatch calls KMS itself when it
 * publishes an alarm to an encrypted topic, and the AWS managed key's policy, which nobody can change, does not let it,
 * so every notification would be dropped (the alarm history says `KMS AccessDenied`; nothing else does). Its policy
 * grants CloudWatch the two actions it needs; rotation is on (AwsSolutions-KMS5). The key costs USD 1 a month.
 *
 * A topic policy replaces SNS's default one, so it also says who may publish: CloudWatch, for this account's alarms
 * named by `alarmNamePattern` (the confused-deputy conditions of the SNS documentation), over TLS.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');

    this.key = new kms.Key(this, 'Key', {
      description: `${stack.stackName}: encrypts the operations alarm topic`,
      enableKeyRotation: true,
      // Nothing is kept under this key (SNS holds a message only until it is delivered): the stateless stack may own it.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `${stack.stackName} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: props.alarmNamePattern,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    if (props.email !== undefined) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }
}
