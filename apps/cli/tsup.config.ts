import { packageBuild } from '../../configs/tsup.shared';
export default packageBuild({ entry: ['src/cli.ts'], dts: false, banner: { js: '#!/usr/bin/env node' } });
