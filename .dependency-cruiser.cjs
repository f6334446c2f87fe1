/**
 * The project's layering, checked by `npm run lint:deps` (part of `npm test`); each rule's
 * comment says why. test/install/dependency-rules.test.ts shows every rule failing on a
 * violation in a small fixture tree, so a rule that has stopped matching cannot pass silently.
 */
/** Modules under plugin/ that the UI may import: the message contract and the pure tables it names. */
const UI_MAY_IMPORT = '^plugin/(protocol|commands|timings)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'core-imports-only-core',
      comment: 'core/ is the pure library every front end shares: it imports core/ and npm libraries only',
      severity: 'error',
      from: { path: '^core/' },
      to: { pathNot: '^(core/|node_modules/)' },
    },
    {
      name: 'core-no-node-builtins',
      comment: 'core/ runs in the plugin iframe and its worker too: no Node builtins',
      severity: 'error',
      from: { path: '^core/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'registry-is-data-over-core',
      comment: 'models/registry.ts is data: it depends on core/ only',
      severity: 'error',
      from: { path: '^models/registry\\.ts$' },
      to: { pathNot: '^core/' },
    },
    {
      name: 'figma-host-not-penpot-or-ui',
      comment: 'each host adapter stands alone behind plugin/host/contract.ts; the UI is reached by messages only',
      severity: 'error',
      from: { path: '^plugin/figma/' },
      to: { path: '^(plugin/penpot/|ui/)' },
    },
    {
      name: 'penpot-host-not-figma-or-ui',
      comment: 'each host adapter stands alone behind plugin/host/contract.ts; the UI is reached by messages only',
      severity: 'error',
      from: { path: '^plugin/penpot/' },
      to: { path: '^(plugin/figma/|ui/)' },
    },
    {
      name: 'host-side-not-ui',
      comment: 'nothing on the host side of the message boundary imports the UI',
      severity: 'error',
      from: { path: '^plugin/' },
      to: { path: '^ui/' },
    },
    {
      name: 'ui-reaches-hosts-through-protocol',
      comment: 'ui/ talks to hosts through plugin/protocol.ts; of plugin/ it may import only that and the pure tables it names',
      severity: 'error',
      from: { path: '^ui/' },
      to: { path: '^plugin/', pathNot: UI_MAY_IMPORT },
    },
    {
      name: 'ui-shared-plugin-modules-are-pure',
      comment: 'the plugin/ modules the UI may import depend on core/ and each other only, so the UI cannot reach a host through them',
      severity: 'error',
      from: { path: UI_MAY_IMPORT },
      to: { pathNot: `^core/|${UI_MAY_IMPORT}` },
    },
    {
      name: 'only-tests-import-tests',
      comment: 'test code is not product, bench or eval code: what they share lives in corpus/ or core/',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    {
      name: 'front-ends-not-cli',
      comment: 'cli/ is a front end: what eval/ and bench/ share with it lives in node/ or core/',
      severity: 'error',
      from: { path: '^(eval|bench|node|corpus|models|plugin|ui)/' },
      to: { path: '^cli/' },
    },
    {
      name: 'resolvable',
      comment: 'an import that does not resolve would hide a dependency from every rule above',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|test-results|\\.git)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
