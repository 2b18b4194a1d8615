import { ArmReplySchema, create, DetectionBackend, sampleTrapRegistration, TrapRegistrationSchema } from '@beesting/events';
import { describe, expect, it } from 'vitest';
import { useBus } from '../test/bus-fixture.js';
import { requestMessage, serveRequests } from './request-reply.js';
import { armSubject } from './subjects.js';

describe('request/reply with deadlines', () => {
  const t = useBus({ provisioned: false });
  const registration = { schema: TrapRegistrationSchema, message: sampleTrapRegistration() };

  it('returns the typed reply of the responder', async () => {
    const nc = t.bus.connection!;
    const sub = serveRequests(nc, armSubject('node.a'), { request: TrapRegistrationSchema, reply: ArmReplySchema }, async (req) =>
      create(ArmReplySchema, { trapId: req.trap!.id, armed: true, backend: DetectionBackend.TRACEPOINT, node: 'node.a' }),
    );
    const reply = await requestMessage(nc, armSubject('node.a'), registration, ArmReplySchema, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ trapId: 'trp-0000-sample', armed: true, backend: DetectionBackend.TRACEPOINT, node: 'node.a' });
    sub.unsubscribe();
  });

  it('fails fast with NO_RESPONDERS when nobody serves the subject', async () => {
    const started = Date.now();
    await expect(requestMessage(t.bus.connection!, armSubject('nobody'), registration, ArmReplySchema, { timeoutMs: 5000 })).rejects.toMatchObject({
      code: 'BEESTING_ERR_BUS_NO_RESPONDERS',
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('fails with TIMEOUT at the deadline when the responder is slow', async () => {
    const nc = t.bus.connection!;
    const sub = serveRequests(nc, armSubject('slow'), { request: TrapRegistrationSchema, reply: ArmReplySchema }, () => new Promise(() => {}));
    const started = Date.now();
    await expect(requestMessage(nc, armSubject('slow'), registration, ArmReplySchema, { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'BEESTING_ERR_BUS_TIMEOUT',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1500);
    sub.unsubscribe();
  });

  it("answers a malformed request with the validation error, and passes a handler's error code back", async () => {
    const nc = t.bus.connection!;
    const sub = serveRequests(nc, armSubject('strict'), { request: TrapRegistrationSchema, reply: ArmReplySchema }, async () => {
      throw Object.assign(new Error('map is full'), { code: 'BEESTING_ERR_BPF_MAP_FULL' });
    });
    const raw = await nc.request(armSubject('strict'), new TextEncoder().encode('{"trap":{}}'), { timeout: 2000 });
    expect(raw.headers?.get('Beesting-Error-Code')).toBe('BEESTING_ERR_MESSAGE_INVALID');
    expect(raw.headers?.get('Beesting-Error-Message')).toMatch(/TrapRegistration.trap.id: required field is missing/);
    await expect(requestMessage(nc, armSubject('strict'), registration, ArmReplySchema, { timeoutMs: 2000 })).rejects.toMatchObject({
      code: 'BEESTING_ERR_BUS_REMOTE',
      message: expect.stringMatching(/BEESTING_ERR_BPF_MAP_FULL: map is full/),
    });
    sub.unsubscribe();
  });
});
