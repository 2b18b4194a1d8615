#!/usr/bin/env node
// Regenerates the TypeScript for proto/ (npm run proto:gen). With --out DIR it writes
// there instead of libs/events/src/gen: the staleness test compares the two.
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out');
const out = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : join(root, 'libs/events/src/gen');
const buf = join(root, 'node_modules/.bin/buf');
const template = {
  version: 'v2',
  clean: true,
  plugins: [
    {
      local: join(root, 'node_modules/.bin/protoc-gen-es'),
      out,
      opt: ['target=ts', 'import_extension=js', 'json_types=true'],
    },
  ],
};

const run = (args) => execFileSync(buf, args, { cwd: join(root, 'proto'), stdio: 'inherit' });
run(['lint']);
run(['generate', '--template', JSON.stringify(template)]);
