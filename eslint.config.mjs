import nx from '@nx/eslint-plugin';

// Who may import whom. Apps and libs import libs only; a scope imports its own scope
// and shared. The native BPF addon belongs to the monitor: nothing else may load it,
// by package name, by .node file, or through the addon helper packages.
const NATIVE_ADDON_PACKAGES = ['node-addon-api', 'bindings', 'node-gyp-build'];
const MONITOR_FILES = ['apps/monitor/**', 'libs/detection/**', 'libs/bpf-native/**'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/src/gen/**', 'reports/**', '.nx/**'] },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'], bannedExternalImports: NATIVE_ADDON_PACKAGES },
            { sourceTag: 'scope:injector', onlyDependOnLibsWithTags: ['scope:injector', 'scope:shared'], bannedExternalImports: NATIVE_ADDON_PACKAGES },
            { sourceTag: 'scope:router', onlyDependOnLibsWithTags: ['scope:router', 'scope:shared'], bannedExternalImports: NATIVE_ADDON_PACKAGES },
            { sourceTag: 'scope:monitor', onlyDependOnLibsWithTags: ['scope:monitor', 'scope:shared'] },
          ],
        },
      ],
      // `.catch(() => {})` and no-op loggers are deliberate.
      '@typescript-eslint/no-empty-function': ['error', { allow: ['arrowFunctions', 'methods'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    ignores: MONITOR_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@beesting/bpf-native', message: 'Only the monitor may load the native BPF addon.' }],
          patterns: [{ group: ['*.node', '**/*.node'], message: 'Only the monitor may load native addons.' }],
        },
      ],
    },
  },
  {
    // The shared test config sits at the workspace root, outside every project.
    files: ['**/vitest.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
