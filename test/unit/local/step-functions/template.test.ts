import { describe, expect, it } from 'vitest';
import {
  type CfnTemplate,
  localLambdaArn,
  localStateMachineArn,
  readExports,
  readLambdaFunctions,
  readOutputs,
  readStateMachines,
  resolveIntrinsics,
} from '../../../../infra/local/step-functions/template.ts';
import { ENTRIES, approvalTemplate } from './approval-app.ts';

describe('readLambdaFunctions', () => {
  it('finds the functions that carry icp:entry, with their entry and handler', () => {
    // Prepare
    const template = approvalTemplate();

    // Act
    const functions = readLambdaFunctions(template);

    // Assess
    expect([...functions.values()].map((f) => f.entry).sort()).toEqual(Object.values(ENTRIES).sort());
    for (const [logicalId, f] of functions) {
      expect(f).toEqual({ logicalId, entry: expect.any(String), handler: 'handler' });
      expect(template.Resources?.[logicalId]?.Type).toBe('AWS::Lambda::Function');
    }
  });
});

describe('readStateMachines', () => {
  it('resolves a CDK definition (Fn::Join of Fn::GetAtt and AWS::Partition) into plain ASL with local Lambda ARNs', () => {
    // Prepare
    const template = approvalTemplate();
    const idOf = (entry: string) => [...readLambdaFunctions(template).values()].find((f) => f.entry === entry)?.logicalId ?? '';

    // Act
    const [machine, ...others] = readStateMachines(template);

    // Assess
    expect(others).toEqual([]);
    expect(machine?.name).toBe(machine?.logicalId);
    const states = machine?.definition.States as Record<string, Record<string, any>>;
    expect(states.PrepareTask?.Resource).toBe(localLambdaArn(idOf(ENTRIES.prepare)));
    expect(states.AwaitApproval).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: localLambdaArn(idOf(ENTRIES.requestApproval)), Payload: { 'token.$': '$$.Task.Token' } },
      TimeoutSecondsPath: '$.approvalTimeoutSeconds',
    });
    expect(states.FinishTask?.Resource).toBe('arn:aws:states:::lambda:invoke');
  });

  it('resolves Fn::Sub, Ref, Fn::ImportValue and DefinitionSubstitutions through the caller', () => {
    // Prepare: a data stack exporting a table name, and a service stack importing it. `${!NextArn}` stays for the
    // DefinitionSubstitutions, as Fn::Sub leaves it.
    const dataStack: CfnTemplate = {
      Resources: { Records: { Type: 'AWS::DynamoDB::Table' } },
      Outputs: { TableName: { Value: { Ref: 'Records' }, Export: { Name: 'Data:TableName' } } },
    };
    const serviceStack: CfnTemplate = {
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function', Metadata: { 'icp:entry': 'functions/x.ts' } },
        Other: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: 'other-machine', DefinitionString: '{}' } },
        Machine: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            DefinitionString: {
              'Fn::Sub': [
                '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${Fn.Arn}","Parameters":{"table":"${Table}","region":"${AWS::Region}","bucket":"${Bucket}","other":"${Other}","next":"${!NextArn}","literal":"${!Kept}"},"End":true}}}',
                { Table: { 'Fn::ImportValue': 'Data:TableName' } },
              ],
            },
            DefinitionSubstitutions: { NextArn: { 'Fn::GetAtt': ['Other', 'Arn'] } },
          },
        },
        Bucket: { Type: 'AWS::S3::Bucket' },
      },
    };
    const exports = readExports(dataStack, { resolveRef: (id) => `icp-${id.toLowerCase()}` });

    // Act
    const machines = readStateMachines(serviceStack, {
      resolveImport: (name) => exports.get(name),
      resolveRef: (id) => (id === 'Bucket' ? 'icp-evidence' : undefined),
    });

    // Assess
    const machine = machines.find((m) => m.logicalId === 'Machine');
    expect(machines.find((m) => m.logicalId === 'Other')?.name).toBe('other-machine');
    expect(machine?.definition).toEqual({
      StartAt: 'A',
      States: {
        A: {
          Type: 'Task',
          Resource: localLambdaArn('Fn'),
          Parameters: {
            table: 'icp-records',
            region: 'local',
            bucket: 'icp-evidence',
            other: localStateMachineArn('other-machine'),
            next: localStateMachineArn('other-machine'),
            literal: '${Kept}',
          },
          End: true,
        },
      },
    });
  });

  it('refuses what it cannot resolve instead of guessing', () => {
    // Prepare
    const importing: CfnTemplate = {
      Resources: {
        M: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: { 'Fn::ImportValue': 'X' } } },
      },
    };
    const conditional: CfnTemplate = {
      Resources: {
        M: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: { 'Fn::If': ['C', 'a', 'b'] } } },
      },
    };

    // Act
    const withoutResolver = () => readStateMachines(importing);
    const unsupported = () => readStateMachines(conditional);

    // Assess
    expect(withoutResolver).toThrow(/resolveImport/);
    expect(unsupported).toThrow(/Fn::If/);
  });
});

describe('resolveIntrinsics', () => {
  it("resolves Fn::GetStackOutput (CDK's cross-stack references) through the other stack's outputs", () => {
    // Prepare: the data stack publishes its table's ARN as an output; the service stack reads it by name.
    const dataStack: CfnTemplate = {
      Resources: { Records: { Type: 'AWS::DynamoDB::Table' } },
      Outputs: { PublishTableArn: { Value: { 'Fn::GetAtt': ['Records', 'Arn'] } } },
    };
    const serviceStack: CfnTemplate = { Resources: {} };
    const outputs = readOutputs(dataStack, {
      resolveRef: (id, attribute) => (attribute === 'Arn' ? `arn:aws:dynamodb:local:000000000000:table/${id}` : undefined),
    });
    const reference = {
      'Fn::Join': ['', [{ 'Fn::GetStackOutput': { StackName: 'Data', Region: { Ref: 'AWS::Region' }, OutputName: 'PublishTableArn' } }, '/index/gsi1']],
    };

    // Act
    const resolved = resolveIntrinsics(serviceStack, { Resource: reference }, {
      resolveStackOutput: (stack, name) => (stack === 'Data' ? outputs.get(name) : undefined),
    });
    const withoutResolver = () => resolveIntrinsics(serviceStack, reference);

    // Assess
    expect(resolved).toEqual({ Resource: 'arn:aws:dynamodb:local:000000000000:table/Records/index/gsi1' });
    expect(withoutResolver).toThrow(/resolveStackOutput/);
  });
});
