// dependency-cruiser: the layering of the workspace, checked on the import graph (`pnpm check:layers`).
// docs/architecture.md draws the same layers; tools/check-planted-defects.mjs shows each rule failing on a
// planted import. Cross-package imports resolve to each package's src/ through configs/tsconfig.layers.json.
const { join } = require('node:path');

// Packages by layer, from the @mmvp/* dependencies in each package.json (a package sits one layer above the
// highest package it depends on). A package may import only packages of lower layers.
const PACKAGE_LAYERS = [
  ['core'],
  ['endpoint', 'results'],
  ['image', 'onnx', 'datasets', 'metrics', 'synth', 'report'],
  ['encoder-clip', 'encoder-dinov2', 'encoder-siglip', 'adapters', 'kernels', 'decoder', 'mining'],
  ['mof'],
  ['pipeline'],
  ['study', 'serve'],
];

// Folders of packages/study/src by layer: shared primitives (the run folder itself is @mmvp/results), the runner (queue), the workflows,
// and the demo, which runs other workflows. A folder imports no folder of a higher layer, and a workflow folder
// imports no other workflow folder.
const STUDY_FOLDER_LAYERS = [
  ['provenance', 'results'],
  ['runner'],
  ['queue'],
  ['embed', 'export', 'mining', 'mmvp', 'sweep', 'vlm'],
  ['demo'],
];
const WORKFLOW_FOLDERS = STUDY_FOLDER_LAYERS[3];

// No exceptions: the queue knows job kinds only from the table the workflows register (study-job-kinds.ts),
// and no workflow folder imports another (issue 26).
const STUDY = 'packages/study/src/';

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const folders = (names) => `^${escape(STUDY)}(${names.join('|')})/`;
const packages = (names) => `^packages/(${names.join('|')})/`;
const TESTS = '(\\.test\\.ts$|/test/|/test-[^/]*\\.ts$)';

const packageRules = PACKAGE_LAYERS.map((layer, index) => ({
  name: `package-layer-${index}`,
  comment: `packages of layer ${index} (${layer.join(', ')}) import only packages of lower layers: ${PACKAGE_LAYERS.slice(0, index).flat().join(', ') || 'none'} (tests may use their devDependencies)`,
  severity: 'error',
  from: { path: packages(layer), pathNot: TESTS },
  to: { path: packages(PACKAGE_LAYERS.slice(index).flat()), pathNot: '^packages/$1/' },
}));

const allPackages = PACKAGE_LAYERS.flat();
const studyRules = STUDY_FOLDER_LAYERS.slice(0, -1).map((layer, index) => ({
  name: `study-folder-layer-${index}`,
  comment: `folders of packages/study/src in layer ${index} (${layer.join(', ')}) do not import the folders above them`,
  severity: 'error',
  from: { path: folders(layer), pathNot: TESTS },
  to: { path: folders(STUDY_FOLDER_LAYERS.slice(index + 1).flat()) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import circle anywhere',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...packageRules,
    {
      name: 'package-has-a-layer',
      comment: 'every package under packages/ has a place in PACKAGE_LAYERS of .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/', pathNot: packages(allPackages) },
      to: {},
    },
    {
      name: 'no-import-of-apps',
      comment: 'packages never import the CLI app, the benchmarks, the examples or tools/ (a test may load an example)',
      severity: 'error',
      from: { path: '^packages/', pathNot: TESTS },
      to: { path: '^(apps|benchmarks|examples|tools)/' },
    },
    ...studyRules,
    {
      name: 'study-workflow-imports-no-workflow',
      comment: `a workflow folder (${WORKFLOW_FOLDERS.join(', ')}) imports no other workflow folder`,
      severity: 'error',
      from: { path: `${folders(WORKFLOW_FOLDERS)}`, pathNot: TESTS },
      to: { path: folders(WORKFLOW_FOLDERS), pathNot: `^${escape(STUDY)}$1/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    // an absolute path: dependency-cruiser resolves a relative one's `extends` from the wrong folder
    tsConfig: { fileName: join(__dirname, 'configs/tsconfig.layers.json') },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'], mainFields: ['module', 'main', 'types'] },
  },
};
