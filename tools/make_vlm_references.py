"""Makes a small MMVP-VLM-layout folder and the PyTorch reference scores of the tiny CLIP on it, for the
`mmvp eval-vlm` test.

Run from the repository root (CPU, a few seconds):

    /usr/bin/python3 tools/make_vlm_references.py

Writes packages/metrics/src/__fixtures__/mmvp-vlm-tiny/:
- Questions.csv: 3 columns (Question ID, Type, Statement), 9 patterns x 2 pairs = 36 rows, in the
  benchmark's pattern order, types named like the release's folders (Orientation, ..., Camera_Perspective).
- MMVP_VLM_Images/<Type>/<id>.png: 36 small PNGs (sizes vary, so the CLIP processor really resizes and crops).
- reference.json: what the official scripts/evaluate_vlm.py computes with the tiny CLIP in PyTorch
  (models/tiny-clip, rebuilt here from tools/tiny_models.py with the seed of tools/make_tiny_encoders.py and
  checked against models/tiny-clip/reference/image_embeds.npy): per pair the logits_per_text [2 texts x 2
  images] = logit_scale.exp() * cos, the softmax P(image 1), the predictions (img1 if P > 0.5 else img2),
  per-pattern scores (correct pairs / pairs x 100) and their mean.

Pixel values come from Pillow exactly as the Hugging Face CLIPImageProcessor (make_tiny_encoders.pil_preprocess);
text ids from the independent reference BPE (make_tiny_encoders.reference_ids), "a photo of " + statement as in
the official script. The script asserts every decision margin |P - 0.5| is large enough that float32
differences between PyTorch and onnxruntime cannot flip a prediction.
"""
import json
import os
import shutil
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_models as tm  # noqa: E402
import make_tiny_encoders as mte  # noqa: E402

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'packages', 'metrics', 'src', '__fixtures__', 'mmvp-vlm-tiny')
CLIP_DIR = os.path.join(ROOT, 'models', 'tiny-clip')

PATTERNS = [
    ('Orientation and Direction', 'Orientation', [('the dog is facing left', 'the dog is facing right'), ('the snake is coiled', 'the snake is not coiled')]),
    ('Presence of Specific Features', 'Presence', [('a photo of a truck with four wheels', 'a photo of a bicycle'), ('the sky at night with the moon', 'the sky at night')]),
    ('State and Condition', 'State', [('the door is open', 'the door is closed'), ('the ground is wet', 'the ground is dry')]),
    ('Quantity and Count', 'Quantity', [('there are two apples', 'there are three apples'), ('12 eggs in a box', '5 cats')]),
    ('Positional and Relational Context', 'Spatial', [('the square is to the left of the circle', 'the circle is to the right of the square'), ('a red circle and a blue square', 'a blue circle and a red square')]),
    ('Color and Appearance', 'Color', [('a red car', 'a blue car'), ('a green leaf on a white table', 'a yellow flower in a vase')]),
    ('Structural Characteristics', 'Structural_Character', [('the bottle is full', 'the bottle is empty'), ('the flag is blowing in the wind', 'the flag is still')]),
    ('Texts', 'Text', [('the text says stop', 'the text says go'), ('the light is on', 'the light is off')]),
    ('Viewpoint and Perspective', 'Camera_Perspective', [('the camera looks from above', 'the camera looks from below'), ('the person is standing', 'the person is sitting')]),
]
SIZES = [(32, 32), (40, 36), (36, 44), (48, 48), (33, 35), (64, 40)]


def make_image(rng, size, variant):
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    base = rng.integers(0, 256, size=3)
    img = np.zeros((h, w, 3), dtype=np.float64) + base
    img += np.stack([x * 200 / w, y * 200 / h, (x + y) * 100 / (w + h)], axis=-1) * (1 if variant == 0 else -1)
    img += rng.integers(-40, 40, size=(h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def main():
    config = json.load(open(os.path.join(CLIP_DIR, 'config.json')))
    model = tm.build_clip(config, seed=1234)  # the seed tools/make_tiny_encoders.py uses for models/tiny-clip
    pre = json.load(open(os.path.join(CLIP_DIR, 'preprocessor_config.json')))
    # The rebuilt weights must be the committed ones.
    ref_pixels = np.load(os.path.join(CLIP_DIR, 'reference', 'pixel_values.npy'))
    with torch.no_grad():
        _, pooled, _ = model.vision_model(torch.from_numpy(ref_pixels))
        check = model.visual_projection(pooled).numpy()
    committed = np.load(os.path.join(CLIP_DIR, 'reference', 'image_embeds.npy'))
    assert np.abs(check - committed).max() < 1e-5, 'rebuilt tiny CLIP differs from models/tiny-clip'

    merges = mte.train_bpe(mte.CORPUS, 300)
    vocab = mte.clip_vocab(merges)
    max_length = config['text_config']['max_position_embeddings']

    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    rng = np.random.default_rng(2024)
    rows = [['Question ID', 'Type', 'Statement']]
    pairs = []
    qid = 0
    for pattern, folder, statements in PATTERNS:
        os.makedirs(os.path.join(OUT, 'MMVP_VLM_Images', folder), exist_ok=True)
        for s1, s2 in statements:
            ids = []
            for variant, statement in enumerate((s1, s2)):
                qid += 1
                size = SIZES[qid % len(SIZES)]
                Image.fromarray(make_image(rng, size, variant), 'RGB').save(os.path.join(OUT, 'MMVP_VLM_Images', folder, f'{qid}.png'))
                rows.append([str(qid), folder, statement])
                ids.append(qid)
            pairs.append({'qid1': ids[0], 'qid2': ids[1], 'pattern': pattern, 'type': folder, 'statements': [s1, s2]})
    with open(os.path.join(OUT, 'Questions.csv'), 'w', newline='') as f:
        for row in rows:
            f.write(','.join(f'"{c}"' if ',' in c else c for c in row) + '\n')

    logit_scale = float(model.logit_scale.exp())
    results = []
    margins = []
    for pair in pairs:
        paths = [os.path.join(OUT, 'MMVP_VLM_Images', pair['type'], f'{q}.png') for q in (pair['qid1'], pair['qid2'])]
        pixels = torch.from_numpy(np.stack([mte.pil_preprocess(p, pre) for p in paths]))  # [2, 3, H, W]
        ids = torch.from_numpy(np.array([mte.reference_ids('a photo of ' + s, vocab, merges, max_length) for s in pair['statements']], dtype=np.int64))
        with torch.no_grad():
            _, pooled, _ = model.vision_model(pixels)
            image = model.visual_projection(pooled)
            _, tpooled, _ = model.text_model(ids)
            text = model.text_projection(tpooled)
            image = image / image.norm(dim=-1, keepdim=True)
            text = text / text.norm(dim=-1, keepdim=True)
            logits_per_text = model.logit_scale.exp() * text @ image.t()  # [2 texts, 2 images], as CLIPModel
            probs = logits_per_text.softmax(dim=-1).numpy()
        p1, p2 = float(probs[0][0]), float(probs[1][0])
        pred1 = 'img1' if p1 > 0.5 else 'img2'
        pred2 = 'img1' if p2 > 0.5 else 'img2'
        margins += [abs(p1 - 0.5), abs(p2 - 0.5)]
        results.append({**pair, 'logits': logits_per_text.numpy().astype(float).tolist(), 'probabilityImage1': [p1, p2],
                        'pred1': pred1, 'pred2': pred2, 'correct': pred1 == 'img1' and pred2 == 'img2'})
    assert min(margins) > 1e-4, f'a decision is too close to call: margin {min(margins)}'
    per_pattern = {}
    for pattern, _, statements in PATTERNS:
        mine = [r for r in results if r['pattern'] == pattern]
        per_pattern[pattern] = sum(r['correct'] for r in mine) / len(mine) * 100
    reference = {
        'model': 'models/tiny-clip',
        'logitScale': logit_scale,
        'pairs': results,
        'perPattern': per_pattern,
        'average': sum(per_pattern.values()) / len(per_pattern),
        'minimumMargin': min(margins),
    }
    tm._write_json(os.path.join(OUT, 'reference.json'), reference)
    print(f'{len(results)} pairs, {sum(r["correct"] for r in results)} correct, average {reference["average"]:.2f}, min margin {min(margins):.5f}')


if __name__ == '__main__':
    main()
