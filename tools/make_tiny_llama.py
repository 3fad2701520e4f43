"""Makes the tiny Llama-style decoder fixture in models/tiny-llama/ (and the no-cache bad fixture).

Run from the repository root (CPU, about a minute):

    /usr/bin/python3 tools/make_tiny_llama.py --out models/tiny-llama --bad-out packages/decoder/src/__fixtures__/no-cache-decoder \
        --pipeline-tokens models/tiny-mof/reference/tokens_clip.npy

For a bigger random-weight export (the decoder benchmark makes one in a temp dir; never commit it):

    /usr/bin/python3 tools/make_tiny_llama.py --out /tmp/llama-100m --preset 100m --no-train --no-reference

What it writes (Hugging Face layout, as llava-hf/transformers.js use it):
- tokenizer.json: a Llama-style SentencePiece-as-BPE tokenizer (normalizer Prepend '▁' + Replace ' ' -> '▁',
  no pre-tokenizer, byte fallback <0x00>..<0xFF>, <unk> <s> </s>) trained here on a small corpus, plus
  `<image>` and `<pad>` added as special tokens after the vocabulary, as in the llava-hf conversions.
- tokenizer_config.json (bos/eos/unk/pad, add_bos_token true, add_eos_token false, chat_template).
- config.json with LlamaConfig fields.
- onnx/embed_tokens.onnx: input_ids [B, S] int64 -> inputs_embeds [B, S, H].
- onnx/decoder_model_merged.onnx: inputs_embeds [B, S, H], attention_mask [B, P+S] int64,
  position_ids [B, S] int64, past_key_values.{i}.key|value [B, kv_heads, P, head_dim]
  -> logits [B, S, V], present.{i}.key|value [B, kv_heads, P+S, head_dim]. One file for the first
  step (P = 0) and the cached steps.
- reference/: PyTorch references computed WITHOUT a KV cache (full recompute each step):
  visual_tokens.npy [T, H], cases.json (prompt text, token ids around the image placeholder, greedy
  continuation ids and text), logits_<k>.npy (first-step logits at every prompt position [S, V]).

The model is a from-scratch PyTorch Llama with the Hugging Face LlamaForCausalLM module names
(model.embed_tokens, model.layers.{i}.self_attn.{q,k,v,o}_proj, mlp.{gate,up,down}_proj,
input_layernorm, post_attention_layernorm, model.norm, lm_head): RMSNorm, rotary embeddings in the
rotate_half form, grouped-query attention, SwiGLU. It is trained for a few hundred steps on the corpus
so greedy answers look like text (not needed for the parity tests, nice for the demo).
"""
import argparse
import json
import math
import os
import random
import sys
from collections import Counter

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpe_merge import merge_pair  # noqa: E402

torch.set_num_threads(1)

SPIECE = '\u2581'  # '▁'
SYSTEM = ("A chat between a curious human and an artificial intelligence assistant. "
          "The assistant gives helpful, detailed, and polite answers to the human's questions.")


def llava_v1(question):
    """The llava_v1 conversation (Vicuna v1 system line) with the image placeholder; BOS is added by the tokenizer."""
    return SYSTEM + ' ' + 'USER: <image>\n' + question + ' ' + 'ASSISTANT:'


# ----------------------------------------------------------------------------------------------
# corpus + BPE
# ----------------------------------------------------------------------------------------------
SUBJECTS = ['dog', 'cat', 'butterfly', 'school bus', 'car', 'flower', 'clock', 'keyboard', 'elephant', 'bird',
            'apple', 'person', 'door', 'window', 'cup', 'chair', 'heart', 'star', 'circle', 'square']
COLORS = ['red', 'blue', 'green', 'yellow', 'white', 'black', 'orange', 'purple']
DIRECTIONS = ['left', 'right', 'up', 'down', 'front', 'back']


def make_corpus(rng):
    lines = []
    for _ in range(600):
        s = rng.choice(SUBJECTS)
        c1, c2 = rng.sample(COLORS, 2)
        d1, d2 = rng.sample(DIRECTIONS, 2)
        n1, n2 = rng.sample(range(1, 9), 2)
        kind = rng.randrange(5)
        if kind == 0:
            q, o, a = f'Is the {s} facing {d1} or {d2}?', f'(a) {d1} (b) {d2}', f'The {s} is facing {d1}. (a)'
        elif kind == 1:
            q, o, a = f'What color is the {s}?', f'(a) {c1} (b) {c2}', f'The {s} is {c1}. (a)'
        elif kind == 2:
            q, o, a = f'How many {s}s are there?', f'(a) {n2} (b) {n1}', f'There are {n1} {s}s. (b)'
        elif kind == 3:
            q, o, a = f'Is the {s} open or closed?', '(a) open (b) closed', f'The {s} is closed. (b)'
        else:
            q, o, a = f'Can you see the {s} in the image?', '(a) Yes (b) No', f'Yes, the {s} is in the image. (a)'
        lines.append((q + ' ' + o, a))
    return lines


def train_bpe(texts, num_merges):
    words = Counter()
    for t in texts:
        for w in t.replace('\n', ' ').split(' '):
            if w:
                words[SPIECE + w] += 1
    alphabet = sorted({ch for w in words for ch in w})
    splits = {w: list(w) for w in words}
    merges = []
    vocab_extra = []
    for _ in range(num_merges):
        pairs = Counter()
        for w, n in words.items():
            s = splits[w]
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] += n
        if not pairs:
            break
        (a, b), count = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        if count < 2:
            break
        merges.append((a, b))
        vocab_extra.append(a + b)
        for w in words:
            splits[w] = merge_pair(splits[w], a, b)
    vocab = ['<unk>', '<s>', '</s>'] + ['<0x%02X>' % i for i in range(256)]
    for piece in alphabet + vocab_extra:
        if piece not in vocab:
            vocab.append(piece)
    return vocab, merges


class PyBpe:
    """An independent Python implementation of the encoding the tokenizer.json describes (used for the references)."""

    def __init__(self, vocab, merges):
        self.ids = {p: i for i, p in enumerate(vocab)}
        self.ranks = {m: r for r, m in enumerate(merges)}
        self.cache = {}

    def encode(self, text):
        if text not in self.cache:
            self.cache[text] = self._encode(text)
        return list(self.cache[text])

    def _encode(self, text):
        s = SPIECE + text.replace(' ', SPIECE)  # Prepend + Replace normalizers
        symbols = []
        for ch in s:
            if ch in self.ids:
                symbols.append(ch)
            else:
                symbols.extend('<0x%02X>' % b for b in ch.encode('utf-8'))
        while True:
            best = None
            for i in range(len(symbols) - 1):
                r = self.ranks.get((symbols[i], symbols[i + 1]))
                if r is not None and (best is None or r < best[0]):
                    best = (r, i)
            if best is None:
                break
            symbols = merge_pair(symbols, symbols[best[1]], symbols[best[1] + 1])
        return [self.ids[p] for p in symbols]

    def decode(self, ids, vocab):
        pieces = [vocab[i] for i in ids]
        raw = b''
        for p in pieces:
            if p.startswith('<0x') and len(p) == 6:
                raw += bytes([int(p[3:5], 16)])
            elif p in ('<s>', '</s>', '<unk>', '<image>', '<pad>'):
                continue
            else:
                raw += p.replace(SPIECE, ' ').encode('utf-8')
        return raw.decode('utf-8', errors='replace')


def tokenizer_json(vocab, merges, image_id, pad_id):
    def added(i, content):
        return {'id': i, 'content': content, 'single_word': False, 'lstrip': False, 'rstrip': False,
                'normalized': False, 'special': True}
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [added(0, '<unk>'), added(1, '<s>'), added(2, '</s>'), added(image_id, '<image>'), added(pad_id, '<pad>')],
        'normalizer': {'type': 'Sequence', 'normalizers': [
            {'type': 'Prepend', 'prepend': SPIECE},
            {'type': 'Replace', 'pattern': {'String': ' '}, 'content': SPIECE}]},
        'pre_tokenizer': None,
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': '<s>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': '<s>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                     {'SpecialToken': {'id': '<s>', 'type_id': 1}}, {'Sequence': {'id': 'B', 'type_id': 1}}],
            'special_tokens': {'<s>': {'id': '<s>', 'ids': [1], 'tokens': ['<s>']}}},
        'decoder': {'type': 'Sequence', 'decoders': [
            {'type': 'Replace', 'pattern': {'String': SPIECE}, 'content': ' '},
            {'type': 'ByteFallback'}, {'type': 'Fuse'},
            {'type': 'Strip', 'content': ' ', 'start': 1, 'stop': 0}]},
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': '<unk>', 'continuing_subword_prefix': None,
                  'end_of_word_suffix': None, 'fuse_unk': True, 'byte_fallback': True, 'ignore_merges': False,
                  'vocab': {p: i for i, p in enumerate(vocab)},
                  'merges': [[a, b] for a, b in merges]},
    }


# llava-hf style chat template (content is a list of {type: image} / {type: text} parts)
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ message['content'] + ' ' }}"
    "{% elif message['role'] == 'user' %}{{ 'USER: ' }}"
    "{% for part in message['content'] %}{% if part['type'] == 'image' %}{{ '<image>\n' }}{% endif %}{% endfor %}"
    "{% for part in message['content'] %}{% if part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}{{ ' ' }}"
    "{% else %}{{ 'ASSISTANT: ' + message['content'] + eos_token }}{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}")


# ----------------------------------------------------------------------------------------------
# model (Hugging Face LlamaForCausalLM names)
# ----------------------------------------------------------------------------------------------
class LlamaRMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.variance_epsilon = eps

    def forward(self, x):
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.variance_epsilon))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class LlamaAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.num_heads = cfg['num_attention_heads']
        self.num_kv = cfg['num_key_value_heads']
        self.head_dim = cfg['hidden_size'] // self.num_heads
        h = cfg['hidden_size']
        self.q_proj = nn.Linear(h, self.num_heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(h, self.num_kv * self.head_dim, bias=False)
        self.v_proj = nn.Linear(h, self.num_kv * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.num_heads * self.head_dim, h, bias=False)

    def forward(self, x, cos, sin, allowed, past_k=None, past_v=None):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.num_heads, self.head_dim).transpose(1, 2)  # [B, nh, S, hd]
        k = self.k_proj(x).view(b, s, self.num_kv, self.head_dim).transpose(1, 2)  # [B, kv, S, hd]
        v = self.v_proj(x).view(b, s, self.num_kv, self.head_dim).transpose(1, 2)  # [B, kv, S, hd]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)  # [B, kv, P+S, hd]
            v = torch.cat([past_v, v], dim=2)
        present = (k, v)
        # grouped-query attention: query head h reads key/value head h // rep (HF repeat_kv), by broadcasting
        rep = self.num_heads // self.num_kv
        qg = q.reshape(b, self.num_kv, rep, s, self.head_dim)  # [B, kv, rep, S, hd]
        scores = torch.matmul(qg, k.unsqueeze(2).transpose(3, 4)) / math.sqrt(self.head_dim)  # [B, kv, rep, S, P+S]
        scores = torch.where(allowed.unsqueeze(1), scores, torch.tensor(torch.finfo(torch.float32).min))
        probs = F.softmax(scores, dim=-1)
        out = torch.matmul(probs, v.unsqueeze(2))  # [B, kv, rep, S, hd]
        out = out.reshape(b, self.num_heads, s, self.head_dim).transpose(1, 2).reshape(b, s, self.num_heads * self.head_dim)
        return self.o_proj(out), present


class LlamaMLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h, i = cfg['hidden_size'], cfg['intermediate_size']
        self.gate_proj = nn.Linear(h, i, bias=False)
        self.up_proj = nn.Linear(h, i, bias=False)
        self.down_proj = nn.Linear(i, h, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self_attn = LlamaAttention(cfg)
        self.mlp = LlamaMLP(cfg)
        self.input_layernorm = LlamaRMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])
        self.post_attention_layernorm = LlamaRMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])

    def forward(self, x, cos, sin, allowed, past_k=None, past_v=None):
        a, present = self.self_attn(self.input_layernorm(x), cos, sin, allowed, past_k, past_v)
        x = x + a
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, present


class LlamaModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg['vocab_size'], cfg['hidden_size'])
        self.layers = nn.ModuleList([LlamaDecoderLayer(cfg) for _ in range(cfg['num_hidden_layers'])])
        self.norm = LlamaRMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])


class LlamaForCausalLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.model = LlamaModel(cfg)
        self.lm_head = nn.Linear(cfg['hidden_size'], cfg['vocab_size'], bias=False)
        head_dim = cfg['hidden_size'] // cfg['num_attention_heads']
        inv_freq = 1.0 / (cfg['rope_theta'] ** (torch.arange(0, head_dim, 2).float() / head_dim))
        self.register_buffer('inv_freq', inv_freq, persistent=False)

    def forward(self, inputs_embeds, attention_mask, position_ids, past=None, hidden_only=False):
        """inputs_embeds [B, S, H], attention_mask [B, P+S] (1 = real), position_ids [B, S].
        hidden_only: return the final-norm hidden states [B, S, H] instead of logits (a training loss
        can then apply lm_head only where it has targets)."""
        s = inputs_embeds.shape[1]
        total = attention_mask.shape[1]
        freqs = position_ids.unsqueeze(-1).float() * self.inv_freq  # [B, S, hd/2]
        emb = torch.cat([freqs, freqs], dim=-1)  # [B, S, hd]
        cos = emb.cos().unsqueeze(1)  # [B, 1, S, hd]
        sin = emb.sin().unsqueeze(1)
        q_pos = torch.arange(s).unsqueeze(1) + (total - s)  # [S, 1] absolute positions in the cache
        k_pos = torch.arange(total).unsqueeze(0)  # [1, P+S]
        causal = (k_pos <= q_pos).unsqueeze(0).unsqueeze(0)  # [1, 1, S, P+S]
        allowed = causal & (attention_mask > 0).unsqueeze(1).unsqueeze(1)  # [B, 1, S, P+S]
        x = inputs_embeds
        presents = []
        for i, layer in enumerate(self.model.layers):
            pk, pv = (past[2 * i], past[2 * i + 1]) if past is not None else (None, None)
            x, present = layer(x, cos, sin, allowed, pk, pv)
            presents.extend(present)
        if hidden_only:
            return self.model.norm(x), presents  # [B, S, H]
        logits = self.lm_head(self.model.norm(x))  # [B, S, V]
        return logits, presents


class EmbedTokens(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.embed_tokens = model.model.embed_tokens

    def forward(self, input_ids):
        return self.embed_tokens(input_ids)


class DecoderMerged(nn.Module):
    def __init__(self, model, with_cache=True):
        super().__init__()
        self.m = model
        self.with_cache = with_cache

    def forward(self, inputs_embeds, attention_mask, position_ids, *past):
        logits, presents = self.m(inputs_embeds, attention_mask, position_ids, list(past) if self.with_cache else None)
        return (logits, *presents) if self.with_cache else logits


def export(model, cfg, out_dir, with_cache=True):
    os.makedirs(os.path.join(out_dir, 'onnx'), exist_ok=True)
    model.eval()
    layers, kv, hd, h = cfg['num_hidden_layers'], cfg['num_key_value_heads'], cfg['hidden_size'] // cfg['num_attention_heads'], cfg['hidden_size']
    torch.onnx.export(EmbedTokens(model), (torch.tensor([[1, 5, 7]], dtype=torch.long),),
                      os.path.join(out_dir, 'onnx', 'embed_tokens.onnx'), input_names=['input_ids'],
                      output_names=['inputs_embeds'], opset_version=17,
                      dynamic_axes={'input_ids': {0: 'batch_size', 1: 'sequence_length'},
                                    'inputs_embeds': {0: 'batch_size', 1: 'sequence_length'}})
    b, s, p = 2, 3, 4
    inputs = [torch.randn(b, s, h), torch.ones(b, p + s, dtype=torch.long), torch.arange(p, p + s).repeat(b, 1)]
    names = ['inputs_embeds', 'attention_mask', 'position_ids']
    dyn = {'inputs_embeds': {0: 'batch_size', 1: 'sequence_length'},
           'attention_mask': {0: 'batch_size', 1: 'total_sequence_length'},
           'position_ids': {0: 'batch_size', 1: 'sequence_length'},
           'logits': {0: 'batch_size', 1: 'sequence_length'}}
    outputs = ['logits']
    if with_cache:
        for i in range(layers):
            for kind in ('key', 'value'):
                inputs.append(torch.randn(b, kv, p, hd))
                names.append(f'past_key_values.{i}.{kind}')
                outputs.append(f'present.{i}.{kind}')
                dyn[f'past_key_values.{i}.{kind}'] = {0: 'batch_size', 2: 'past_sequence_length'}
                dyn[f'present.{i}.{kind}'] = {0: 'batch_size', 2: 'total_sequence_length'}
    else:
        inputs[1] = torch.ones(b, s, dtype=torch.long)
        inputs[2] = torch.arange(0, s).repeat(b, 1)
    with torch.no_grad():
        torch.onnx.export(DecoderMerged(model, with_cache), tuple(inputs), os.path.join(out_dir, 'onnx', 'decoder_model_merged.onnx'),
                          input_names=names, output_names=outputs, dynamic_axes=dyn, opset_version=17)


def write_config(cfg, out_dir):
    with open(os.path.join(out_dir, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
        f.write('\n')


def train(model, ids_list, steps, rng_seed):
    g = torch.Generator().manual_seed(rng_seed)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    model.train()
    for step in range(steps):
        batch = [ids_list[int(i)] for i in torch.randint(len(ids_list), (16,), generator=g)]
        longest = max(len(x) for x in batch)
        ids = torch.full((len(batch), longest), 0, dtype=torch.long)
        mask = torch.zeros((len(batch), longest), dtype=torch.long)
        for r, x in enumerate(batch):
            ids[r, :len(x)] = torch.tensor(x)
            mask[r, :len(x)] = 1
        pos = torch.arange(longest).repeat(len(batch), 1)
        logits, _ = model(model.model.embed_tokens(ids), mask, pos)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction='none')
        loss = (loss * mask[:, 1:].reshape(-1)).sum() / mask[:, 1:].sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == steps - 1:
            print(f'train step {step} loss {loss.item():.3f}')
    model.eval()


@torch.no_grad()
def greedy_uncached(model, embeds, steps, eos_id):
    """Greedy decoding that recomputes the whole sequence each step (no KV cache)."""
    seq = embeds.unsqueeze(0)  # [1, S, H]
    out = []
    for _ in range(steps):
        s = seq.shape[1]
        logits, _ = model(seq, torch.ones(1, s, dtype=torch.long), torch.arange(s).unsqueeze(0))
        last = logits[0, -1]
        top2 = torch.topk(last, 2).values
        nxt = int(torch.argmax(last))
        out.append((nxt, float(top2[0] - top2[1])))
        if nxt == eos_id:
            break
        seq = torch.cat([seq, model.model.embed_tokens(torch.tensor([[nxt]]))], dim=1)
    return out


PRESETS = {
    'tiny': dict(hidden_size=64, intermediate_size=176, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2),
    '100m': dict(hidden_size=768, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=12, num_key_value_heads=4),
    'bad': dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=1),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--bad-out', help='also write a decoder folder whose ONNX lacks the cache inputs')
    ap.add_argument('--preset', default='tiny', choices=sorted(PRESETS))
    ap.add_argument('--vocab-size', type=int, default=0, help='pad the vocabulary (embedding rows) to this size')
    ap.add_argument('--no-train', action='store_true')
    ap.add_argument('--no-reference', action='store_true')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--train-steps', type=int, default=150)
    ap.add_argument('--pipeline-tokens', help='visual tokens [B, T, H] .npy of the tiny CLIP pipeline (models/tiny-mof/reference/tokens_clip.npy)')
    args = ap.parse_args()

    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    corpus = make_corpus(rng)
    texts = [SYSTEM, 'USER: ASSISTANT:'] + [q + ' ' + a for q, a in corpus]
    vocab, merges = train_bpe(texts, num_merges=300)
    image_id, pad_id = len(vocab), len(vocab) + 1
    vocab_size = max(len(vocab) + 2, args.vocab_size)
    bpe = PyBpe(vocab, merges)

    cfg = {'architectures': ['LlamaForCausalLM'], 'model_type': 'llama', **PRESETS[args.preset],
           'head_dim': PRESETS[args.preset]['hidden_size'] // PRESETS[args.preset]['num_attention_heads'],
           'hidden_act': 'silu', 'max_position_embeddings': 256, 'rms_norm_eps': 1e-5, 'rope_theta': 10000.0,
           'vocab_size': vocab_size, 'bos_token_id': 1, 'eos_token_id': 2, 'pad_token_id': pad_id,
           'image_token_index': image_id, 'tie_word_embeddings': False, 'torch_dtype': 'float32'}
    if args.preset == '100m':
        cfg['max_position_embeddings'] = 2048

    def write_tokenizer(out_dir):
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, 'tokenizer.json'), 'w') as f:
            json.dump(tokenizer_json(vocab, merges, image_id, pad_id), f, ensure_ascii=False)
        with open(os.path.join(out_dir, 'tokenizer_config.json'), 'w') as f:
            json.dump({'tokenizer_class': 'LlamaTokenizerFast', 'bos_token': '<s>', 'eos_token': '</s>', 'unk_token': '<unk>',
                       'pad_token': '<pad>', 'add_bos_token': True, 'add_eos_token': False, 'padding_side': 'left',
                       'model_max_length': cfg['max_position_embeddings'], 'legacy': True,
                       'chat_template': CHAT_TEMPLATE}, f, indent=2, ensure_ascii=False)
            f.write('\n')

    model = LlamaForCausalLM(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if 'norm' in name:
                p.copy_(1.0 + 0.1 * torch.randn_like(p))  # non-trivial norm weights so the test sees them
    if not args.no_train:
        ids_list = []
        for q, a in corpus:
            prompt = llava_v1(q)
            before, after = prompt.split('<image>')
            ids_list.append([1] + bpe.encode(before) + [image_id] + bpe.encode(after) + bpe.encode(a)[1:] + [2])
        train(model, ids_list, steps=args.train_steps, rng_seed=args.seed)

    write_tokenizer(args.out)
    write_config(cfg, args.out)
    export(model, cfg, args.out, with_cache=True)

    if not args.no_reference:
        ref_dir = os.path.join(args.out, 'reference')
        os.makedirs(ref_dir, exist_ok=True)
        emb_std = float(model.model.embed_tokens.weight.std())
        g = torch.Generator().manual_seed(1234)
        visual = torch.randn(6, cfg['hidden_size'], generator=g) * emb_std  # [T, H]
        np.save(os.path.join(ref_dir, 'visual_tokens.npy'), visual.numpy().astype(np.float32))
        questions = ['Is the dog facing left or right? (a) left (b) right',
                     'What color is the flower? (a) red (b) blue',
                     'How many cats are there? (a) 3 (b) 2\nAnswer with the letter.',
                     'Describe the image: un café à Zürich.']
        cases = []
        for k, q in enumerate(questions):
            prompt = llava_v1(q)
            before, after = prompt.split('<image>')
            ids_before = [1] + bpe.encode(before)
            ids_after = bpe.encode(after)
            with torch.no_grad():
                e = model.model.embed_tokens
                embeds = torch.cat([e(torch.tensor(ids_before)), visual, e(torch.tensor(ids_after))], dim=0)  # [S, H]
                s = embeds.shape[0]
                logits, _ = model(embeds.unsqueeze(0), torch.ones(1, s, dtype=torch.long), torch.arange(s).unsqueeze(0))
            np.save(os.path.join(ref_dir, f'logits_{k}.npy'), logits[0].numpy().astype(np.float32))  # [S, V]
            steps = greedy_uncached(model, embeds, 16, cfg['eos_token_id'])
            ids = [t for t, _ in steps]
            cases.append({'question': q, 'prompt': prompt, 'ids_before_image': ids_before, 'ids_after_image': ids_after,
                          'sequence_length': s, 'greedy_ids': ids, 'greedy_text': bpe.decode(ids, vocab + ['<image>', '<pad>']),
                          'min_top2_margin': min(m for _, m in steps)})
            print(k, repr(cases[-1]['greedy_text']), 'min margin', cases[-1]['min_top2_margin'])
        with open(os.path.join(ref_dir, 'cases.json'), 'w') as f:
            json.dump({'note': 'PyTorch references from tools/make_tiny_llama.py, computed without a KV cache',
                       'template': 'llava_v1', 'visual_tokens': 'visual_tokens.npy', 'cases': cases}, f, indent=2, ensure_ascii=False)
            f.write('\n')

    if not args.no_reference and args.pipeline_tokens:
        # End-to-end reference: the tiny CLIP pipeline's visual tokens (PyTorch, tools/make_mof_references.py)
        # spliced into an lmms-style llava_v1 prompt, decoded greedily here.
        tokens = torch.from_numpy(np.load(args.pipeline_tokens))  # [B, T, H]
        asks = [('Is the dog facing left or right?', 'left', 'right'),
                ('What color is the flower?', 'red', 'blue'),
                ('Is the door open or closed?', 'open', 'closed')]
        pipeline_cases = []
        for k, (q, o1, o2) in enumerate(asks):
            question = f"{q}\nA. {o1}\nB. {o2}\nAnswer with the option's letter from the given choices directly."
            before, after = llava_v1(question).split('<image>')
            ids_before, ids_after = [1] + bpe.encode(before), bpe.encode(after)
            with torch.no_grad():
                e = model.model.embed_tokens
                embeds = torch.cat([e(torch.tensor(ids_before)), tokens[k], e(torch.tensor(ids_after))], dim=0)  # [S, H]
            steps = greedy_uncached(model, embeds, 16, cfg['eos_token_id'])
            ids = [t for t, _ in steps]
            pipeline_cases.append({'image': f'models/tiny-clip/reference/images/image-{k}.png', 'question': q, 'options': f'(a) {o1} (b) {o2}',
                                   'prompt_style': 'lmms', 'greedy_ids': ids, 'greedy_text': bpe.decode(ids, vocab + ['<image>', '<pad>']),
                                   'min_top2_margin': min(m for _, m in steps)})
            print('pipeline', k, repr(pipeline_cases[-1]['greedy_text']), 'min margin', pipeline_cases[-1]['min_top2_margin'])
        with open(os.path.join(args.out, 'reference', 'pipeline_cases.json'), 'w') as f:
            json.dump({'note': 'configs/pipelines/tiny-clip.json end to end: visual tokens from ' + args.pipeline_tokens + ' (PyTorch), greedy decoding in PyTorch without a KV cache',
                       'config': 'configs/pipelines/tiny-clip.json', 'cases': pipeline_cases}, f, indent=2, ensure_ascii=False)
            f.write('\n')

    if args.bad_out:
        bad_cfg = dict(cfg, **PRESETS['bad'], head_dim=PRESETS['bad']['hidden_size'] // PRESETS['bad']['num_attention_heads'])
        bad = LlamaForCausalLM(bad_cfg)
        write_tokenizer(args.bad_out)
        write_config(bad_cfg, args.bad_out)
        export(bad, bad_cfg, args.bad_out, with_cache=False)


if __name__ == '__main__':
    main()
