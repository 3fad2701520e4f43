"""Shared pieces of the zoo build: loading the MMVP-Synth TRAINING split, image tensors, small IO helpers.

Only the training split (`mmvp synth --split train`, DIR/train/train.jsonl) is ever read here.
"""
import json
import os
import sys
import time
import types

import torch

# The training stages may run under a torch build without Pillow/numpy (e.g. a GPU box's venv); helper B's and
# D's modules import them at the top but the functions used here (BPE, tokenizer JSON, modules) need neither.
for _missing in ('numpy', 'PIL'):
    try:
        __import__(_missing)
    except ImportError:
        sys.modules[_missing] = types.ModuleType(_missing)
        if _missing == 'PIL':
            sys.modules[_missing].Image = None

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

import tiny_models as tm  # noqa: E402  (helper B: HF-named CLIP / DINOv2 + ONNX export)

CLIP_MEAN = torch.tensor(tm.OPENAI_CLIP_MEAN).view(1, 3, 1, 1)
CLIP_STD = torch.tensor(tm.OPENAI_CLIP_STD).view(1, 3, 1, 1)
IMAGENET_MEAN = torch.tensor(tm.IMAGENET_MEAN).view(1, 3, 1, 1)
IMAGENET_STD = torch.tensor(tm.IMAGENET_STD).view(1, 3, 1, 1)


def log(message):
    print(f'[{time.strftime("%H:%M:%S")}] {message}', flush=True)


def load_train_split(data_dir, size):
    """Reads DIR/train/train.jsonl (helper F's TrainRecord) and its PNGs as a uint8 tensor [N, 3, S, S].

    Refuses anything that is not the training split (the eval split has no train.jsonl)."""
    path = os.path.join(data_dir, 'train', 'train.jsonl')
    if not os.path.exists(path):
        raise SystemExit(f'{path} not found: generate the TRAINING split with `mmvp synth --split train --out {data_dir}`')
    manifest_path = os.path.join(data_dir, 'train', 'synth.json')
    manifest = json.load(open(manifest_path)) if os.path.exists(manifest_path) else {}
    if manifest.get('split', 'train') != 'train':
        raise SystemExit(f'{manifest_path} says split {manifest.get("split")!r}; the zoo trains on the train split only')
    records = [json.loads(line) for line in open(path) if line.strip()]
    packed = os.path.join(data_dir, 'train', f'images-{size}.pt')
    if os.path.exists(packed):  # written by `build_zoo.py --stage pack` (uint8 [N, 3, S, S], same order as train.jsonl)
        return records, manifest, torch.load(packed)
    import numpy as np
    from PIL import Image
    images = np.zeros((len(records), size, size, 3), dtype=np.uint8)
    for index, record in enumerate(records):
        image = Image.open(os.path.join(data_dir, 'train', record['image'])).convert('RGB')
        if image.size != (size, size):
            raise SystemExit(f'{record["image"]} is {image.size}, expected {size}x{size}: generate with --size {size}')
        images[index] = np.asarray(image)
    return records, manifest, torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()  # [N, 3, S, S] uint8


def clip_pixels(images_uint8):
    """CLIP processor at the native size (resize and crop are identities): rescale + OpenAI mean/std."""
    return (images_uint8.float() / 255.0 - CLIP_MEAN) / CLIP_STD  # [B, 3, S, S]


def imagenet_pixels(images_uint8):
    """DINOv2's BitImageProcessor at the native size: rescale + ImageNet mean/std."""
    return (images_uint8.float() / 255.0 - IMAGENET_MEAN) / IMAGENET_STD  # [B, 3, S, S]


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write('\n')


def folder_size(path):
    return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(path) for name in names)
