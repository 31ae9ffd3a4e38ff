import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { InvalidWebhookSecretError } from '../../../shared/webhooks/errors.ts';
import { generateWebhookSecret, isWebhookSecret } from '../../../shared/webhooks/secret.ts';
import { signWebhook } from '../../../shared/webhooks/sign.ts';

const payload = JSON.stringify({ type: 'application.approved', data: { applicationId: 'app_01J0000000000000000000000' } });

describe('generateWebhookSecret', () => {
  it('produces whsec_ + base64 of 24 random bytes', () => {
    // Prepare / Act
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();

    // Assess
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(a.slice('whsec_'.length), 'base64')).toHaveLength(24);
    expect(a).not.toBe(b);
    expect(isWebhookSecret(a)).toBe(true);
  });

  it('isWebhookSecret refuses other shapes', () => {
    // Prepare
    const candidates = [undefined, 42, '', 'whsec_', 'sk_live_abc', 'whsec_c2hvcnQ=', 'whsec_!!notbase64!!', `whsec_${'A'.repeat(200)}`];

    // Act
    const results = candidates.map((c) => isWebhookSecret(c));

    // Assess
    expect(results.every((r) => !r)).toBe(true);
  });
});

describe('signWebhook', () => {
  it('produces headers that standardwebhooks verifies', () => {
    // Prepare
    const secret = generateWebhookSecret();

    // Act
    const headers = signWebhook({ id: 'msg_1', timestamp: new Date(), payload, secrets: [secret] });

    // Assess
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(payload, { ...headers })).toEqual(JSON.parse(payload));
  });

  it('signs with every secret during rotation so either verifies', () => {
    // Prepare
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();

    // Act
    const headers = signWebhook({ id: 'msg_2', timestamp: new Date(), payload, secrets: [newSecret, oldSecret] });

    // Assess
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(payload, { ...headers })).not.toThrow();
    expect(() => new Webhook(newSecret).verify(payload, { ...headers })).not.toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(payload, { ...headers })).toThrow(WebhookVerificationError);
  });

  it('fails verification for a tampered payload or id', () => {
    // Prepare
    const secret = generateWebhookSecret();
    const headers = signWebhook({ id: 'msg_3', timestamp: new Date(), payload, secrets: [secret] });

    // Act
    const tamperedBody = () => new Webhook(secret).verify(payload.replace('approved', 'rejected'), { ...headers });
    const tamperedId = () => new Webhook(secret).verify(payload, { ...headers, 'webhook-id': 'msg_4' });

    // Assess
    expect(tamperedBody).toThrow('No matching signature found');
    expect(tamperedId).toThrow('No matching signature found');
  });

  it('refuses to sign without a valid secret and never echoes it', () => {
    // Prepare
    const bad = 'not-a-secret-but-sensitive';

    const attempt = (secrets: string[]) => {
      try {
        signWebhook({ id: 'm', timestamp: new Date(), payload, secrets });
        return undefined;
      } catch (error) {
        return error;
      }
    };

    // Act
    const noSecret = attempt([]);
    const badSecret = attempt([generateWebhookSecret(), bad]);

    // Assess
    expect(noSecret).toBeInstanceOf(InvalidWebhookSecretError);
    expect(badSecret).toBeInstanceOf(InvalidWebhookSecretError);
    expect((badSecret as Error).message).toContain('#2');
    expect((badSecret as Error).message).not.toContain(bad);
  });
});
