import { describe, expect, it } from 'vitest';
import { QUESTION_STYLES, applyChatTemplate, formatQuestion, parseOptions } from './chat-template';

describe('chat templates', () => {
  it('llava_v1 is the Vicuna v1 conversation MMVP used', () => {
    // written out by hand from LLaVA's conv_llava_v1 (sep ' ', sep2 '</s>') with one user turn
    expect(applyChatTemplate('llava_v1', 'Is the dog facing left or right? (a) left (b) right')).toBe(
      "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions. USER: <image>\nIs the dog facing left or right? (a) left (b) right ASSISTANT:",
    );
  });

  it("vicuna_v1 is the same turn with the 'curious user' system sentence (Cambrian's and lmms-eval's LLaVA default)", () => {
    // LLaVA conversation.py conv_vicuna_v1 (SeparatorStyle.TWO, sep ' '), as peers.md quotes it: "curious user ... user's questions"
    expect(applyChatTemplate('vicuna_v1', 'Q?')).toBe(
      "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. USER: <image>\nQ? ASSISTANT:",
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

  it('lmms = lettered options and the answer instruction (lmms-eval)', () => {
    expect(formatQuestion('Is the door open?', '(a) Open (b) Closed', 'lmms')).toBe("Is the door open?\nA. Open\nB. Closed\nAnswer with the option's letter from the given choices directly.");
    expect(parseOptions('(a) a red (b) b blue')).toEqual(['a red', 'b blue']);
    expect(() => parseOptions('yes or no')).toThrow(/expected the form '\(a\) X \(b\) Y'/);
  });

  // The exact strings each peer's own code builds for one question (reference/peers.md section 2, "The exact strings").
  const fish = ['Is the fish facing left or right?', '(a) Left (b) Right'] as const;

  it("original with llava_v1 is evaluate_mllm.py's full prompt byte for byte", () => {
    expect(applyChatTemplate('llava_v1', formatQuestion(...fish, 'original'))).toBe(
      "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions. USER: <image>\nIs the fish facing left or right? (a) Left (b) Right ASSISTANT:",
    );
  });

  it("lmms is lmms-eval's mmvp_doc_to_text", () => {
    expect(formatQuestion(...fish, 'lmms')).toBe("Is the fish facing left or right?\nA. Left\nB. Right\nAnswer with the option's letter from the given choices directly.");
  });

  it("cambrian is Cambrian's mmvp_eval.py question (' Options:' after the question), not lmms", () => {
    expect(formatQuestion(...fish, 'cambrian')).toBe("Is the fish facing left or right? Options:\nA. Left\nB. Right\nAnswer with the option's letter from the given choices directly.");
    expect(formatQuestion(...fish, 'cambrian')).not.toBe(formatQuestion(...fish, 'lmms'));
    expect(applyChatTemplate('vicuna_v1', formatQuestion(...fish, 'cambrian'))).toBe(
      "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. USER: <image>\nIs the fish facing left or right? Options:\nA. Left\nB. Right\nAnswer with the option's letter from the given choices directly. ASSISTANT:",
    );
  });

  it('an unknown style names the three', () => {
    expect(QUESTION_STYLES).toEqual(['original', 'lmms', 'cambrian']);
    expect(() => formatQuestion(...fish, 'vlmevalkit' as never)).toThrow("unknown prompt style 'vlmevalkit'; choose 'original', 'lmms' or 'cambrian'");
  });
});
