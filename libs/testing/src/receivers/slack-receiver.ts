import { startHttpReceiver } from './http-receiver.js';

// A stand-in for Slack's incoming webhook (nothing real can be reached from here): it
// checks each payload against the Block Kit rules the message relies on and reports
// every problem, including anything Slack would parse as a mention, link or formatting.

const HEADER_LIMIT = 150;
const SECTION_LIMIT = 3000;
const FIELD_LIMIT = 2000;
const CONTEXT_LIMIT = 2000;

export function blockKitProblems(payload: unknown): string[] {
  const problems: string[] = [];
  const p = payload as { text?: unknown; blocks?: unknown };
  if (typeof p?.text !== 'string' || !p.text) problems.push('text: a non-empty fallback text is required');
  else checkParsed('text', p.text, problems);
  if (!Array.isArray(p?.blocks) || p.blocks.length === 0 || p.blocks.length > 50) {
    problems.push('blocks: 1 to 50 blocks are required');
    return problems;
  }
  p.blocks.forEach((block: Record<string, unknown>, i: number) => {
    const at = `blocks[${i}]`;
    switch (block['type']) {
      case 'header':
        textObject(`${at}.text`, block['text'], HEADER_LIMIT, problems, ['plain_text']);
        break;
      case 'section': {
        if (!block['text'] && !block['fields']) problems.push(`${at}: a section needs text or fields`);
        if (block['text']) textObject(`${at}.text`, block['text'], SECTION_LIMIT, problems);
        const fields = block['fields'];
        if (fields !== undefined) {
          if (!Array.isArray(fields) || fields.length > 10) problems.push(`${at}.fields: at most 10 fields`);
          else fields.forEach((f, j) => textObject(`${at}.fields[${j}]`, f, FIELD_LIMIT, problems));
        }
        break;
      }
      case 'context': {
        const elements = block['elements'];
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10) problems.push(`${at}.elements: 1 to 10 elements`);
        else elements.forEach((e, j) => textObject(`${at}.elements[${j}]`, e, CONTEXT_LIMIT, problems));
        break;
      }
      case 'divider':
        break;
      default:
        problems.push(`${at}: unknown block type ${JSON.stringify(block['type'])}`);
    }
  });
  return problems;
}

function textObject(at: string, value: unknown, limit: number, problems: string[], types = ['plain_text', 'mrkdwn']): void {
  const t = value as { type?: string; text?: unknown };
  if (!t || !types.includes(t.type ?? '') || typeof t.text !== 'string' || !t.text) {
    problems.push(`${at}: expected a ${types.join(' or ')} text object`);
    return;
  }
  if (t.text.length > limit) problems.push(`${at}: longer than ${limit} characters`);
  // Raw angle brackets are never valid unescaped; in mrkdwn they would be mentions or links.
  if (/[<>]/.test(t.text)) problems.push(`${at}: unescaped < or >`);
  if (/&(?!amp;|lt;|gt;)/.test(t.text)) problems.push(`${at}: unescaped &`);
  if (t.type === 'mrkdwn') checkParsed(at, t.text, problems);
}

function checkParsed(at: string, text: string, problems: string[]): void {
  if (/<[!@#]|<https?:|\|/.test(text)) problems.push(`${at}: Slack would parse a mention or link here`);
}

export async function startSlackReceiver() {
  const received: Array<{ payload: unknown; problems: string[] }> = [];
  const receiver = await startHttpReceiver((request) => {
    let payload: unknown;
    try {
      payload = JSON.parse(request.body);
    } catch {
      received.push({ payload: request.body, problems: ['body is not JSON'] });
      return { status: 400, body: 'invalid_payload' };
    }
    const problems = blockKitProblems(payload);
    received.push({ payload, problems });
    return problems.length ? { status: 400, body: 'invalid_blocks' } : { status: 200, body: 'ok' };
  });
  return { url: `${receiver.url}/services/T000/B000/XXXX`, received, close: receiver.close };
}
