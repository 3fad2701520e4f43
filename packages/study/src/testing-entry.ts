// @mmvp/study/testing: helpers for tests and benchmarks of distributed runs (as `@ai-sdk/provider-utils/test`):
// a throwaway local Redis server on a free loopback port, and the deterministic shard plan a coordinator makes.
// Never needed to run the study itself.

/** @public a test starts its own servers on free loopback ports (freeLoopbackPort), not only Redis */
export { startLocalRedisServer, freeLoopbackPort } from './queue/test-redis-server';
export type { LocalRedisServer } from './queue/test-redis-server';
export { planShards } from './queue/job-plan';
export type { PlannedShard } from './queue/job-plan';

// the sweep's test fixtures, shared by the library's and the CLI's sweep tests
export { countingSweepConfigs, readSweepAnswers, writeProxyFolder } from './sweep/sweep-test-fixtures';
export type { CountingSweepConfigs, SweepGradedAnswer, ZooPipelineConfig } from './sweep/sweep-test-fixtures';

// the embed tests' helpers, shared by the library's and the CLI's embed tests
export { hiddenStateLayer, maxAbsDiff, modelWithNanWeight } from './embed/embed-test-fixtures';

// a small MMVP folder on real PNGs, shared by the library's and the CLI's eval-mllm tests
export { writeTinyMmvpFolder } from './mmvp/mmvp-test-folder';
