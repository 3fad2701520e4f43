"""Stage C: tiny LLaVA-style models. Frozen encoders (the zoo's tiny CLIP and tiny SSL model), trainable
mlp2x_gelu adapters, and a small Llama-style decoder (helper D's HF-named LlamaForCausalLM).

Training follows LLaVA's recipe at toy scale:
- stage 0 (shared by every configuration): the decoder is pretrained as a plain language model on the
  split's text (captions, questions and answers, each after the llava_v1 system sentence); no images.
- stage 1 (per configuration): adapter(s) only, decoder frozen: "Describe the image briefly." -> the caption.
- stage 2 (per configuration): adapter(s) + decoder on the visual question mix: the training split's MMVP-style
  questions (the detail a pair differs in) and caption-style questions that need no fine detail ("Which object
  is in the image?" with the subject and a random other subject as options). The prompt is the llava_v1
  conversation around lmms-eval's multiple-choice prompt, the target the option letter, as the TypeScript
  pipeline asks at evaluation time.
Visual features: CLIP hidden_states[-2] patch tokens and the SSL model's x_prenorm patch tokens, both on the
CLIP-preprocessed image (as the MoF code does); A-MoF mixes (1 - r) * CLIP + r * SSL before one adapter,
I-MoF interleaves c0, d0, c1, d1, ... after two adapters.
"""
import random

import torch
import torch.nn.functional as F
from torch import nn

import make_tiny_llama as mtl  # helper D: LlamaForCausalLM, BPE, tokenizer.json, ONNX export
from common import clip_pixels, log, write_json
from safetensors_io import save_safetensors

LMMS = "{question}\nA. {a}\nB. {b}\nAnswer with the option's letter from the given choices directly."
CAPTION_PROMPT = 'Describe the image briefly.'
SUBJECT_QUESTIONS = ['Which object is in the image?', 'What is the main object in this picture?']


def lmms_prompt(question, options):
    return LMMS.format(question=question, a=options[0], b=options[1])


def caption_questions(records, seed):
    """One caption-style question per image: the subject vs a random other subject (order random)."""
    rng = random.Random(seed)
    subjects = sorted({r['subject'] for r in records})
    out = []
    for r in records:
        other = rng.choice([s for s in subjects if s != r['subject']])
        options = [r['subject'], other] if rng.random() < 0.5 else [other, r['subject']]
        out.append((rng.choice(SUBJECT_QUESTIONS), options, 'A' if options[0] == r['subject'] else 'B'))
    return out


class Tokenizer:
    def __init__(self, records, num_merges=400, trained=None):
        if trained is None:
            texts = [mtl.SYSTEM, 'USER: ASSISTANT:', CAPTION_PROMPT, LMMS, *SUBJECT_QUESTIONS]
            texts += [r['caption'] for r in records] + [lmms_prompt(r['question'], r['options']) for r in records]
            texts += sorted({r['subject'] for r in records}) + ['A', 'B']
            self.vocab, self.merges = mtl.train_bpe(texts, num_merges=num_merges)
        else:  # (vocab, merges) saved by the base stage, so every configuration shares one tokenizer
            self.vocab, self.merges = list(trained[0]), [tuple(m) for m in trained[1]]
        self.image_id, self.pad_id = len(self.vocab), len(self.vocab) + 1
        self.vocab_size = len(self.vocab) + 2
        self.bpe = mtl.PyBpe(self.vocab, self.merges)
        before, after = mtl.llava_v1('{q}').split('<image>')
        self.before_ids = [1] + self.bpe.encode(before)  # BOS + system + ' USER: '
        self.after_template = after  # '\n{q} ASSISTANT:'

    def after_ids(self, question):
        return self.bpe.encode(self.after_template.format(q=question))

    def answer_ids(self, text):
        return self.bpe.encode(text) + [2]  # + EOS

    def write(self, folder, max_positions):
        write_json(f'{folder}/tokenizer.json', mtl.tokenizer_json(self.vocab, self.merges, self.image_id, self.pad_id))
        write_json(f'{folder}/tokenizer_config.json', {
            'tokenizer_class': 'LlamaTokenizerFast', 'bos_token': '<s>', 'eos_token': '</s>', 'unk_token': '<unk>',
            'pad_token': '<pad>', 'add_bos_token': True, 'add_eos_token': False, 'padding_side': 'left',
            'model_max_length': max_positions, 'legacy': True, 'chat_template': mtl.CHAT_TEMPLATE})


def llama_config(tokenizer, max_positions=512):
    preset = mtl.PRESETS['tiny']
    return {'architectures': ['LlamaForCausalLM'], 'model_type': 'llama', **preset,
            'head_dim': preset['hidden_size'] // preset['num_attention_heads'], 'hidden_act': 'silu',
            'max_position_embeddings': max_positions, 'rms_norm_eps': 1e-5, 'rope_theta': 10000.0,
            'vocab_size': tokenizer.vocab_size, 'bos_token_id': 1, 'eos_token_id': 2, 'pad_token_id': tokenizer.pad_id,
            'image_token_index': tokenizer.image_id, 'tie_word_embeddings': False, 'torch_dtype': 'float32'}


def mlp2x_gelu(inputs, hidden):
    return nn.Sequential(nn.Linear(inputs, hidden), nn.GELU(), nn.Linear(hidden, hidden))


@torch.no_grad()
def encoder_features(clip, ssl, images, batch=256):
    """CLIP hidden_states[-2] and SSL x_prenorm patch tokens on CLIP-preprocessed pixels: two [N, T, D] tensors."""
    clip_out, ssl_out = [], []
    for start in range(0, images.shape[0], batch):
        pixels = clip_pixels(images[start:start + batch])  # [B, 3, S, S]
        clip_out.append(clip.vision_model(pixels)[2][-2][:, 1:])  # [B, T, Dc]
        ssl_out.append(ssl.forward_all(pixels)[2][-1][:, 1:])  # [B, T, Dd]
    return torch.cat(clip_out), torch.cat(ssl_out)


class VisualTokens(nn.Module):
    """The configuration's adapters + mixture: features -> visual tokens [B, T', H]."""

    def __init__(self, strategy, ratio, clip_width, ssl_width, hidden):
        super().__init__()
        self.strategy, self.ratio = strategy, ratio
        if strategy == 'interleaved':
            self.mm_projector = mlp2x_gelu(clip_width, hidden)
            self.dino_mm_projector = mlp2x_gelu(ssl_width, hidden)
        else:
            self.mm_projector = mlp2x_gelu(clip_width, hidden)

    def forward(self, clip_features, ssl_features):
        if self.strategy == 'clip':
            return self.mm_projector(clip_features)
        if self.strategy == 'additive':
            return self.mm_projector((1 - self.ratio) * clip_features + self.ratio * ssl_features)  # [B, T, H]
        c = self.mm_projector(clip_features)  # [B, T, H]
        d = self.dino_mm_projector(ssl_features)  # [B, T, H]
        return torch.stack([c, d], dim=2).reshape(c.shape[0], 2 * c.shape[1], c.shape[2])  # [B, 2T, H]: c0, d0, c1, d1, ...

    def state_dict_llava(self):
        out = {f'model.mm_projector.{k}': v for k, v in self.mm_projector.state_dict().items()}
        if self.strategy == 'interleaved':
            out.update({f'model.dino_mm_projector.{k}': v for k, v in self.dino_mm_projector.state_dict().items()})
        return out


def pad_batch(sequences, pad):
    longest = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), longest), pad, dtype=torch.long)
    for row, s in enumerate(sequences):
        ids[row, :len(s)] = torch.tensor(s)
    return ids


def lm_loss(model, prefix_ids, embeds, targets, with_logits=False):
    """Next-token loss of `prefix_ids + embeds` with the loss on `embeds`' positions only; targets [B, S] with
    -100 where no loss applies. Every sequence starts with the same prefix (BOS + the llava_v1 system sentence,
    ~60% of the tokens), so its keys/values are computed once per step (batch 1, gradients kept) and broadcast to
    the batch: the same function as the full batched forward, ~2.5x faster."""
    b, s, _ = embeds.shape
    p = len(prefix_ids)
    prefix = model.model.embed_tokens(torch.tensor(prefix_ids)).unsqueeze(0)  # [1, P, H]
    last, past = model(prefix, torch.ones(1, p, dtype=torch.long), torch.arange(p).unsqueeze(0), hidden_only=True)  # [1, P, H]
    past = [t.expand(b, -1, -1, -1) for t in past]  # [B, kv, P, hd] each
    hidden, _ = model(embeds, torch.ones(b, p + s, dtype=torch.long), torch.arange(p, p + s).repeat(b, 1), past=past, hidden_only=True)  # [B, S, H]
    # position P-1 (last prefix token) predicts embeds[0]; positions P..P+S-2 predict embeds[1:]
    hidden = torch.cat([last[:, -1:].expand(b, -1, -1), hidden[:, :-1]], dim=1)  # [B, S, H]
    # lm_head only where there is a target: a question has 2 (letter + EOS) among ~60 positions
    where = targets != -100  # [B, S]
    logits = model.lm_head(hidden[where])  # [targets, V] in row-major order
    loss = F.cross_entropy(logits, targets[where])
    return (loss, logits) if with_logits else loss


def pretrain_language_model(tokenizer, records, *, seed, steps, batch_size, lr=3e-3):
    """Stage 0: a text-only language model shared by every configuration."""
    torch.manual_seed(seed)
    config = llama_config(tokenizer)
    model = mtl.LlamaForCausalLM(config)
    texts = []
    for r in records:  # each text follows tokenizer.before_ids (the shared prefix lm_loss adds)
        texts.append(tokenizer.after_ids(lmms_prompt(r['question'], r['options'])) + tokenizer.answer_ids('AB'[r['answer'] == '(b)']))
        texts.append(tokenizer.after_ids(CAPTION_PROMPT) + tokenizer.answer_ids(r['caption']))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    loss = torch.tensor(0.0)
    for step in range(steps):
        batch = [texts[int(i)] for i in torch.randint(len(texts), (batch_size,), generator=generator)]
        ids = pad_batch(batch, tokenizer.pad_id)
        targets = ids.masked_fill(ids == tokenizer.pad_id, -100)
        loss = lm_loss(model, tokenizer.before_ids, model.model.embed_tokens(ids), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 100 == 0 or step == steps - 1:
            log(f'language model step {step}/{steps} loss {loss.item():.3f}')
    return config, model.state_dict(), {'steps': steps, 'batch_size': batch_size, 'lr': lr, 'final_loss': loss.item()}


def held_out(record, every=20):
    """The validation slice: every 20th PAIR of the training split (both images), never the evaluation split."""
    return record['pair_id'] % every == 0


def warmup_constant(step, warmup):
    return min(1.0, (step + 1) / warmup)


def train_llava(tokenizer, config, base_state, records, clip_features, ssl_features, *, strategy, ratio, seed,
                caption_steps, vqa_steps, batch_size, lr_adapter=2e-3, lr_full=1e-3, eval_every=150, patience=4):
    """Stage 1 (fixed caption_steps), then stage 2 until the held-out loss stops improving: evaluated every
    `eval_every` steps on the validation slice; a plateau is `patience` evaluations in a row without a new best
    (the count restarts after one), and training stops at the second plateau (or at `vqa_steps`, a cap); the best
    evaluated weights are kept. Constant learning rate after a 100-step warm-up. The curve (train loss, held-out
    loss, held-out MMVP-question and pair accuracy) goes to the model card.

    (The committed zoo was trained by a version that also multiplied the learning rate by 0.3 at the first
    plateau, but rebuilt the constant scheduler right after, which reset it to the base rate: the decay never
    took effect, so removing it changes nothing that was trained.)"""
    torch.manual_seed(seed)
    model = mtl.LlamaForCausalLM(config)
    model.load_state_dict(base_state)
    hidden = config['hidden_size']
    visual = VisualTokens(strategy, ratio, clip_features.shape[-1], ssl_features.shape[-1], hidden)
    train_index = [i for i, r in enumerate(records) if not held_out(r)]
    val_index = [i for i, r in enumerate(records) if held_out(r)]
    captions = [tokenizer.after_ids(CAPTION_PROMPT) + tokenizer.answer_ids(r['caption']) for r in records]
    caption_prompt_length = len(tokenizer.after_ids(CAPTION_PROMPT))
    subject_questions = caption_questions(records, seed)
    letters = {'A': tokenizer.answer_ids('A')[0], 'B': tokenizer.answer_ids('B')[0]}

    def questions(indices):
        out = []
        for index in indices:
            r = records[index]
            prompt = tokenizer.after_ids(lmms_prompt(r['question'], r['options']))
            out.append((index, prompt, tokenizer.answer_ids('A' if r['answer'] == '(a)' else 'B'), 'mmvp'))
            question, options, letter = subject_questions[index]
            out.append((index, tokenizer.after_ids(lmms_prompt(question, options)), tokenizer.answer_ids(letter), 'subject'))
        return out

    vqa, val = questions(train_index), questions(val_index)
    generator = torch.Generator().manual_seed(seed)
    history = {}

    def step_batch(items, with_logits=False):
        index = torch.tensor([i for i, *_ in items])
        tokens = visual(clip_features[index], ssl_features[index])  # [B, T', H]
        b, t, _ = tokens.shape
        suffix = pad_batch([p + a for _, p, a, *_ in items], tokenizer.pad_id)  # [B, L]
        embeds = torch.cat([tokens, model.model.embed_tokens(suffix)], dim=1)  # [B, T'+L, H] after the shared prefix
        targets = torch.full((b, embeds.shape[1]), -100, dtype=torch.long)
        for row, (_, prompt, answer, *_) in enumerate(items):
            start = t + len(prompt)
            targets[row, start:start + len(answer)] = torch.tensor(answer)
        return lm_loss(model, tokenizer.before_ids, embeds, targets, with_logits=with_logits)

    @torch.no_grad()
    def evaluate():
        """Held-out loss (both question kinds, letter + EOS), MMVP-question accuracy and pair accuracy (letter A vs B)."""
        model.eval()
        visual.eval()
        total, count, right = 0.0, 0, {}
        for start in range(0, len(val), 128):
            items = val[start:start + 128]
            loss, logits = step_batch(items, with_logits=True)  # logits [B*2, V]: letter then EOS per row
            total += loss.item() * len(items)
            count += len(items)
            letter_logits = logits.view(len(items), 2, -1)[:, 0]  # [B, V]
            for (index, _, answer, kind), row in zip(items, letter_logits):
                if kind == 'mmvp':
                    guess = letters['A'] if row[letters['A']] >= row[letters['B']] else letters['B']
                    right[index] = guess == answer[0]
        model.train()
        visual.train()
        pairs = {}
        for index, ok in right.items():
            pid = records[index]['pair_id']
            pairs[pid] = pairs.get(pid, True) and ok
        return total / count, 100 * sum(right.values()) / len(right), 100 * sum(pairs.values()) / len(pairs)

    for stage, steps, lr, full in (('caption', caption_steps, lr_adapter, False), ('vqa', vqa_steps, lr_full, True)):
        for p in model.parameters():
            p.requires_grad_(full)
        parameters = list(visual.parameters()) + (list(model.parameters()) if full else [])
        optimizer = torch.optim.AdamW(parameters, lr=lr, weight_decay=0.0)
        if stage == 'caption':
            schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=max(steps, 40), pct_start=0.03)
        else:
            warmup = max(1, min(100, steps // 10))
            schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: warmup_constant(s, warmup))
        model.train()
        visual.train()
        losses, curve = [], []
        best, best_state, since_best, plateaus, stopped = float('inf'), None, 0, 0, None
        for step in range(steps):
            if stage == 'caption':
                picks = [train_index[int(i)] for i in torch.randint(len(train_index), (batch_size,), generator=generator)]
                items = [(i, captions[i][:caption_prompt_length], captions[i][caption_prompt_length:]) for i in picks]
            else:
                items = [vqa[int(i)] for i in torch.randint(len(vqa), (batch_size,), generator=generator)]
            loss = step_batch(items)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
            if step % 100 == 0 or step == steps - 1:
                log(f'llava {strategy} r={ratio} {stage} step {step}/{steps} loss {loss.item():.3f}')
            if stage == 'vqa' and ((step + 1) % eval_every == 0 or step == steps - 1):
                val_loss, val_accuracy, val_pairs = evaluate()
                recent = losses[-eval_every:]
                curve.append({'step': step + 1, 'train_loss': round(sum(recent) / len(recent), 4), 'val_loss': round(val_loss, 4),
                              'val_question_accuracy': round(val_accuracy, 2), 'val_pair_accuracy': round(val_pairs, 2),
                              'lr': optimizer.param_groups[0]['lr']})
                log(f'llava {strategy} r={ratio} held-out at step {step + 1}: loss {val_loss:.4f}, MMVP questions {val_accuracy:.1f}%, pairs {val_pairs:.1f}%')
                if val_loss < best - 1e-4:
                    best, since_best = val_loss, 0
                    best_state = ({k: v.clone() for k, v in model.state_dict().items()}, {k: v.clone() for k, v in visual.state_dict().items()}, curve[-1])
                else:
                    since_best += 1
                    if since_best >= patience:
                        plateaus += 1
                        since_best = 0
                        if plateaus == 2:
                            stopped = step + 1
                            break
                        log(f'llava {strategy} r={ratio} plateau 1: {patience} evaluations without a new best')
        tail = losses[-20:] if losses else [float('nan')]
        history[stage] = {'steps': len(losses), 'lr': lr, 'batch_size': batch_size, 'final_loss': sum(tail) / len(tail),
                          'trainable': 'adapters + decoder' if full else 'adapters only'}
        if stage == 'vqa' and best_state is not None:
            model.load_state_dict(best_state[0])
            visual.load_state_dict(best_state[1])
            history[stage].update({'max_steps': steps, 'stopped_at': stopped, 'stopped_by': 'held-out loss plateau' if stopped else 'step cap',
                                   'best': best_state[2], 'curve': curve, 'eval_every': eval_every, 'patience': patience,
                                   'validation': f'{len(val_index)} held-out training images ({len(val_index) // 2} pairs: pair_id % 20 == 0), '
                                                 f'{len(val)} questions; trained on the other {len(train_index)}'})
    model.eval()
    visual.eval()
    return model, visual, history


def export_llava(model, visual, config, tokenizer, folder, metadata):
    mtl.export(model, config, folder, with_cache=True)
    write_json(f'{folder}/config.json', config)
    tokenizer.write(folder, config['max_position_embeddings'])
    name = 'mm_projector.safetensors' if visual.strategy != 'interleaved' else 'projectors.safetensors'
    save_safetensors(visual.state_dict_llava(), f'{folder}/{name}', metadata)
    return name
