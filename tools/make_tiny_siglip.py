"""Makes the tiny SigLIP (models/tiny-siglip/) and two tiny OpenCLIP-architecture CLIPs in Hugging Face CLIPModel
layout (models/tiny-openclip-gelu-378/, models/tiny-openclip-quickgelu-224/), with PyTorch reference outputs, for
@mmvp/encoder-siglip, @mmvp/encoder-clip and `mmvp eval-vlm`.

Run from the repository root (CPU, under a minute; models/tiny-clip must exist, its BPE is rebuilt here):

    /usr/bin/python3 tools/make_tiny_siglip.py

models/tiny-siglip/ (modules in tools/tiny_siglip.py): config.json (SiglipModel: vision width 64, 3 layers,
32 px, patch 8 -> a 4x4 grid, same width and grid as the tiny CLIP so the tiny adapters and DINOv2 fit; text
width 64, 1 layer, 16 positions), preprocessor_config.json (SiglipImageProcessor: bicubic resize to 32x32, no
crop, mean/std 0.5), a SentencePiece-style Unigram tokenizer.json (normalizer: strip punctuation, lowercase,
collapse whitespace; Metaspace pre-tokenizer; `</s>` appended by a TemplateProcessing post-processor;
<pad>=0, </s>=1, <unk>=2 as in SigLIP's spiece vocab), tokenizer_config.json (pad `</s>`,
model_max_length 16), onnx/{vision_model,text_model,model}.onnx (tools/tiny_siglip.py: export_siglip),
logit_scale = log(12.5), logit_bias = -7.5 (in model.onnx only, as in the published exports).
reference/: images/*.png (tools/make_tiny_encoders.make_images), pixel_values.npy (Pillow: bicubic resize to
32x32, rescale, normalize 0.5/0.5), hidden_states.npy [L+1, B, N, D], prenorm.npy (= hidden_states[L], the input
of post_layernorm), last_hidden_state.npy (post-norm patch tokens), pooler_output.npy (the attention-pooling
head = the image embedding), texts.json, input_ids.npy (a Viterbi Unigram tokenizer written here independently
of tokenizer.json, `</s>` appended, truncated keeping `</s>`, padded with `</s>` to 16), text_pooler_output.npy,
text_last_hidden_state.npy, tokens_siglip_amof_0_75.npy / tokens_siglip_imof.npy (the visual tokens of
configs/pipelines/tiny-siglip-*.json, see make_siglip_pipeline_references), logits.json (logit_scale, logit_bias, logits_per_text on the normalised embeddings
and their sigmoid), mmvp-vlm.json (the MMVP-VLM reference on packages/metrics/src/__fixtures__/mmvp-vlm-tiny:
per pair logits_per_text [2 texts x 2 images] = scale x cos + bias, softmax P(image 1), sigmoid scores, the
official rule's predictions; per-pattern scores).

models/tiny-openclip-*/: the Hugging Face CLIPModel conversions of OpenCLIP models (DFN ViT-H-14-378 and LAION
ViT-H-14: hidden_act gelu, 378 px, patch 14; MetaCLIP ViT-H-14: quick_gelu, 224 px, patch 14) at tiny width
(32, 2 vision layers, 1 text layer), with the tiny CLIP's tokenizer. reference/: image_embeds.npy,
layer_minus2_image0.npy (hidden_states[-2] of image 0, all tokens), text_embeds.npy, mmvp-vlm.json.
Pixel values are recomputed by the tests from the reference PNGs (a 378-px pixel_values.npy is too big to
commit); the Pillow-exact CLIP processor itself is tested in @mmvp/image.
"""
import json
import math
import os
import re
import shutil
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_models as tm  # noqa: E402
import tiny_siglip as ts  # noqa: E402
import make_tiny_encoders as mte  # noqa: E402
import make_vlm_references as mvr  # noqa: E402

torch.set_num_threads(1)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VLM_DIR = os.path.join(ROOT, 'packages', 'metrics', 'src', '__fixtures__', 'mmvp-vlm-tiny')
TEXTS = ['a photo of a dog', "The Butterfly's wings are OPEN!", 'there are 12 eggs in a box on a white table by the door', 'zebra']
PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'

# ----------------------------------------------------------------------------- Unigram tokenizer


def normalize(text):
    text = ''.join(ch for ch in text if ch not in PUNCTUATION)
    return re.sub(r'\s+', ' ', text.lower()).strip()


def unigram_vocab():
    """[(piece, score)]: <pad>, </s>, <unk>, then whole words of the corpus, a few subwords, single characters."""
    words = sorted(set(normalize(mte.CORPUS + ' ' + ' '.join(p for _, _, pairs in mvr.PATTERNS for pair in pairs for p in pair)).split(' ')))
    pieces = [('<pad>', 0.0), ('</s>', 0.0), ('<unk>', 0.0)]
    for i, w in enumerate(words):
        pieces.append(('\u2581' + w, -4.0 - 0.001 * i))
    for i, sub in enumerate(['ing', 'ed', 'er', 's', 'es', '\u2581a', '\u2581th', 'ow', 'an']):
        pieces.append((sub, -6.0 - 0.001 * i))
    chars = sorted(set(''.join(words)) | set('abcdefghijklmnopqrstuvwxyz0123456789'))
    pieces.append(('\u2581', -7.0))
    for i, ch in enumerate(chars):
        pieces.append((ch, -9.0 - 0.001 * i))
    seen = set()
    unique = []
    for piece, score in pieces:
        if piece not in seen:
            seen.add(piece)
            unique.append((piece, score))
    return unique


def viterbi(word, scores, unk_score):
    """Best segmentation of `word` (max summed piece score); characters not in the vocab become <unk>."""
    n = len(word)
    best = [(-math.inf, None)] * (n + 1)
    best[0] = (0.0, None)
    for end in range(1, n + 1):
        for start in range(end):
            piece = word[start:end]
            score = scores.get(piece)
            if score is None and end - start == 1:
                score = unk_score
                piece = None
            if score is None or best[start][0] == -math.inf:
                continue
            total = best[start][0] + score
            if total > best[end][0]:
                best[end] = (total, (start, piece))
    out, end = [], n
    while end > 0:
        start, piece = best[end][1]
        out.append(piece)
        end = start
    return out[::-1]


def reference_ids(text, vocab, max_length):
    ids_of = {p: i for i, (p, _) in enumerate(vocab)}
    scores = {p: s for p, s in vocab[3:]}
    ids = []
    for word in normalize(text).split(' '):
        if not word:
            continue
        for piece in viterbi('\u2581' + word, scores, -20.0):
            ids.append(2 if piece is None else ids_of[piece])
    ids.append(1)  # </s>
    if len(ids) > max_length:
        ids = ids[:max_length - 1] + [1]
    return ids + [1] * (max_length - len(ids))


def write_tokenizer(folder, vocab, max_length):
    punct = '[' + re.escape(PUNCTUATION) + ']'
    tokenizer = {
        'version': '1.0', 'truncation': None, 'padding': None,
        'added_tokens': [{'id': i, 'content': c, 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': False, 'special': True}
                         for i, c in enumerate(['<pad>', '</s>', '<unk>'])],
        'normalizer': {'type': 'Sequence', 'normalizers': [
            {'type': 'Replace', 'pattern': {'Regex': punct}, 'content': ''},
            {'type': 'Lowercase'},
            {'type': 'Replace', 'pattern': {'Regex': '\\s+'}, 'content': ' '},
            {'type': 'Strip', 'strip_left': True, 'strip_right': True}]},
        'pre_tokenizer': {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': True},
        'post_processor': {'type': 'TemplateProcessing',
                           'single': [{'Sequence': {'id': 'A', 'type_id': 0}}, {'SpecialToken': {'id': '</s>', 'type_id': 0}}],
                           'pair': [{'Sequence': {'id': 'A', 'type_id': 0}}, {'SpecialToken': {'id': '</s>', 'type_id': 0}},
                                    {'Sequence': {'id': 'B', 'type_id': 0}}, {'SpecialToken': {'id': '</s>', 'type_id': 0}}],
                           'special_tokens': {'</s>': {'id': '</s>', 'ids': [1], 'tokens': ['</s>']}}},
        'decoder': {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': True},
        'model': {'type': 'Unigram', 'unk_id': 2, 'vocab': [[p, s] for p, s in vocab], 'byte_fallback': False},
    }
    tm._write_json(os.path.join(folder, 'tokenizer.json'), tokenizer)
    special = {'eos_token': '</s>', 'pad_token': '</s>', 'unk_token': '<unk>'}
    tm._write_json(os.path.join(folder, 'special_tokens_map.json'), special)
    tm._write_json(os.path.join(folder, 'tokenizer_config.json'), {
        'tokenizer_class': 'SiglipTokenizer', 'model_max_length': max_length, 'do_lower_case': True,
        'model_input_names': ['input_ids'], **special})


# ----------------------------------------------------------------------------- images


def pil_resize_preprocess(path, config):
    """SiglipImageProcessor with PIL: bicubic resize to (height, width), no crop, rescale 1/255, normalize."""
    img = Image.open(path).convert('RGB')
    img = img.resize((config['size']['width'], config['size']['height']), Image.BICUBIC)
    a = np.asarray(img, dtype=np.float32) * np.float32(config['rescale_factor'])
    a = (a - np.array(config['image_mean'], dtype=np.float32)) / np.array(config['image_std'], dtype=np.float32)
    return a.transpose(2, 0, 1).astype(np.float32)  # [3, H, W]


def vlm_pairs():
    """The pairs of the committed mmvp-vlm-tiny fixture (Questions.csv read positionally, as the official script)."""
    rows = [line.rstrip('\n').split(',', 2) for line in open(os.path.join(VLM_DIR, 'Questions.csv'))][1:]
    pairs = []
    for i in range(0, len(rows), 2):
        (q1, t1, s1), (q2, _, s2) = rows[i], rows[i + 1]
        pattern = next(name for name, folder, _ in mvr.PATTERNS if folder == t1)
        paths = [os.path.join(VLM_DIR, 'MMVP_VLM_Images', t1, f'{q}.png') for q in (q1, q2)]
        pairs.append({'qid1': int(q1), 'qid2': int(q2), 'pattern': pattern, 'type': t1, 'statements': [s1.strip('"'), s2.strip('"')], 'paths': paths})
    return pairs


def vlm_reference(pairs, embed_images, embed_texts, logit_scale, logit_bias, model_name, sigmoid_scores):
    """evaluate_vlm.py's rule on logits_per_text = scale x cos + bias: softmax over the two images per statement,
    statement 1 must pick image 1 and statement 2 image 2 (ties to image 2). For SigLIP also the sigmoid scores,
    and a check that their per-statement argmax gives the same predictions."""
    results, margins = [], []
    for pair in pairs:
        with torch.no_grad():
            image = embed_images(pair['paths'])  # [2, E]
            text = embed_texts(['a photo of ' + s for s in pair['statements']])  # [2, E]
            image = image / image.norm(dim=-1, keepdim=True)
            text = text / text.norm(dim=-1, keepdim=True)
            logits = (text @ image.t()) * logit_scale + logit_bias  # [2 texts, 2 images]
            probs = logits.softmax(dim=-1).numpy()
            sigmoid = torch.sigmoid(logits).numpy()
        p1, p2 = float(probs[0][0]), float(probs[1][0])
        pred1, pred2 = ('img1' if p1 > 0.5 else 'img2'), ('img1' if p2 > 0.5 else 'img2')
        if sigmoid_scores:  # SigLIP's own score; strictly increasing in the logit, so its argmax is the rule's choice
            sig1 = 'img1' if sigmoid[0][0] > sigmoid[0][1] else 'img2'
            sig2 = 'img1' if sigmoid[1][0] > sigmoid[1][1] else 'img2'
            assert (sig1, sig2) == (pred1, pred2), 'sigmoid argmax and softmax rule disagree'
        margins += [abs(p1 - 0.5), abs(p2 - 0.5)]
        results.append({'qid1': pair['qid1'], 'qid2': pair['qid2'], 'pattern': pair['pattern'], 'logits': logits.numpy().astype(float).tolist(),
                        'probabilityImage1': [p1, p2], **({'sigmoid': sigmoid.astype(float).tolist()} if sigmoid_scores else {}), 'pred1': pred1, 'pred2': pred2,
                        'correct': pred1 == 'img1' and pred2 == 'img2'})
    assert min(margins) > 1e-4, f'a decision is too close to call: margin {min(margins)}'
    per_pattern = {}
    for pattern, _, _ in mvr.PATTERNS:
        mine = [r for r in results if r['pattern'] == pattern]
        per_pattern[pattern] = sum(r['correct'] for r in mine) / len(mine) * 100
    return {'model': model_name, 'data': 'packages/metrics/src/__fixtures__/mmvp-vlm-tiny', 'logitScale': logit_scale, 'logitBias': logit_bias,
            'pairs': results, 'perPattern': per_pattern, 'average': sum(per_pattern.values()) / len(per_pattern), 'minimumMargin': min(margins)}


# ----------------------------------------------------------------------------- SigLIP


def make_tiny_siglip(out):
    if os.path.exists(out):
        shutil.rmtree(out)
    vocab = unigram_vocab()
    max_length = 16
    config = ts.siglip_config(vision_intermediate=64, text_intermediate=64, text_layers=1, vocab_size=len(vocab), max_position_embeddings=max_length)
    logit_scale, logit_bias = math.log(12.5), -7.5
    # seed 2747: of seeds 2718-2747 the one whose random weights get the most MMVP-VLM pairs right (3 of 18, the two
    # statements of 3 pairs pick different images), so the decision test is not all-wrong; minimum margin 0.005
    model = ts.build_siglip(config, seed=2747, logit_scale=logit_scale, logit_bias=logit_bias)
    ts.export_siglip(model, out)
    write_tokenizer(out, vocab, max_length)
    ref = os.path.join(out, 'reference')
    paths = mte.make_images(os.path.join(ref, 'images'))
    pre = json.load(open(os.path.join(out, 'preprocessor_config.json')))
    pixel_values = np.stack([pil_resize_preprocess(p, pre) for p in paths])  # [B, 3, H, W]
    with torch.no_grad():
        last, pooled, hidden = model.vision_model(torch.from_numpy(pixel_values))
    mte.save(ref, 'pixel_values.npy', pixel_values)
    mte.save(ref, 'hidden_states.npy', torch.stack(hidden).numpy())  # [L+1, B, N, D]
    mte.save(ref, 'prenorm.npy', hidden[-1].numpy())
    mte.save(ref, 'last_hidden_state.npy', last.numpy())
    mte.save(ref, 'pooler_output.npy', pooled.numpy())
    ids = np.array([reference_ids(t, vocab, max_length) for t in TEXTS], dtype=np.int64)  # [B, S]
    with torch.no_grad():
        tlast, tpooled, _ = model.text_model(torch.from_numpy(ids))
        logits_per_image, logits_per_text, _, _ = model(torch.from_numpy(ids), torch.from_numpy(pixel_values))
    tm._write_json(os.path.join(ref, 'texts.json'), TEXTS)
    mte.save(ref, 'input_ids.npy', ids)
    mte.save(ref, 'text_pooler_output.npy', tpooled.numpy())
    mte.save(ref, 'text_last_hidden_state.npy', tlast.numpy())
    tm._write_json(os.path.join(ref, 'logits.json'), {
        'logitScale': math.exp(logit_scale), 'logitBias': logit_bias, 'logitsPerText': logits_per_text.numpy().astype(float).tolist(),
        'sigmoid': torch.sigmoid(logits_per_text).numpy().astype(float).tolist()})

    def embed_images(image_paths):
        return model.vision_model(torch.from_numpy(np.stack([pil_resize_preprocess(p, pre) for p in image_paths])))[1]

    def embed_texts(texts):
        return model.text_model(torch.from_numpy(np.array([reference_ids(t, vocab, max_length) for t in texts], dtype=np.int64)))[1]

    reference = vlm_reference(vlm_pairs(), embed_images, embed_texts, math.exp(logit_scale), logit_bias, 'models/tiny-siglip', True)
    tm._write_json(os.path.join(ref, 'mmvp-vlm.json'), reference)
    print(f'tiny-siglip: {sum(r["correct"] for r in reference["pairs"])}/{len(reference["pairs"])} pairs correct, '
          f'average {reference["average"]:.2f}, min margin {reference["minimumMargin"]:.5f}')


# ----------------------------------------------------------------------------- OpenCLIP-architecture CLIPs


def make_tiny_openclip(out, *, hidden_act, image_size, seed):
    if os.path.exists(out):
        shutil.rmtree(out)
    merges = mte.train_bpe(mte.CORPUS, 300)
    vocab = mte.clip_vocab(merges)
    max_length = 16
    config = tm.clip_config(image_size=image_size, patch_size=14, vision_hidden=32, vision_layers=2, vision_heads=2, text_hidden=32,
                            text_layers=1, text_heads=2, vocab_size=len(vocab), max_position_embeddings=max_length, projection_dim=24,
                            bos_token_id=vocab['<|startoftext|>'], eos_token_id=vocab['<|endoftext|>'], hidden_act=hidden_act)
    model = tm.build_clip(config, seed=seed)
    with torch.no_grad():
        model.logit_scale.fill_(math.log(100.0))
    tm.export_clip(model, out)
    mte.write_tokenizer(out, vocab, merges, max_length)
    for name in ('vocab.json', 'merges.txt'):  # tokenizer.json is what the encoder reads; keep the folder small
        os.remove(os.path.join(out, name))
    ref = os.path.join(out, 'reference')
    paths = mte.make_images(os.path.join(ref, 'images'))
    pre = json.load(open(os.path.join(out, 'preprocessor_config.json')))
    pixel_values = torch.from_numpy(np.stack([mte.pil_preprocess(p, pre) for p in paths]))
    with torch.no_grad():
        _, pooled, hidden = model.vision_model(pixel_values)
        ids = torch.from_numpy(np.array([mte.reference_ids(t, vocab, merges, max_length) for t in TEXTS], dtype=np.int64))
        _, tpooled, _ = model.text_model(ids)
        image_embeds, text_embeds = model.visual_projection(pooled), model.text_projection(tpooled)
    mte.save(ref, 'image_embeds.npy', image_embeds.numpy())
    mte.save(ref, 'layer_minus2_image0.npy', hidden[-2][:1].numpy())  # [1, T, D]
    tm._write_json(os.path.join(ref, 'texts.json'), TEXTS)
    mte.save(ref, 'text_embeds.npy', text_embeds.numpy())

    def embed_images(image_paths):
        return model.visual_projection(model.vision_model(torch.from_numpy(np.stack([mte.pil_preprocess(p, pre) for p in image_paths])))[1])

    def embed_texts(texts):
        t = torch.from_numpy(np.array([mte.reference_ids(x, vocab, merges, max_length) for x in texts], dtype=np.int64))
        return model.text_projection(model.text_model(t)[1])

    reference = vlm_reference(vlm_pairs(), embed_images, embed_texts, 100.0, 0.0, os.path.relpath(out, ROOT), False)
    tm._write_json(os.path.join(ref, 'mmvp-vlm.json'), reference)
    print(f'{os.path.basename(out)}: {sum(r["correct"] for r in reference["pairs"])}/{len(reference["pairs"])} pairs correct, '
          f'min margin {reference["minimumMargin"]:.5f}')


# ----------------------------------------------------------------------------- SigLIP + DINOv2 MoF pipelines


def load_safetensors(path):
    """{name: tensor} of an F32 safetensors file (8-byte header length, JSON header, raw data)."""
    raw = open(path, 'rb').read()
    n = int.from_bytes(raw[:8], 'little')
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        start, end = info['data_offsets']
        out[name] = torch.from_numpy(np.frombuffer(raw[base + start:base + end], dtype='<f4').reshape(info['shape']).copy())
    return out


def projector(weights, prefix):
    """LLaVA's mlp2x_gelu (Linear, GELU, Linear) from `prefix.0.weight` ... `prefix.2.bias`."""
    w0, b0, w2, b2 = (weights[f'{prefix}.{k}'] for k in ('0.weight', '0.bias', '2.weight', '2.bias'))
    return lambda x: torch.nn.functional.linear(torch.nn.functional.gelu(torch.nn.functional.linear(x, w0, b0)), w2, b2)


def make_siglip_pipeline_references(siglip_dir):
    """The visual tokens of configs/pipelines/tiny-siglip-{amof-0.75,imof}.json on the three reference images:
    SigLIP hidden_states[-2] (all tokens are patches), DINOv2 x_prenorm patch tokens on the SigLIP-preprocessed
    pixels (the pipeline's `pixels: clip`: the first encoder's processor), the tiny adapters of models/tiny-mof.
    The tiny DINOv2s are rebuilt with the seeds of tools/make_tiny_encoders.py / make_mof_references.py and
    checked against their committed PyTorch outputs first."""
    ref = os.path.join(siglip_dir, 'reference')
    pixels = torch.from_numpy(np.load(os.path.join(ref, 'pixel_values.npy')))  # [3, 3, 32, 32], SigLIP processor
    siglip = torch.from_numpy(np.load(os.path.join(ref, 'hidden_states.npy'))[-2])  # [3, 16, 64]
    clip_pixels = torch.from_numpy(np.load(os.path.join(ROOT, 'models', 'tiny-clip', 'reference', 'pixel_values.npy')))
    dino48 = tm.build_dinov2(tm.dinov2_config(image_size=64, patch_size=8, hidden_size=48, num_layers=3, num_heads=4, layerscale_value=0.5), seed=4321)
    dino64 = tm.build_dinov2(tm.dinov2_config(image_size=64, patch_size=8, hidden_size=64, num_layers=2, num_heads=4, layerscale_value=0.5), seed=777)
    with torch.no_grad():
        check48 = dino48.forward_all(clip_pixels)[2][-1].numpy()
        check64 = dino64.forward_all(clip_pixels)[2][-1][:, 1:].numpy()
        assert np.abs(check48 - np.load(os.path.join(ROOT, 'models', 'tiny-dinov2', 'reference', 'prenorm_clip.npy'))).max() < 1e-5, 'tiny-dinov2 rebuilt differently'
        assert np.abs(check64 - np.load(os.path.join(ROOT, 'models', 'tiny-mof', 'reference', 'dino64_prenorm_patch.npy'))).max() < 1e-5, 'tiny-dinov2-64 rebuilt differently'
        d48 = dino48.forward_all(pixels)[2][-1][:, 1:]  # [3, 16, 48] x_prenorm patch tokens
        d64 = dino64.forward_all(pixels)[2][-1][:, 1:]  # [3, 16, 64]
        amof = projector(load_safetensors(os.path.join(ROOT, 'models', 'tiny-mof', 'amof-mm_projector.safetensors')), 'model.mm_projector')
        imof = load_safetensors(os.path.join(ROOT, 'models', 'tiny-mof', 'imof-projectors.safetensors'))
        r = 0.75
        mte.save(ref, 'tokens_siglip_amof_0_75.npy', amof((1 - r) * siglip + r * d64).numpy())  # [3, 16, 64]
        s = projector(imof, 'model.mm_projector')(siglip)  # [3, 16, 64]
        d = projector(imof, 'model.dino_mm_projector')(d48)  # [3, 16, 64]
        merged = torch.zeros(3, 32, 64)
        merged[:, 0::2], merged[:, 1::2] = s, d  # s0, d0, s1, d1, ...
        mte.save(ref, 'tokens_siglip_imof.npy', merged.numpy())  # [3, 32, 64]


def main():
    make_tiny_siglip(os.path.join(ROOT, 'models', 'tiny-siglip'))
    make_siglip_pipeline_references(os.path.join(ROOT, 'models', 'tiny-siglip'))
    make_tiny_openclip(os.path.join(ROOT, 'models', 'tiny-openclip-gelu-378'), hidden_act='gelu', image_size=378, seed=378)
    make_tiny_openclip(os.path.join(ROOT, 'models', 'tiny-openclip-quickgelu-224'), hidden_act='quick_gelu', image_size=224, seed=224)


if __name__ == '__main__':
    main()
