"""Makes the tiny CLIP and DINOv2 fixture models (models/tiny-clip/, models/tiny-dinov2/) and their PyTorch
reference outputs, or a bigger random-weight export for the encoder benchmark.

Run from the repository root (CPU, under a minute):

    /usr/bin/python3 tools/make_tiny_encoders.py

Benchmark export (ViT-B/16-sized CLIP vision tower, ~350 MB; made in a temp dir, never committed):

    /usr/bin/python3 tools/make_tiny_encoders.py --preset vit-b16 --out /tmp/clip-vit-b16

External-data variant at opset 14 (tests that .onnx_data exports and decomposed LayerNorms keep working;
the test suite keeps only config.json, preprocessor_config.json and onnx/vision_model.onnx{,_data}):

    /usr/bin/python3 tools/make_tiny_encoders.py --preset tiny-clip-external --out packages/onnx/src/__fixtures__/tiny-clip-external

What the tiny preset writes (Hugging Face layout, see tools/tiny_models.py for the modules and export I/O):
- models/tiny-clip/: config.json (CLIPModel), preprocessor_config.json (CLIPImageProcessor, 32 px),
  tokenizer.json (a byte-level CLIP BPE trained here on a small caption corpus: CLIP's normalizer
  NFC + whitespace + lowercase, CLIP's Split regex + ByteLevel pre-tokenizer, `</w>` end-of-word suffix,
  <|startoftext|>/<|endoftext|> added by a RobertaProcessing post-processor, ids laid out as in CLIP:
  256 byte symbols, 256 byte symbols + </w>, the merges, then the two special tokens last),
  tokenizer_config.json, special_tokens_map.json, vocab.json, merges.txt, onnx/vision_model.onnx,
  onnx/text_model.onnx.
- models/tiny-dinov2/: config.json (Dinov2Model, pretraining image_size 64 -> an 8x8 grid),
  preprocessor_config.json (BitImageProcessor, shortest edge 36, crop 32 -> a 4x4 grid, so position
  embeddings are interpolated as for the real 518 -> 224 case), onnx/model.onnx.
- reference/ in each: images/*.png (the fixed inputs), pixel_values*.npy computed with Pillow exactly as
  the Hugging Face processors do (PIL bicubic shortest-edge resize, floor center crop, rescale,
  normalize), and the PyTorch outputs on those pixel values: hidden_states.npy [L+1, B, T, D] (every
  hidden state, Hugging Face indexing), last_hidden_state.npy, prenorm.npy, image_embeds.npy /
  pooler_output.npy; for CLIP text: texts.json, input_ids.npy (int64, reference BPE written here
  independently of tokenizer.json, padded with <|endoftext|> to max_position_embeddings), text_embeds.npy,
  text_last_hidden_state.npy; for DINOv2 also the outputs on the CLIP-preprocessed images (*_clip.npy).
"""
import argparse
import json
import os
import re
import shutil
import sys
import unicodedata
from collections import Counter

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_models as tm  # noqa: E402
from bpe_merge import merge_pair  # noqa: E402

torch.set_num_threads(1)

CORPUS = """
a photo of a dog. a photo of a cat. a photo of a red car. a photo of a blue car. the dog is facing left.
the dog is facing right. the butterfly's wings are open. the butterfly's wings are closed. there are two apples.
there are three apples. there is one bird. the door is open. the door is closed. the flag is blowing in the wind.
the ground is wet. the ground is dry. a green leaf on a white table. a yellow flower in a vase. the text says stop.
the camera looks from above. the camera looks from below. the person is standing. the person is sitting. a red
circle and a blue square. the square is to the left of the circle. the circle is to the right of the square. a
photo of a truck with four wheels. a photo of a bicycle. the bottle is full. the bottle is empty. the light is on.
the light is off. a photo of the sky at night with the moon. the snake is coiled. 12 eggs in a box. 5 cats.
""".strip()

# CLIP's pre-tokenizer regex with \p{L} / \p{N} spelled for Python's re (letters, digits, other symbols).
PATTERN = re.compile(r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|(?:[^\s\w]|_)+""", re.IGNORECASE)


def bytes_to_unicode():
    """OpenAI CLIP / GPT-2 byte -> printable unicode table."""
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_ENCODER = bytes_to_unicode()


def normalize(text):
    return re.sub(r'\s+', ' ', unicodedata.normalize('NFC', text)).strip().lower()


def words(text):
    return [''.join(BYTE_ENCODER[b] for b in token.encode('utf-8')) for token in PATTERN.findall(normalize(text))]


def train_bpe(corpus, num_merges):
    counts = Counter(words(corpus))
    vocab = {tuple(w[:-1]) + (w[-1] + '</w>',): c for w, c in counts.items()}
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for symbols, c in vocab.items():
            for a, b in zip(symbols, symbols[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        merged = {}
        for symbols, c in vocab.items():
            out, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    out.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            merged[tuple(out)] = c
        vocab = merged
    return merges


def clip_vocab(merges):
    """Id layout of OpenAI CLIP's simple_tokenizer: bytes, bytes + </w>, merges, then the special tokens."""
    symbols = list(BYTE_ENCODER.values())
    symbols = symbols + [s + '</w>' for s in symbols]
    for a, b in merges:
        symbols.append(a + b)
    symbols += ['<|startoftext|>', '<|endoftext|>']
    return {s: i for i, s in enumerate(symbols)}


def bpe_encode_word(word, ranks):
    """OpenAI CLIP's bpe(): repeatedly merge the lowest-ranked adjacent pair."""
    symbols = list(word[:-1]) + [word[-1] + '</w>']
    while len(symbols) > 1:
        pairs = [(ranks.get((a, b), float('inf')), i) for i, (a, b) in enumerate(zip(symbols, symbols[1:]))]
        rank, i = min(pairs)
        if rank == float('inf'):
            break
        symbols = merge_pair(symbols, symbols[i], symbols[i + 1])
    return symbols


def reference_ids(text, vocab, merges, max_length):
    ranks = {m: i for i, m in enumerate(merges)}
    ids = [vocab['<|startoftext|>']]
    for w in words(text):
        ids += [vocab[s] for s in bpe_encode_word(w, ranks)]
    ids.append(vocab['<|endoftext|>'])
    if len(ids) > max_length:  # HF truncation keeps the special tokens: [BOS, ..., EOS]
        ids = ids[:max_length - 1] + [vocab['<|endoftext|>']]
    return ids + [vocab['<|endoftext|>']] * (max_length - len(ids))


def tokenizer_json(vocab, merges, max_length):
    bos, eos = vocab['<|startoftext|>'], vocab['<|endoftext|>']
    special = lambda content, i: {'id': i, 'content': content, 'single_word': False, 'lstrip': False, 'rstrip': False,
                                  'normalized': True, 'special': True}
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [special('<|startoftext|>', bos), special('<|endoftext|>', eos)],
        'normalizer': {'type': 'Sequence', 'normalizers': [
            {'type': 'NFC'}, {'type': 'Replace', 'pattern': {'Regex': '\\s+'}, 'content': ' '}, {'type': 'Lowercase'}]},
        'pre_tokenizer': {'type': 'Sequence', 'pretokenizers': [
            {'type': 'Split', 'pattern': {'Regex': "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+"},
             'behavior': 'Removed', 'invert': True},
            {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': False}]},
        'post_processor': {'type': 'RobertaProcessing', 'sep': ['<|endoftext|>', eos], 'cls': ['<|startoftext|>', bos],
                           'trim_offsets': False, 'add_prefix_space': False},
        'decoder': {'type': 'ByteLevel', 'add_prefix_space': True, 'trim_offsets': True, 'use_regex': True},
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': '<|endoftext|>', 'continuing_subword_prefix': '',
                  'end_of_word_suffix': '</w>', 'fuse_unk': False, 'byte_fallback': False,
                  'vocab': vocab, 'merges': [f'{a} {b}' for a, b in merges]},
    }


def write_tokenizer(folder, vocab, merges, max_length):
    tm._write_json(os.path.join(folder, 'tokenizer.json'), tokenizer_json(vocab, merges, max_length))
    special = {'bos_token': '<|startoftext|>', 'eos_token': '<|endoftext|>', 'unk_token': '<|endoftext|>', 'pad_token': '<|endoftext|>'}
    tm._write_json(os.path.join(folder, 'special_tokens_map.json'), special)
    tm._write_json(os.path.join(folder, 'tokenizer_config.json'), {
        'tokenizer_class': 'CLIPTokenizer', 'model_max_length': max_length, 'do_lower_case': True,
        'errors': 'replace', 'add_prefix_space': False, **special})
    tm._write_json(os.path.join(folder, 'vocab.json'), vocab)
    with open(os.path.join(folder, 'merges.txt'), 'w') as f:
        f.write('#version: 0.2\n' + ''.join(f'{a} {b}\n' for a, b in merges))


# ----------------------------------------------------------------------------- images

def make_images(folder):
    """Three small deterministic PNGs of different aspect ratios (one smaller than the crop: upscaled)."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(7)
    paths = []
    for i, (w, h) in enumerate([(48, 40), (37, 53), (30, 30)]):
        y, x = np.mgrid[0:h, 0:w]
        base = np.stack([(x * 255 / w), (y * 255 / h), ((x + y) * 128 / (w + h))], axis=-1)
        noise = rng.integers(0, 60, size=(h, w, 3))
        img = np.clip(base + noise + 40 * i, 0, 255).astype(np.uint8)
        path = os.path.join(folder, f'image-{i}.png')
        Image.fromarray(img, 'RGB').save(path)
        paths.append(path)
    return paths


def pil_preprocess(path, config):
    """CLIPImageProcessor / BitImageProcessor with PIL: shortest-edge bicubic resize (output size as HF's
    get_resize_output_image_size: short side = size, long side = int(size * long / short)), floor center
    crop, rescale 1/255, normalize. -> [3, H, W] float32."""
    img = Image.open(path).convert('RGB')
    w, h = img.size
    se = config['size']['shortest_edge']
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = se, int(se * long / short)
    nw, nh = (new_short, new_long) if w <= h else (new_long, new_short)
    img = img.resize((nw, nh), Image.BICUBIC)
    ch, cw = config['crop_size']['height'], config['crop_size']['width']
    top, left = (nh - ch) // 2, (nw - cw) // 2
    img = img.crop((left, top, left + cw, top + ch))
    a = np.asarray(img, dtype=np.float32) * np.float32(config['rescale_factor'])
    a = (a - np.array(config['image_mean'], dtype=np.float32)) / np.array(config['image_std'], dtype=np.float32)
    return a.transpose(2, 0, 1).astype(np.float32)


def save(folder, name, array):
    np.save(os.path.join(folder, name), np.ascontiguousarray(array))


# ----------------------------------------------------------------------------- presets

def make_tiny_clip(out, *, external_data=False, with_reference=True, opset=17):
    if os.path.exists(out):
        shutil.rmtree(out)
    merges = train_bpe(CORPUS, 300)
    vocab = clip_vocab(merges)
    max_length = 16
    config = tm.clip_config(image_size=32, patch_size=8, vision_hidden=64, vision_layers=4, vision_heads=4, text_hidden=64,
                            text_layers=2, text_heads=4, vocab_size=len(vocab), max_position_embeddings=max_length, projection_dim=32,
                            bos_token_id=vocab['<|startoftext|>'], eos_token_id=vocab['<|endoftext|>'])
    model = tm.build_clip(config, seed=1234)
    tm.export_clip(model, out, external_data=external_data, opset=opset)
    write_tokenizer(out, vocab, merges, max_length)
    if not with_reference:
        return model
    ref = os.path.join(out, 'reference')
    paths = make_images(os.path.join(ref, 'images'))
    pre = json.load(open(os.path.join(out, 'preprocessor_config.json')))
    pixel_values = np.stack([pil_preprocess(p, pre) for p in paths])  # [B, 3, H, W]
    with torch.no_grad():
        last, pooled, hidden = model.vision_model(torch.from_numpy(pixel_values))
        image_embeds = model.visual_projection(pooled)
    save(ref, 'pixel_values.npy', pixel_values)
    save(ref, 'hidden_states.npy', torch.stack(hidden).numpy())  # [L+1, B, T, D]
    save(ref, 'last_hidden_state.npy', last.numpy())
    save(ref, 'prenorm.npy', last.numpy())  # CLIP's final LayerNorm (post_layernorm) reads the encoder output
    save(ref, 'pooler_output.npy', pooled.numpy())
    save(ref, 'image_embeds.npy', image_embeds.numpy())
    texts = ['a photo of a dog', 'The Butterfly\'s wings are OPEN!', 'there are 12 eggs in a box on a white table by the door',
             'zebra']
    ids = np.array([reference_ids(t, vocab, merges, max_length) for t in texts], dtype=np.int64)  # [B, S]
    with torch.no_grad():
        tlast, tpooled, _ = model.text_model(torch.from_numpy(ids))
        text_embeds = model.text_projection(tpooled)
    tm._write_json(os.path.join(ref, 'texts.json'), texts)
    save(ref, 'input_ids.npy', ids)
    save(ref, 'text_embeds.npy', text_embeds.numpy())
    save(ref, 'text_last_hidden_state.npy', tlast.numpy())
    return model


def make_tiny_dinov2(out, clip_folder):
    if os.path.exists(out):
        shutil.rmtree(out)
    config = tm.dinov2_config(image_size=64, patch_size=8, hidden_size=48, num_layers=3, num_heads=4, layerscale_value=0.5)
    model = tm.build_dinov2(config, seed=4321)
    tm.export_dinov2(model, out, preprocess_size=36, crop_size=32)
    ref = os.path.join(out, 'reference')
    paths = make_images(os.path.join(ref, 'images'))
    own = json.load(open(os.path.join(out, 'preprocessor_config.json')))
    clip_pre = json.load(open(os.path.join(clip_folder, 'preprocessor_config.json')))
    for suffix, pre in [('', own), ('_clip', clip_pre)]:
        pixel_values = np.stack([pil_preprocess(p, pre) for p in paths])
        with torch.no_grad():
            last, pooled, hidden = model.forward_all(torch.from_numpy(pixel_values))
        save(ref, f'pixel_values{suffix}.npy', pixel_values)
        save(ref, f'hidden_states{suffix}.npy', torch.stack(hidden).numpy())  # [L+1, B, T, D]
        save(ref, f'prenorm{suffix}.npy', hidden[-1].numpy())
        save(ref, f'last_hidden_state{suffix}.npy', last.numpy())
        save(ref, f'pooler_output{suffix}.npy', pooled.numpy())


def make_vit_b16(out):
    if os.path.exists(out):
        shutil.rmtree(out)
    config = tm.clip_config(image_size=224, patch_size=16, vision_hidden=768, vision_layers=12, vision_heads=12,
                            text_hidden=64, text_layers=1, text_heads=4, vocab_size=1000, projection_dim=512)
    model = tm.build_clip(config, seed=5)
    tm.export_clip(model, out, text=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--preset', choices=['tiny', 'vit-b16', 'tiny-clip-external'], default='tiny')
    parser.add_argument('--out', help='output folder (vit-b16, tiny-clip-external)')
    args = parser.parse_args()
    if args.preset == 'tiny':
        make_tiny_clip('models/tiny-clip')
        make_tiny_dinov2('models/tiny-dinov2', 'models/tiny-clip')
    elif args.preset == 'vit-b16':
        make_vit_b16(args.out or '/tmp/clip-vit-b16')
    else:
        make_tiny_clip(args.out, external_data=True, with_reference=False, opset=14)


if __name__ == '__main__':
    main()
