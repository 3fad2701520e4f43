import { describe, expect, it } from 'vitest';
import { applyChatTemplate, formatQuestion, parseOptions } from './chat-template';

describe('chat templates', () => {
  it('llava_v1 is the Vicuna v1 conversation MMVP used', () => {
    // written out by hand from LLaVA's conv_vicuna_v1 (sep ' ', sep2 '</s>') with one user turn
    expect(applyChatTemplate('llava_v1', 'Is the dog facing left or right? (a) left (b) right')).toBe(
      "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions. USER: <image>\nIs the dog facing left or right? (a) left (b) right ASSISTANT:",
    );
  });

  it("'folder' without a chat_template names the alternatives", () => {
    expect(() => applyChatTemplate('folder', 'Q?', { source: '/m' })).toThrow(/template 'folder' needs a chat_template in \/m.*choose 'llava_v1' or 'plain'/);
  });

  it('a custom Jinja template sees bos_token and the image part', () => {
    const jinja = "{{ bos_token }}{% for p in messages[0]['content'] %}{% if p['type'] == 'image' %}<image>\n{% else %}{{ p['text'] }}{% endif %}{% endfor %}";
    expect(applyChatTemplate({ jinja }, 'Q?', { bosToken: '<s>' })).toBe('<s><image>\nQ?');
  });
});

describe('MMVP question styles', () => {
  it('original = question, a space, the options string', () => {
    expect(formatQuestion('Is the door open?', '(a) Open (b) Closed', 'original')).toBe('Is the door open? (a) Open (b) Closed');
  });

  it('lmms = lettered options and the answer instruction (lmms-eval / Cambrian)', () => {
    expect(formatQuestion('Is the door open?', '(a) Open (b) Closed', 'lmms')).toBe(
      "Is the door open?\nA. Open\nB. Closed\nAnswer with the option's letter from the given choices directly.",
    );
    expect(parseOptions('(a) a red (b) b blue')).toEqual(['a red', 'b blue']);
    expect(() => parseOptions('yes or no')).toThrow(/expected the form '\(a\) X \(b\) Y'/);
  });
});
