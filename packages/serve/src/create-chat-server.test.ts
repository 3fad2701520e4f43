import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { decodeImage } from '@mmvp/image';
import type { AskRequest } from '@mmvp/pipeline';
import { describe, expect, it } from 'vitest';
import { createChatServer } from './create-chat-server';

const PHOTO = fileURLToPath(new URL('../../../assets/samples/photo.jpg', import.meta.url));

/** A pipeline stand-in that really decodes each image (sharp, as the pipeline does) and answers with its size. */
function decodingPipeline() {
  const batches: number[] = [];
  return {
    batches,
    askMany: async (requests: readonly AskRequest[]) => {
      batches.push(requests.length);
      const images = await Promise.all(requests.map((request) => decodeImage(request.image)));
      return images.map((image) => ({ text: `${image.width}x${image.height}`, prompt: '', templatedPrompt: '', tokenIds: [1], finishReason: 'eos' as const, visualTokenCount: 1, promptLength: 1 }));
    },
  };
}

const body = (bytes: Uint8Array) => ({
  model: 'm',
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${Buffer.from(bytes).toString('base64')}` } },
      ],
    },
  ],
});

describe('createChatServer', () => {
  it('answers a cut JPEG (a sound header, no pixels) with a 400 while the requests batched with it are answered', async () => {
    const photo = await readFile(PHOTO);
    const expected = await decodeImage(photo);
    const cut = photo.subarray(0, Math.floor(photo.length / 2));
    const pipeline = decodingPipeline();
    const app = createChatServer(pipeline, { modelId: 'm', maxBatchSize: 3, batchWindowMs: 50 });
    try {
      const replies = await Promise.all([photo, cut, photo].map((bytes) => app.inject({ method: 'POST', url: '/v1/chat/completions', payload: body(bytes) })));
      expect(replies.map((reply) => reply.statusCode)).toEqual([200, 400, 200]);
      expect(replies[0]!.json().choices[0].message.content).toBe(`${expected.width}x${expected.height}`);
      expect(replies[1]!.json().error).toMatchObject({ code: 'invalid_image_url', param: 'messages' });
      expect(pipeline.batches).toEqual([3, 1, 1, 1]); // the batch failed as one, then each request alone
      const after = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: body(photo) });
      expect(after.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
