import { blockKitProblems, startSlackReceiver } from '@beesting/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { renderSlack, SlackSink } from './slack-sink.js';
import { deliverWithRetries } from './deliver.js';
import { hostileAlert } from '../test/hostile-alert.js';
import { sampleAlert } from '@beesting/events';

describe('the Slack sink', () => {
  it('renders the golden Block Kit message for a hostile alert', async () => {
    await expect(JSON.stringify(renderSlack(hostileAlert()), null, 2) + '\n').toMatchFileSnapshot('golden/slack-hostile.json');
  });

  it('is valid Block Kit and injection-safe: every hostile string renders as text', () => {
    const message = renderSlack(hostileAlert());
    expect(blockKitProblems(message)).toEqual([]);
    const texts = message.blocks.flatMap((b) => ('fields' in b && b.fields ? b.fields : 'elements' in b ? b.elements : 'text' in b && b.text ? [b.text] : []));
    const all = texts.map((t) => t.text).join('\n');
    // Present, escaped, and only in plain_text objects.
    expect(all).toContain('Pod: &lt;!channel&gt; *bold* _it_ `code`');
    expect(all).toContain('Command line: cat &lt;!everyone&gt; *not bold* &lt;http://x|y&gt; &amp;amp;');
    expect(all).toContain('Container: app &amp; &lt;@U123&gt;');
    for (const t of texts.filter((x) => x.type === 'mrkdwn')) expect(t.text).not.toMatch(/bold|channel|evil|everyone|script/);
    expect(message.text).toBe('Beesting: honeytoken accessed (high)');
  });

  it('is accepted by the Slack-shaped receiver', async () => {
    const receiver = await startSlackReceiver();
    afterAll(() => receiver.close());
    const sink = new SlackSink({ webhookUrl: receiver.url });
    const results = await Promise.all([deliverWithRetries(sink, hostileAlert()), deliverWithRetries(sink, sampleAlert())]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(receiver.received.map((r) => r.problems)).toEqual([[], []]);
  });

  it('the receiver catches what Slack would parse', () => {
    expect(blockKitProblems({ text: 'hi <!channel>', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '<http://x|y>' } }] })).toEqual([
      'text: Slack would parse a mention or link here',
      'blocks[0].text: unescaped < or >',
      'blocks[0].text: Slack would parse a mention or link here',
    ]);
  });
});
