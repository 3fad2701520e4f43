"""PyTorch SigLIP with Hugging Face's exact module names and config.json fields (transformers' SiglipModel,
written out in plain PyTorch: no transformers import), plus ONNX export in the layout transformers.js /
onnx-community publish (Xenova/siglip-*): onnx/vision_model.onnx, onnx/text_model.onnx and onnx/model.onnx.

    sys.path.insert(0, 'tools'); import tiny_siglip as ts
    model = ts.build_siglip(ts.siglip_config(...), seed=1)   # SiglipModel-shaped nn.Module
    ts.export_siglip(model, 'models/my-siglip')              # config.json, preprocessor_config.json, onnx/

state_dict() keys equal transformers' SiglipModel keys (vision_model.embeddings.patch_embedding.weight,
vision_model.encoder.layers.0.self_attn.q_proj.weight, vision_model.head.probe,
vision_model.head.attention.in_proj_weight, text_model.head.weight, logit_scale, logit_bias, ...), so the
ONNX node names carry the module scopes torch writes for the real models (/vision_model/encoder/layers.0/...,
/vision_model/post_layernorm/..., /vision_model/head/...).

What differs from CLIP and matters to an encoder on top of the export:
- no class token: hidden states are [B, N, D] patch tokens only; no pre-LayerNorm (hidden_states[0] is the
  patch + position embedding);
- vision last_hidden_state = post_layernorm(encoder output), so hidden_states[L] is the INPUT of
  /vision_model/post_layernorm/ and last_hidden_state holds the post-norm patch tokens;
- pooler_output (the image embedding) comes from the attention-pooling head (a learned probe attending over
  last_hidden_state, then LayerNorm + MLP with a residual): SiglipMultiheadAttentionPoolingHead;
- the text tower has no causal mask and no attention mask (the processor pads to max_length and returns
  input_ids only), pools the LAST position (last_hidden_state[:, -1]) and projects it with `head`;
- SiglipModel's logits_per_text = text_embeds @ image_embeds.T * logit_scale.exp() + logit_bias on
  L2-normalised embeddings; a pair's probability is sigmoid(logit).

Exports (opset 17, torch 1.13, batch axis dynamic), as Optimum's SigLIP configs name them:
- onnx/vision_model.onnx (SiglipVisionModel): pixel_values -> last_hidden_state [B, N, D], pooler_output [B, D]
- onnx/text_model.onnx (SiglipTextModel): input_ids -> last_hidden_state [B, S, D], pooler_output [B, D]
- onnx/model.onnx (SiglipModel): input_ids, pixel_values -> logits_per_image, logits_per_text, text_embeds,
  image_embeds (the last two L2-normalised, as SiglipModel returns them)
"""
import math
import os

import torch
from torch import nn
import torch.nn.functional as F

import tiny_models as tm

SIGLIP_MEAN = [0.5, 0.5, 0.5]
SIGLIP_STD = [0.5, 0.5, 0.5]


def siglip_config(*, image_size=32, patch_size=8, vision_hidden=64, vision_intermediate=128, vision_layers=3, vision_heads=4,
                  text_hidden=64, text_intermediate=128, text_layers=2, text_heads=4, vocab_size=200, max_position_embeddings=16,
                  pad_token_id=1, eos_token_id=1):
    """config.json of a SiglipModel (transformers 4.4x field names; projection_size = text hidden size)."""
    return {
        'architectures': ['SiglipModel'],
        'model_type': 'siglip',
        'initializer_factor': 1.0,
        'torch_dtype': 'float32',
        'text_config': {
            'model_type': 'siglip_text_model',
            'hidden_size': text_hidden,
            'intermediate_size': text_intermediate,
            'num_attention_heads': text_heads,
            'num_hidden_layers': text_layers,
            'max_position_embeddings': max_position_embeddings,
            'vocab_size': vocab_size,
            'hidden_act': 'gelu_pytorch_tanh',
            'layer_norm_eps': 1e-6,
            'projection_size': text_hidden,
            'pad_token_id': pad_token_id,
            'eos_token_id': eos_token_id,
        },
        'vision_config': {
            'model_type': 'siglip_vision_model',
            'hidden_size': vision_hidden,
            'intermediate_size': vision_intermediate,
            'num_attention_heads': vision_heads,
            'num_hidden_layers': vision_layers,
            'image_size': image_size,
            'patch_size': patch_size,
            'num_channels': 3,
            'hidden_act': 'gelu_pytorch_tanh',
            'layer_norm_eps': 1e-6,
            'vision_use_head': True,
        },
    }


def siglip_preprocessor_config(size):
    """preprocessor_config.json of a SiglipImageProcessor: bicubic resize to size x size (no crop), mean/std 0.5."""
    return {
        'image_processor_type': 'SiglipImageProcessor',
        'processor_class': 'SiglipProcessor',
        'do_resize': True, 'size': {'height': size, 'width': size}, 'resample': 3,
        'do_rescale': True, 'rescale_factor': 1 / 255,
        'do_normalize': True, 'image_mean': SIGLIP_MEAN, 'image_std': SIGLIP_STD,
    }


def _gelu_tanh(x):
    return F.gelu(x, approximate='tanh')


class SiglipVisionEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['hidden_size']
        self.patch_embedding = nn.Conv2d(c['num_channels'], d, kernel_size=c['patch_size'], stride=c['patch_size'], padding=0)  # HF writes padding='valid' (same thing)
        self.num_patches = (c['image_size'] // c['patch_size']) ** 2
        self.position_embedding = nn.Embedding(self.num_patches, d)
        self.register_buffer('position_ids', torch.arange(self.num_patches).expand((1, -1)), persistent=False)

    def forward(self, pixel_values):
        x = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)  # [B, N, D]
        return x + self.position_embedding(self.position_ids)


class SiglipTextEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['hidden_size']
        self.token_embedding = nn.Embedding(c['vocab_size'], d)
        self.position_embedding = nn.Embedding(c['max_position_embeddings'], d)
        self.register_buffer('position_ids', torch.arange(c['max_position_embeddings']).expand((1, -1)), persistent=False)

    def forward(self, input_ids):
        s = input_ids.shape[-1]
        return self.token_embedding(input_ids) + self.position_embedding(self.position_ids[:, :s])  # [B, S, D]


class SiglipAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['hidden_size']
        self.num_heads = c['num_attention_heads']
        self.head_dim = d // self.num_heads
        self.scale = self.head_dim ** -0.5
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.q_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)

    def forward(self, x):
        b, t, d = x.shape
        q = self.q_proj(x).view(b, t, self.num_heads, self.head_dim).transpose(1, 2)  # [B, h, T, hd]
        k = self.k_proj(x).view(b, t, self.num_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.num_heads, self.head_dim).transpose(1, 2)
        w = (q @ k.transpose(-1, -2)) * self.scale  # [B, h, T, T]
        w = w.softmax(dim=-1)
        return self.out_proj((w @ v).transpose(1, 2).reshape(b, t, d))  # [B, T, D]


class SiglipMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.fc1 = nn.Linear(c['hidden_size'], c['intermediate_size'])
        self.fc2 = nn.Linear(c['intermediate_size'], c['hidden_size'])

    def forward(self, x):
        return self.fc2(_gelu_tanh(self.fc1(x)))


class SiglipEncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])
        self.self_attn = SiglipAttention(c)
        self.layer_norm2 = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])
        self.mlp = SiglipMLP(c)

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class SiglipEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList([SiglipEncoderLayer(c) for _ in range(c['num_hidden_layers'])])

    def forward(self, x):
        hidden_states = [x]
        for layer in self.layers:
            x = layer(x)
            hidden_states.append(x)
        return x, hidden_states


class SiglipMultiheadAttentionPoolingHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['hidden_size']
        self.probe = nn.Parameter(torch.randn(1, 1, d))
        self.attention = nn.MultiheadAttention(d, c['num_attention_heads'], batch_first=True)
        self.layernorm = nn.LayerNorm(d, eps=c['layer_norm_eps'])
        self.mlp = SiglipMLP(c)

    def forward(self, x):
        probe = self.probe.repeat(x.shape[0], 1, 1)  # [B, 1, D]
        h = self.attention(probe, x, x, need_weights=False)[0]  # [B, 1, D]
        h = h + self.mlp(self.layernorm(h))
        return h[:, 0]  # [B, D]


class SiglipVisionTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = SiglipVisionEmbeddings(c)
        self.encoder = SiglipEncoder(c)
        self.post_layernorm = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])
        self.head = SiglipMultiheadAttentionPoolingHead(c)

    def forward(self, pixel_values):
        """(last_hidden_state, pooler_output, hidden_states); hidden_states[-1] is the input of post_layernorm."""
        encoded, hidden_states = self.encoder(self.embeddings(pixel_values))  # [B, N, D]
        last = self.post_layernorm(encoded)  # [B, N, D]
        return last, self.head(last), hidden_states


class SiglipTextTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = SiglipTextEmbeddings(c)
        self.encoder = SiglipEncoder(c)
        self.final_layer_norm = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])
        self.head = nn.Linear(c['hidden_size'], c.get('projection_size', c['hidden_size']))

    def forward(self, input_ids):
        encoded, hidden_states = self.encoder(self.embeddings(input_ids))  # [B, S, D]
        last = self.final_layer_norm(encoded)
        return last, self.head(last[:, -1, :]), hidden_states  # pooled at the last position, [B, P]


class SiglipModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.text_model = SiglipTextTransformer(config['text_config'])
        self.vision_model = SiglipVisionTransformer(config['vision_config'])
        self.logit_scale = nn.Parameter(torch.tensor([math.log(10.0)]))
        self.logit_bias = nn.Parameter(torch.tensor([-10.0]))

    def forward(self, input_ids, pixel_values):
        _, image, _ = self.vision_model(pixel_values)
        _, text, _ = self.text_model(input_ids)
        image = image / image.norm(p=2, dim=-1, keepdim=True)  # [Bi, D]
        text = text / text.norm(p=2, dim=-1, keepdim=True)  # [Bt, D]
        logits_per_text = torch.matmul(text, image.t()) * self.logit_scale.exp() + self.logit_bias  # [Bt, Bi]
        return logits_per_text.t(), logits_per_text, text, image


class SiglipVisionModel(nn.Module):
    """What Optimum exports as vision_model.onnx; shares the SiglipModel's submodules (same scope names)."""

    def __init__(self, siglip):
        super().__init__()
        self.vision_model = siglip.vision_model

    def forward(self, pixel_values):
        last, pooled, _ = self.vision_model(pixel_values)
        return last, pooled


class SiglipTextModel(nn.Module):
    def __init__(self, siglip):
        super().__init__()
        self.text_model = siglip.text_model

    def forward(self, input_ids):
        last, pooled, _ = self.text_model(input_ids)
        return last, pooled


def build_siglip(config, seed=None, logit_scale=None, logit_bias=None):
    """A SiglipModel-shaped module with random but fixed weights (LayerNorm affines and biases perturbed too)."""
    if seed is not None:
        torch.manual_seed(seed)
    model = SiglipModel(config)
    if seed is not None:
        tm._perturb(model)
        with torch.no_grad():
            for name, p in model.named_parameters():
                if name.endswith('layernorm.weight') or name.endswith('layer_norm.weight') or name.endswith('final_layer_norm.weight'):
                    p.add_(0.1 * torch.randn_like(p))
                elif name.endswith('in_proj_weight'):
                    p.copy_(torch.randn_like(p) / math.sqrt(p.shape[1]))
                elif name.endswith('in_proj_bias'):
                    p.copy_(0.02 * torch.randn_like(p))
    with torch.no_grad():
        if logit_scale is not None:
            model.logit_scale.fill_(logit_scale)
        if logit_bias is not None:
            model.logit_bias.fill_(logit_bias)
    return model.eval()


def export_siglip(model, folder, *, combined=True, opset=17):
    """Writes config.json, preprocessor_config.json, onnx/vision_model.onnx, onnx/text_model.onnx and (combined)
    onnx/model.onnx. Tokenizer files are the caller's."""
    config = model.config
    size = config['vision_config']['image_size']
    s = config['text_config']['max_position_embeddings']
    os.makedirs(os.path.join(folder, 'onnx'), exist_ok=True)
    tm._write_json(os.path.join(folder, 'config.json'), config)
    tm._write_json(os.path.join(folder, 'preprocessor_config.json'), siglip_preprocessor_config(size))
    pixels = torch.zeros(1, 3, size, size)
    ids = torch.ones(1, s, dtype=torch.int64)
    tm._export(SiglipVisionModel(model).eval(), (pixels,), os.path.join(folder, 'onnx', 'vision_model.onnx'), ['pixel_values'],
               ['last_hidden_state', 'pooler_output'],
               {'pixel_values': {0: 'batch_size'}, 'last_hidden_state': {0: 'batch_size'}, 'pooler_output': {0: 'batch_size'}}, False, opset)
    tm._export(SiglipTextModel(model).eval(), (ids,), os.path.join(folder, 'onnx', 'text_model.onnx'), ['input_ids'],
               ['last_hidden_state', 'pooler_output'],
               {'input_ids': {0: 'batch_size', 1: 'sequence_length'}, 'last_hidden_state': {0: 'batch_size', 1: 'sequence_length'},
                'pooler_output': {0: 'batch_size'}}, False, opset)
    if combined:
        tm._export(model, (ids, pixels), os.path.join(folder, 'onnx', 'model.onnx'), ['input_ids', 'pixel_values'],
                   ['logits_per_image', 'logits_per_text', 'text_embeds', 'image_embeds'],
                   {'input_ids': {0: 'text_batch_size', 1: 'sequence_length'}, 'pixel_values': {0: 'image_batch_size'},
                    'logits_per_image': {0: 'image_batch_size', 1: 'text_batch_size'},
                    'logits_per_text': {0: 'text_batch_size', 1: 'image_batch_size'},
                    'text_embeds': {0: 'text_batch_size'}, 'image_embeds': {0: 'image_batch_size'}}, False, opset)
