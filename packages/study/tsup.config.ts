import { packageBuild } from '../../configs/tsup.shared';
// three entries (package.json "exports"): `.`, `./queue` and `./testing`; shared code goes into chunks, so a
// class (an error) is one class whichever entry it is imported from
export default packageBuild({ entry: { index: 'src/index.ts', queue: 'src/queue-entry.ts', testing: 'src/testing-entry.ts' } });
