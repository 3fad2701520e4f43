"""Builds the trained tiny model zoo (models/zoo/) from the MMVP-Synth TRAINING split.

Rebuild, serially on a 2-core CPU (see README.md for the measured times):

    node apps/cli/dist/cli.js synth --split train --out .cache/zoo-train --size 64 --count 5000 --seed 1 --no-contact-sheets
    /usr/bin/python3 tools/zoo/build_zoo.py --data .cache/zoo-train --out models/zoo --stage all

(install Debian's libopenblas0-pthread first and set OPENBLAS_NUM_THREADS: torch's generic BLAS is ~10x slower without it)

The committed zoo was built on 2 cores with `sh tools/zoo/build_two_cores.sh` and explicit step counts
(the exact command is in tools/zoo/README.md, "Rebuild").

Stages can run as separate processes (what the parallel build does): `--stage clip`, `--stage ssl`,
`--stage base` (independent), then `--stage llava --config NAME` for each NAME in CONFIGS (needs the three).
Intermediate PyTorch weights go to --work (default .cache/zoo-work; never committed).

Each stage trains for at most its --*-steps; with --budget-seconds S a stage times one step first and trains
for min(steps, S / seconds-per-step) steps instead. The model card records the steps actually trained,
so passing them back as --*-steps rebuilds the same schedule.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import folder_size, load_train_split, log, write_json  # noqa: E402
from safetensors_io import load_safetensors, save_safetensors  # noqa: E402
import clip_stage  # noqa: E402
import ssl_stage  # noqa: E402
import llava_stage  # noqa: E402

SIZE = 64
# name -> (strategy, DINOv2/SSL ratio r or None, seed offset). CLIP-only and A-MoF r=0 are the same
# architecture trained with different seeds: their difference measures seed noise. CLIP-only, A-MoF r=0.625
# and I-MoF are also trained with two more seeds (-seed2, -seed3): the demo reports them as mean and spread.
CONFIGS = {
    'llava-clip': ('clip', None, 10),
    'llava-clip-seed2': ('clip', None, 11),
    'llava-clip-seed3': ('clip', None, 12),
    'llava-amof-0': ('additive', 0.0, 20),
    'llava-amof-0.25': ('additive', 0.25, 20),
    'llava-amof-0.5': ('additive', 0.5, 20),
    'llava-amof-0.625': ('additive', 0.625, 20),
    'llava-amof-0.75': ('additive', 0.75, 20),
    'llava-amof-0.875': ('additive', 0.875, 20),
    'llava-amof-1': ('additive', 1.0, 20),
    'llava-imof': ('interleaved', None, 20),
    'llava-amof-0.625-seed2': ('additive', 0.625, 21),
    'llava-imof-seed2': ('interleaved', None, 21),
    'llava-amof-0.625-seed3': ('additive', 0.625, 22),
    'llava-imof-seed3': ('interleaved', None, 22),
}


def architecture(args):
    return {'patch': args.patch, 'width': args.width, 'layers': args.layers}


def save_work(args, name, state, info):
    """Trained weights as F32 safetensors + JSON (portable across torch/numpy versions: the build may train
    with one torch and export with Debian's torch 1.13)."""
    save_safetensors({k: v.float() for k, v in state.items()}, os.path.join(args.work, f'{name}.safetensors'))
    write_json(os.path.join(args.work, f'{name}.json'), info)


def load_work(args, name):
    state, _ = load_safetensors(os.path.join(args.work, f'{name}.safetensors'))
    return state, json.load(open(os.path.join(args.work, f'{name}.json')))


def card(folder, title, lines):
    with open(os.path.join(folder, 'README.md'), 'w') as f:
        f.write(f'# {title}\n\n' + '\n'.join(lines) + '\n')


def data_line(manifest, records):
    stated = sum(1 for r in records if r['caption_states_pattern'])
    return (f'- Training data: MMVP-Synth TRAINING split (`mmvp synth --split train`, generator {manifest.get("generator", "@mmvp/synth")} '
            f'v{manifest.get("generatorVersion", "?")}, seed {manifest.get("seed", "?")}, {manifest.get("pairs", len(records) // 2)} pairs, '
            f'{len(records)} images of {SIZE}x{SIZE} px); never the evaluation split. {stated} of {len(records)} captions '
            f'({100 * stated / len(records):.1f}%) state the detail the pair differs in.')


def budgeted(args, requested, probe):
    """Steps to train: `requested`, or fewer when --budget-seconds is set: `probe(n)` runs n steps (setup
    included), and the difference of a 2-step and a 6-step probe gives the time of one step."""
    if not args.budget_seconds:
        return requested, None
    started = time.time()
    probe(2)
    short = time.time() - started
    started = time.time()
    probe(6)
    per_step = max(1e-3, (time.time() - started - short) / 4)
    return max(20, min(requested, int(args.budget_seconds / per_step))), per_step


def train_clip_stage(args, records, images):
    steps, per_step = budgeted(args, args.clip_steps, lambda n: clip_stage.train_clip(records, images, seed=args.seed, steps=n, batch_size=args.clip_batch, **architecture(args)))
    started = time.time()
    model, vocab, merges, info = clip_stage.train_clip(records, images, seed=args.seed, steps=steps, batch_size=args.clip_batch, **architecture(args))
    info.update(seconds=time.time() - started, seed=args.seed, seconds_per_step_probe=per_step, threads=torch.get_num_threads(), torch=torch.__version__)
    save_work(args, 'clip', model.state_dict(), {'config': model.config, 'vocab': vocab, 'merges': [list(m) for m in merges], 'info': info})
    log(f'clip done: {info}')


def train_ssl_stage(args, images):
    steps, per_step = budgeted(args, args.ssl_steps, lambda n: ssl_stage.train_ssl(images, seed=args.seed, steps=n, batch_size=args.ssl_batch, **architecture(args)))
    started = time.time()
    model, info = ssl_stage.train_ssl(images, seed=args.seed + 1, steps=steps, batch_size=args.ssl_batch, objective=args.ssl_objective, **architecture(args))
    info.update(seconds=time.time() - started, seed=args.seed + 1, seconds_per_step_probe=per_step, threads=torch.get_num_threads(), torch=torch.__version__)
    save_work(args, 'ssl', model.state_dict(), {'config': model.config, 'info': info})
    log(f'ssl done: {info}')


def train_base_stage(args, records):
    started = time.time()
    tokenizer = llava_stage.Tokenizer(records)
    config, state, info = llava_stage.pretrain_language_model(tokenizer, records, seed=args.seed + 2, steps=args.lm_steps, batch_size=32)
    info['seconds'] = time.time() - started
    save_work(args, 'base', state, {'config': config, 'info': info, 'vocab': tokenizer.vocab, 'merges': [list(m) for m in tokenizer.merges]})
    log(f'base language model done: {info}')


def load_clip(args):
    import tiny_models as tm
    state, saved = load_work(args, 'clip')
    model = tm.build_clip(saved['config'])
    model.load_state_dict(state)
    return model.eval(), saved


def load_ssl(args):
    import tiny_models as tm
    state, saved = load_work(args, 'ssl')
    model = tm.build_dinov2(saved['config'])
    model.load_state_dict(state)
    return model.eval(), saved


def features(args, images):
    cache = os.path.join(args.work, 'features.pt')
    newest = max(os.path.getmtime(os.path.join(args.work, f)) for f in ('clip.safetensors', 'ssl.safetensors'))
    if os.path.exists(cache) and os.path.getmtime(cache) > newest:
        return torch.load(cache)
    clip, _ = load_clip(args)
    ssl, _ = load_ssl(args)
    result = llava_stage.encoder_features(clip, ssl, images)
    temporary = f'{cache}.{os.getpid()}'
    torch.save(result, temporary)
    os.replace(temporary, cache)
    return result


def train_llava_stage(args, records, images, name):
    strategy, ratio, seed_offset = CONFIGS[name]
    started = time.time()
    base_state, base = load_work(args, 'base')
    tokenizer = llava_stage.Tokenizer(records, trained=(base['vocab'], base['merges']))
    clip_features, ssl_features = features(args, images)
    log(f'{name}: features clip {tuple(clip_features.shape)} ssl {tuple(ssl_features.shape)} in {time.time() - started:.1f} s')
    caption_steps, vqa_steps = args.caption_steps, args.vqa_steps
    common = dict(strategy=strategy, ratio=ratio, seed=args.seed + seed_offset, batch_size=args.llava_batch, eval_every=args.eval_every, patience=args.patience)
    if args.budget_seconds:
        total, _ = budgeted(args, caption_steps + vqa_steps, lambda n: llava_stage.train_llava(
            tokenizer, base['config'], base_state, records, clip_features, ssl_features, caption_steps=1, vqa_steps=n - 1, **common))
        scale = total / (caption_steps + vqa_steps)
        caption_steps, vqa_steps = max(10, int(caption_steps * scale)), max(30, int(vqa_steps * scale))
    model, visual, history = llava_stage.train_llava(tokenizer, base['config'], base_state, records, clip_features, ssl_features,
                                                     caption_steps=caption_steps, vqa_steps=vqa_steps, **common)
    state = {f'llm.{k}': v for k, v in model.state_dict().items()}
    state.update({f'visual.{k}': v for k, v in visual.state_dict().items()})
    save_work(args, name, state, {'name': name, 'strategy': strategy, 'ratio': ratio, 'seed': args.seed + seed_offset,
                                  'batch_size': args.llava_batch, 'language_model': base['info'], 'stages': history,
                                  'seconds': time.time() - started, 'torch': torch.__version__})
    log(f'{name} done in {time.time() - started:.0f} s: {json.dumps(history)}')


def export_clip(args, records, manifest):
    model, saved = load_clip(args)
    info = saved['info']
    vc = model.config['vision_config']
    merges = [tuple(m) for m in saved['merges']]
    folder = os.path.join(args.out, 'tiny-clip')
    clip_stage.export_clip(model, saved['vocab'], merges, info['max_length'], folder)
    write_json(os.path.join(folder, 'training.json'), info)
    card(folder, 'tiny-clip (mmvp zoo)', [
        'A tiny CLIP (ViT image tower + causal text tower, Hugging Face CLIPModel names and ONNX layout) trained by tools/zoo.',
        '',
        data_line(manifest, records),
        '- Objective: symmetric contrastive InfoNCE between image and caption embeddings over the batch, learned temperature '
        '(identical captions in a batch share the target). Captions are alt-text style and only rarely name orientation, '
        'count, position, state, text or viewpoint; nothing else supervises the model.',
        f'- Architecture: 64 px input, patch {vc["patch_size"]} ({64 // vc["patch_size"]}x{64 // vc["patch_size"]} patches), vision width {vc["hidden_size"]} x {vc["num_hidden_layers"]} layers, '
        f'text width {model.config["text_config"]["hidden_size"]} x 2 layers, '
        f'context {info["max_length"]} tokens, projection 64; byte-level CLIP BPE with {info["bpe_merges"]} merges trained on the captions.',
        f'- Steps: {info["steps"]}, batch {info["batch_size"]}, AdamW lr {info["lr"]} (one-cycle), seed {info["seed"]}.',
        f'- Final loss (mean of the last 20 steps): {info["final_loss"]:.4f}. Training time {info["seconds"]:.0f} s with {info["threads"]} thread(s), torch {info["torch"]}.',
        '- Files: config.json, preprocessor_config.json (CLIPImageProcessor 64/64), tokenizer files, onnx/vision_model.onnx, onnx/text_model.onnx '
        '(exported with torch 1.13 by tools/tiny_models.py).',
    ])


def ssl_objective_lines(info):
    augmentations = 'random resized crop 0.5-1 of the area, horizontal flip, brightness jitter: DINO\'s view augmentations'
    if info.get('objective') == 'ibot':
        return [
            f'- Objective (DINOv2\'s three ingredients at toy scale): (1) image level: InfoNCE between the CLS tokens of two augmented views of each image '
            f'({augmentations}; temperature {info["temperature"]}, projection head discarded; DINOv2 uses DINO self-distillation here); '
            f'(2) patch level, iBOT masked-image self-distillation: a share of the student\'s patches drawn per image from [0.1, 0.5] is replaced by the mask token, '
            f'an EMA teacher (momentum {info["ema_start"]} -> 1) sees the same view unmasked, cross-entropy between the teacher\'s centred, sharpened '
            f'(temperature {info["teacher_temperature"]}) and the student\'s (temperature {info["student_temperature"]}) distributions over '
            f'{info["prototypes"]} prototypes on the masked patches (patch head discarded); (3) KoLeo on the CLS features (weight {info["koleo_weight"]}).',
        ]
    return [f'- Objective: (1) InfoNCE between the CLS tokens of two augmented views of each image ({augmentations}; temperature 0.2, projection head '
            'discarded) and (2) masked image modelling: 30% of the patches blanked, their pixels predicted from the output patch tokens (linear head discarded, L2).']


def every_fourth_and_last(rows):
    return rows[::4] + ([rows[-1]] if rows and (len(rows) - 1) % 4 else [])


def curve_table(columns, rows, title):
    """A model card's markdown table of a training curve (`rows`: dicts with `columns`)."""
    if not rows:
        return []
    return ['', title, '', '| ' + ' | '.join(columns) + ' |', '|' + '---|' * len(columns),
            *['| ' + ' | '.join(str(row.get(c, '')) for c in columns) + ' |' for row in rows], '']


def export_ssl(args, records, manifest):
    model, saved = load_ssl(args)
    info = saved['info']
    folder = os.path.join(args.out, 'tiny-ssl')
    ssl_stage.export_ssl(model, folder, SIZE)
    write_json(os.path.join(folder, 'training.json'), info)
    card(folder, 'tiny-ssl (mmvp zoo): a DINOv2-style self-supervised ViT', [
        'A tiny vision-only self-supervised ViT with Hugging Face Dinov2Model names and ONNX layout, trained by tools/zoo. No text and no labels.',
        '',
        data_line(manifest, records).replace(' captions (', ' captions (unused here; '),
        *ssl_objective_lines(info),
        f'- Architecture: 64 px input (position embeddings pretrained for {model.config["image_size"]} px and interpolated, as DINOv2 does), '
        f'patch {model.config["patch_size"]}, width {model.config["hidden_size"]} x {model.config["num_hidden_layers"]} layers, layer scale 1.0.',
        f'- Steps: {info["steps"]}, batch {info["batch_size"]}, AdamW lr {info["lr"]} (one-cycle), seed {info["seed"]}.',
        f'- Final loss (mean of the last 20 steps): {info["final_loss"]:.4f} (contrastive {info["final_contrastive"]:.4f}, '
        f'{"iBOT patch" if info.get("objective") == "ibot" else "masked pixels"} {info.get("final_patch", info.get("final_masked_pixels", float("nan"))):.4f}'
        f'{", KoLeo (weighted) " + format(info["final_koleo"], ".4f") if info.get("objective") == "ibot" else ""}). '
        f'Training time {info["seconds"]:.0f} s with {info["threads"]} thread(s), torch {info["torch"]}.',
        *curve_table(['step', 'loss', 'patch'], every_fourth_and_last(info.get('curve', [])), 'Loss curve (mean of the 50 steps from `step`; `patch` = the patch-level term):'),
        '- Files: config.json, preprocessor_config.json (BitImageProcessor 64/64, ImageNet mean/std), onnx/model.onnx. '
        'In the MoF pipelines it receives the CLIP-preprocessed image, as in the paper.',
    ])


def question_stage_lines(vqa):
    head = ('- Stage 2: adapters + decoder on the training split\'s MMVP-style questions plus caption-style "which object" questions (1:1), '
            'llava_v1 template around the lmms-eval multiple-choice prompt, target = option letter + EOS')
    if 'curve' not in vqa:  # the first zoos: a fixed step count
        return [f'{head}: {vqa["steps"]} steps, lr {vqa["lr"]} (one-cycle), final loss {vqa["final_loss"]:.4f}.']
    best = vqa['best']
    stop = (f'stopped at step {vqa["stopped_at"]}, at the second time {vqa["patience"]} evaluations in a row brought no new best held-out loss'
            if vqa['stopped_at'] else f'reached the cap of {vqa["max_steps"]} steps before the stopping rule (a second run of {vqa["patience"]} evaluations without a new best) fired')
    return [f'{head}: trained until the held-out loss stopped improving, evaluated every {vqa["eval_every"]} steps on {vqa["validation"]}; '
            f'lr {vqa["lr"]} (100-step warm-up, then constant); {stop}. Kept: the weights of step {best["step"]}, the best held-out loss '
            f'{best["val_loss"]:.4f} (held-out MMVP-style questions {best["val_question_accuracy"]:.1f}%, pairs {best["val_pair_accuracy"]:.1f}%; '
            f'chance: 50% and 25%). {vqa["steps"]} steps trained; train loss at the end {vqa["final_loss"]:.4f}.']


def export_llava(args, records, manifest, name):
    import make_tiny_llama as mtl
    strategy, ratio, _ = CONFIGS[name]
    state, saved = load_work(args, name)
    _, base = load_work(args, 'base')
    tokenizer = llava_stage.Tokenizer(records, trained=(base['vocab'], base['merges']))
    config = base['config']
    model = mtl.LlamaForCausalLM(config)
    model.load_state_dict({k[4:]: v for k, v in state.items() if k.startswith('llm.')})
    _, clip_saved = load_work(args, 'clip')
    _, ssl_saved = load_work(args, 'ssl')
    visual = llava_stage.VisualTokens(strategy, ratio, clip_saved['config']['vision_config']['hidden_size'], ssl_saved['config']['hidden_size'], config['hidden_size'])
    visual.load_state_dict({k[7:]: v for k, v in state.items() if k.startswith('visual.')})
    folder = os.path.join(args.out, name)
    weights = llava_stage.export_llava(model.eval(), visual.eval(), config, tokenizer, folder, {'strategy': strategy, 'ratio': ratio})
    history = saved['stages']
    # the committed zoo's training recorded a learning-rate decay that never took effect (see llava_stage.train_llava)
    history['vqa'].pop('decay', None)
    adapters = ({'clip': {'type': 'mlp2x_gelu', 'weights': weights, 'prefix': 'model.mm_projector'},
                 'dino': {'type': 'mlp2x_gelu', 'weights': weights, 'prefix': 'model.dino_mm_projector'}} if strategy == 'interleaved'
                else {('additive' if strategy == 'additive' else 'clip'): {'type': 'mlp2x_gelu', 'weights': weights, 'prefix': 'model.mm_projector'}})
    encoders = {'clip': {'use': '@mmvp/encoder-clip', 'model': '../tiny-clip', 'tap': {'kind': 'layer', 'layer': -2}, 'tokens': 'patch'}}
    if strategy != 'clip':
        encoders['dino'] = {'use': '@mmvp/encoder-dinov2', 'model': '../tiny-ssl', 'tap': {'kind': 'prenorm'}, 'tokens': 'patch', 'pixels': 'clip'}
    strategy_block = {'name': strategy, **({'dinoRatio': ratio} if strategy == 'additive' else {})}
    description = {'clip': 'CLIP-only', 'additive': f'A-MoF, (1 - {ratio}) * CLIP + {ratio} * SSL before one adapter',
                   'interleaved': 'I-MoF, CLIP and SSL tokens interleaved after separate adapters'}[strategy]
    write_json(os.path.join(folder, 'pipeline.json'), {
        'name': f'zoo {name}', 'description': f'Trained tiny LLaVA ({description}); see README.md.',
        'encoders': encoders, 'adapters': adapters, 'strategy': strategy_block,
        'decoder': {'modelPath': '.', 'template': 'llava_v1', 'prompt': 'lmms', 'maxNewTokens': 4, 'temperature': 0}})
    write_json(os.path.join(folder, 'training.json'), saved)
    lm = saved['language_model']
    card(folder, f'{name} (mmvp zoo): tiny LLaVA, {description}', [
        'A tiny LLaVA-style model trained by tools/zoo: frozen encoders (../tiny-clip, and ../tiny-ssl where used), trainable '
        'mlp2x_gelu adapter(s) saved in LLaVA naming, and a small Llama-style decoder (Hugging Face names, ONNX layout of '
        'transformers.js / Optimum: onnx/embed_tokens.onnx + onnx/decoder_model_merged.onnx with KV cache).',
        '',
        data_line(manifest, records),
        f'- Visual tokens: CLIP hidden_states[-2] patch tokens{"" if strategy == "clip" else " and SSL x_prenorm patch tokens (CLIP-preprocessed image)"}; {description}.',
        f'- Stage 0 (shared): the decoder pretrained as a text-only language model on the split\'s captions and question/answer text, '
        f'{lm["steps"]} steps, batch {lm["batch_size"]}, final loss {lm["final_loss"]:.4f}.',
        f'- Stage 1: adapters only, "Describe the image briefly." -> caption: {history["caption"]["steps"]} steps, '
        f'lr {history["caption"]["lr"]}, final loss {history["caption"]["final_loss"]:.4f}.',
        *question_stage_lines(history['vqa']),
        f'- Batch {saved["batch_size"]}, AdamW, seed {saved["seed"]}. Training time {saved["seconds"]:.0f} s (torch {saved["torch"]}).',
        *curve_table(['step', 'lr', 'train_loss', 'val_loss', 'val_question_accuracy', 'val_pair_accuracy'], history['vqa'].get('curve', []),
                     'Stage 2 curve (train loss: mean of the last evaluation interval; val: the held-out slice of the training split; accuracy: '
                     'option letter A vs B by logit on its MMVP-style questions, pairs: both images right):'),
        '- Run it: `mmvp ask --pipeline pipeline.json --image X --question Q` (pipeline.json in this folder).',
    ])
    log(f'exported {folder}')


@torch.no_grad()
def calibrate_blind_thresholds(args, images, sample=2000):
    """CLIP-blind thresholds for these tiny models, from the TRAINING split only (the paper's 0.95 / 0.6 were set
    by hand for ViT-L/14 models, whose cosine scales a tiny model does not share). Rule: over all pairs of
    distinct images in a sample, clipMin = the 99th percentile of CLIP image_embeds cosines (only 1% of random
    pairs look that alike to CLIP: "the same" for CLIP) and dinoMax = the 90th percentile of SSL pooler cosines
    (below what the SSL model's 10% most alike random pairs reach: "different" for it). The pair structure of
    the split is not used. (A first rule, dinoMax = the SSL median, let 0.01% of training pairs through and
    found no pair in the demo's 270-image pool.)"""
    from common import clip_pixels, imagenet_pixels
    clip, _ = load_clip(args)
    ssl, _ = load_ssl(args)
    generator = torch.Generator().manual_seed(args.seed)
    index = torch.randperm(images.shape[0], generator=generator)[:sample]
    clip_embeds, ssl_embeds = [], []
    for start in range(0, len(index), 256):
        batch = images[index[start:start + 256]]
        clip_embeds.append(clip.visual_projection(clip.vision_model(clip_pixels(batch))[1]))  # [b, P] image_embeds
        ssl_embeds.append(ssl(imagenet_pixels(batch))[1])  # [b, D] pooler_output
    upper = torch.triu_indices(len(index), len(index), offset=1)

    def cosines(embeds):
        unit = torch.nn.functional.normalize(torch.cat(embeds), dim=-1)
        return (unit @ unit.t())[upper[0], upper[1]]  # [n (n - 1) / 2]

    clip_cos, ssl_cos = cosines(clip_embeds), cosines(ssl_embeds)
    clip_min = round(float(torch.quantile(clip_cos, 0.99)), 4)
    dino_max = round(float(torch.quantile(ssl_cos, 0.9)), 4)
    both = float(((clip_cos > clip_min) & (ssl_cos < dino_max)).float().mean())
    return {'clipMin': clip_min, 'dinoMax': dino_max,
            'calibration': f'calibrated on {len(index)} training-split images: 99th percentile of CLIP and 90th percentile of SSL all-pairs cosines; '
                           f'{100 * both:.2f}% of those pairs pass both'}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data', required=True, help='folder written by `mmvp synth --split train` (holds train/train.jsonl)')
    parser.add_argument('--out', default='models/zoo')
    parser.add_argument('--work', default='.cache/zoo-work')
    parser.add_argument('--stage', default='all', choices=['all', 'train', 'export', 'pack', 'clip', 'ssl', 'base', 'features', 'llava', 'calibrate'])
    parser.add_argument('--config', choices=sorted(CONFIGS), help='with --stage llava: which configuration')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--budget-seconds', type=float, default=0, help='per stage: train at most this long (steps chosen after timing)')
    parser.add_argument('--patch', type=int, default=16, help='ViT patch size of both encoders (64 px images)')
    parser.add_argument('--width', type=int, default=96, help='ViT width of both encoders (and the CLIP text tower)')
    parser.add_argument('--layers', type=int, default=4, help='ViT depth of both encoders')
    parser.add_argument('--clip-steps', type=int, default=1200)
    parser.add_argument('--clip-batch', type=int, default=128)
    parser.add_argument('--ssl-steps', type=int, default=800)
    parser.add_argument('--ssl-batch', type=int, default=128)
    parser.add_argument('--ssl-objective', default='ibot', choices=['ibot', 'simmim'],
                        help='patch-level SSL loss: iBOT masked self-distillation + KoLeo (DINOv2), or the first zoo\'s masked pixel regression')
    parser.add_argument('--lm-steps', type=int, default=400)
    parser.add_argument('--caption-steps', type=int, default=200)
    parser.add_argument('--vqa-steps', type=int, default=6000, help='cap on question-stage steps (it stops earlier when the held-out loss stops improving)')
    parser.add_argument('--eval-every', type=int, default=150, help='question stage: held-out evaluation every N steps')
    parser.add_argument('--patience', type=int, default=4, help='question stage: a plateau is this many evaluations in a row without a new best held-out loss; the second plateau stops training')
    parser.add_argument('--llava-batch', type=int, default=32)
    # (the defaults are the committed zoo's settings; tools/zoo/README.md has its exact two-core command)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    records, manifest, images = load_train_split(args.data, SIZE)
    if args.stage == 'export':
        import tiny_models  # noqa: F401  (fails early without helper B's module)
    log(f'train split: {len(records)} images from {args.data}; torch {torch.__version__}, {torch.get_num_threads()} thread(s)')
    if args.stage == 'pack':
        torch.save(images, os.path.join(args.data, 'train', f'images-{SIZE}.pt'))
        return
    if args.stage in ('all', 'train', 'clip'):
        train_clip_stage(args, records, images)
    if args.stage in ('all', 'train', 'ssl'):
        train_ssl_stage(args, images)
    if args.stage in ('all', 'train', 'base'):
        train_base_stage(args, records)
    if args.stage == 'calibrate':  # zoo.json alone (export also writes it)
        blind = calibrate_blind_thresholds(args, images)
        write_json(os.path.join(args.out, 'zoo.json'), {'format': 'mmvp-zoo/v1', 'blindPairs': blind})
        log(f'CLIP-blind thresholds: {blind}')
    if args.stage == 'features':  # optional: cache the frozen encoders' features once before parallel llava stages
        features(args, images)
    if args.stage == 'llava':
        if not args.config:
            parser.error(f'--stage llava needs --config, one of {", ".join(CONFIGS)}')
        train_llava_stage(args, records, images, args.config)
    if args.stage in ('all', 'train'):
        for name in CONFIGS:
            train_llava_stage(args, records, images, name)
    if args.stage in ('all', 'export'):
        export_clip(args, records, manifest)
        export_ssl(args, records, manifest)
        for name in CONFIGS:
            export_llava(args, records, manifest, name)
        blind = calibrate_blind_thresholds(args, images)
        write_json(os.path.join(args.out, 'zoo.json'), {'format': 'mmvp-zoo/v1', 'blindPairs': blind})
        log(f'CLIP-blind thresholds: {blind}')
        log(f'zoo size: {folder_size(args.out) / 1e6:.1f} MB')

if __name__ == '__main__':
    main()
