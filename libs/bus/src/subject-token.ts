// Node names are DNS subdomains ("ip-10-0-1-2.ec2.internal"), but a dot separates
// NATS subject tokens and KV key levels. Every character outside [A-Za-z0-9-] is
// written as "_" plus its UTF-8 bytes in hex, which is reversible and valid both
// in subjects and in KV keys.

const SAFE = /^[A-Za-z0-9-]$/;

export function encodeToken(value: string): string {
  if (value === '') throw new TypeError('a subject token cannot be empty');
  let out = '';
  for (const ch of value) {
    if (SAFE.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export function decodeToken(token: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '_') {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(token.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
