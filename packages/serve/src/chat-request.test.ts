import { describe, expect, it } from 'vitest';
import { OpenAiHttpError } from './openai-error';
import { parseChatRequest, pipelineQuestion } from './chat-request';

const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } };

describe('pipelineQuestion', () => {
  it('reads the text parts, the one image and the generation settings (top_p 0 is greedy)', () => {
    const request = parseChatRequest({
      model: 'm',
      messages: [{ role: 'user', content: [image, { type: 'text', text: 'Is it red?' }, { type: 'text', text: 'A. Yes' }] }],
      max_completion_tokens: 5,
      temperature: 0.7,
      top_p: 0,
      seed: 3,
      stop: 'X',
      user: 'ignored',
    });
    expect(pipelineQuestion(request)).toEqual({ text: 'Is it red?\nA. Yes', imageUrl: 'data:image/png;base64,AAAA', maxNewTokens: 5, temperature: 0, seed: 3, stop: ['X'], stream: false });
  });

  it('refuses what the pipeline cannot answer, with a 400 naming the problem', () => {
    const cases: [unknown, RegExp][] = [
      [{ model: 'm', messages: [] }, /messages is empty/],
      [{ model: 'm', messages: [{ role: 'user', content: 'no image' }] }, /exactly one image; the message has 0/],
      [{ model: 'm', messages: [{ role: 'user', content: [image, image, { type: 'text', text: 'q' }] }] }, /the message has 2/],
      [
        {
          model: 'm',
          messages: [
            { role: 'system', content: 'be brief' },
            { role: 'user', content: [image, { type: 'text', text: 'q' }] },
          ],
        },
        /exactly one user message/,
      ],
      [{ model: 'm', messages: [{ role: 'user', content: [image] }] }, /no text/],
      [{ model: 'm', messages: [{ role: 'user', content: [image, { type: 'text', text: 'q' }] }], n: 2 }, /^n: /],
      [{ model: 'm', messages: [{ role: 'user', content: [image, { type: 'text', text: 'q' }] }], temperature: 3 }, /^temperature: /],
    ];
    for (const [body, message] of cases) {
      const error = (() => {
        try {
          pipelineQuestion(parseChatRequest(body));
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error, JSON.stringify(body)).toBeInstanceOf(OpenAiHttpError);
      expect((error as OpenAiHttpError).status).toBe(400);
      expect((error as Error).message).toMatch(message);
    }
  });
});
