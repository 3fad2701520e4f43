import { formatIdentity, type EmbedProgress } from '@mmvp/mining';
import type { MineEvent } from '@mmvp/study';
import type { ProgressLines } from '../run/progress-lines';

/** `mmvp mine`'s lines for mineBlindPairs' events (the queue's shard jobs as the other commands' --queue bar). */
export function mineEvents(printer: ProgressLines): (event: MineEvent) => void {
  const log = printer.line;
  const embedding = embeddingLine(log);
  return (event) => {
    switch (event.type) {
      case 'resolved':
        log(`@mmvp/mining ${event.versions.mining}, usearch ${event.versions.usearch}, onnxruntime-node ${event.versions.onnxruntime}`);
        log(`CLIP   ${formatIdentity(event.clip)}`);
        log(`DINOv2 ${formatIdentity(event.dino)}`);
        log(`${event.images} images from ${event.imagesSource}; candidates: ${event.k} CLIP neighbours by ${event.index} search; keep CLIP cosine > ${event.clipMin} and DINOv2 cosine < ${event.dinoMax}`);
        for (const note of event.notes) log(`note: ${note}`);
        log(`store ${event.storeDir} (${event.store}), ${event.workers} decode worker(s), batch ${event.batchSize}, shard ${event.shardSize}`);
        return;
      case 'embedding':
        return embedding(event.progress);
      case 'embedded':
        return log(
          `embedded ${event.embedded} images in ${event.seconds.toFixed(1)} s (${(event.embedded / Math.max(event.seconds, 1e-9)).toFixed(1)} images/s), ${event.skipped} already in the store, ${event.errors} unreadable`,
        );
      case 'searched':
        log(`${event.index} search over ${event.distinctImages} distinct images (${event.duplicates} identical copies collapsed) in ${event.seconds.toFixed(2)} s`);
        if (event.recall !== undefined) log(`usearch recall@${event.k} against exact search on ${event.recallQueries} sampled queries: ${event.recall.toFixed(4)}`);
        return;
      case 'written':
        return;
      case 'progress':
        return printer.bar('store shards committed', event.done, event.total, event.startedAt);
      case 'warning':
        return log(`warning: ${event.message}`);
      case 'queue-summary':
        return log(event.line);
    }
  };
}

/** The embedding line, at most once a second (and at each new shard and the end): images/s, ETA, shards written. */
function embeddingLine(log: (line: string) => void): (progress: EmbedProgress) => void {
  let last = 0;
  let lastShards = 0;
  return (p) => {
    const now = performance.now();
    if (p.done < p.total && now - last < 1000 && p.shardsWritten === lastShards) return;
    last = now;
    lastShards = p.shardsWritten;
    const eta = Number.isFinite(p.etaSeconds) ? formatSeconds(p.etaSeconds) : '?';
    const line = `embedding ${p.done}/${p.total} images (${p.imagesPerSecond.toFixed(1)} images/s, ETA ${eta}), ${p.errors} unreadable, ${p.shardsWritten} shard(s) written`;
    if (process.stderr.isTTY) process.stderr.write(`\rmine: ${line}${p.done === p.total ? '\n' : ''}`);
    else log(line);
  };
}

function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
