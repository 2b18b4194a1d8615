#!/usr/bin/env node
// Regenerates the TypeScript for proto/ (npm run proto:gen): beesting/ into libs/events,
// nri/ and ttrpc/ into libs/nri. With --out DIR it writes each target into DIR/<lib>
// instead: the staleness tests compare the two.
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out');
const outRoot = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : undefined;
const buf = join(root, 'node_modules/.bin/buf');

const targets = [
  { lib: 'events', paths: ['beesting'] },
  { lib: 'nri', paths: ['nri', 'ttrpc'] },
];

const run = (args) => execFileSync(buf, args, { cwd: join(root, 'proto'), stdio: 'inherit' });
run(['lint']);
for (const { lib, paths } of targets) {
  const out = outRoot ? join(outRoot, lib) : join(root, 'libs', lib, 'src/gen');
  const template = {
    version: 'v2',
    clean: true,
    plugins: [{ local: join(root, 'node_modules/.bin/protoc-gen-es'), out, opt: ['target=ts', 'import_extension=js', 'json_types=true'] }],
  };
  run(['generate', '--template', JSON.stringify(template), ...paths.flatMap((p) => ['--path', p])]);
}
