import crypto from 'node:crypto';

/**
 * How Parley signs what it sends to a receiver (outgoing webhooks, slash commands): Slack's
 * scheme, `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>`, under Parley's header names and
 * Slack's, so receivers written for Slack's signing verify unchanged. The SDK's
 * `verifyWebhookSignature` is the other side.
 */
export function signatureHeaders(secret: string, body: string, nowMs: number): Record<string, string> {
  const ts = String(Math.floor(nowMs / 1000));
  const signature = `v0=${crypto.createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'x-parley-timestamp': ts, 'x-parley-signature': signature, 'x-slack-request-timestamp': ts, 'x-slack-signature': signature };
}

/** The verification token a Slack-style receiver compares (`token` form field): derived from the secret, so rotating one rotates both. */
export const slackToken = (secret: string) => crypto.createHmac('sha256', secret).update('parley-outgoing-token').digest('base64url').slice(0, 24);
