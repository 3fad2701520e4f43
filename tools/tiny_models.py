"""PyTorch CLIP and DINOv2 with Hugging Face's exact module names and config.json fields, plus ONNX export
in the layout of the stock Hugging Face / Optimum exports.

Importable by other tools (e.g. the trained tiny zoo):

    sys.path.insert(0, 'tools'); import tiny_models as tm
    clip = tm.build_clip(tm.clip_config(hidden_size=64, ...))      # CLIPModel-shaped nn.Module
    tm.export_clip(clip, 'models/my-clip')                         # config.json, preprocessor_config.json, onnx/
    dino = tm.build_dinov2(tm.dinov2_config(...)); tm.export_dinov2(dino, 'models/my-dino')

state_dict() keys equal transformers' CLIPModel / Dinov2Model keys (vision_model.encoder.layers.0.self_attn.q_proj.weight,
encoder.layer.0.attention.attention.query.weight, ...), so real checkpoints load with load_state_dict and the
ONNX node names carry the same module scopes torch >= 1.13 writes for the real models
(/vision_model/encoder/layers.0/layer_norm1/LayerNormalization, /encoder/layer.0/norm1/LayerNormalization, ...).

Exports (opset 17, torch 1.13, batch axis dynamic) carry only the stock outputs, so intermediate layers
need a graph tap:
- CLIP onnx/vision_model.onnx: pixel_values -> image_embeds [B, P], last_hidden_state [B, T, D]
  (CLIPVisionModelWithProjection: last_hidden_state is the encoder output, post_layernorm only touches the
  pooled CLS token).
- CLIP onnx/text_model.onnx: input_ids -> text_embeds [B, P], last_hidden_state [B, S, D]
  (CLIPTextModelWithProjection; pooled at the first EOS = argmax(input_ids) as in HF when eos_token_id is
  the largest id).
- DINOv2 onnx/model.onnx: pixel_values -> last_hidden_state [B, T, D] (after the final layernorm),
  pooler_output [B, D]. Position embeddings are bicubically interpolated from the pretraining grid
  (config image_size / patch_size) exactly as Dinov2Embeddings.interpolate_pos_encoding does under tracing
  (always, with the +0.1 offset). Height/width are declared dynamic as in Optimum's export, but torch 1.13
  tracing bakes the interpolation scale factors into the graph as constants, so an export is only valid at
  the input size it was exported at (export_dinov2's crop_size): export once per input resolution.

Torch 1.13 (Debian python3-torch) only. `torch.set_num_threads(1)` is set by the scripts that call this.
"""
import json
import math
import os

import torch
from torch import nn
import torch.nn.functional as F

OPENAI_CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
OPENAI_CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


# ----------------------------------------------------------------------------- configs

def clip_config(*, image_size=32, patch_size=8, vision_hidden=64, vision_layers=4, vision_heads=4,
                text_hidden=64, text_layers=2, text_heads=4, vocab_size=1000, max_position_embeddings=16,
                projection_dim=32, bos_token_id=None, eos_token_id=None, pad_token_id=None, hidden_act='quick_gelu'):
    """config.json of a CLIPModel (transformers 4.x field names)."""
    eos = vocab_size - 1 if eos_token_id is None else eos_token_id
    bos = vocab_size - 2 if bos_token_id is None else bos_token_id
    pad = eos if pad_token_id is None else pad_token_id
    return {
        'architectures': ['CLIPModel'],
        'model_type': 'clip',
        'initializer_factor': 1.0,
        'logit_scale_init_value': 2.6592,
        'projection_dim': projection_dim,
        'torch_dtype': 'float32',
        'text_config': {
            'model_type': 'clip_text_model',
            'hidden_size': text_hidden,
            'intermediate_size': 4 * text_hidden,
            'num_attention_heads': text_heads,
            'num_hidden_layers': text_layers,
            'max_position_embeddings': max_position_embeddings,
            'vocab_size': vocab_size,
            'hidden_act': hidden_act,
            'layer_norm_eps': 1e-5,
            'projection_dim': projection_dim,
            'bos_token_id': bos,
            'eos_token_id': eos,
            'pad_token_id': pad,
        },
        'vision_config': {
            'model_type': 'clip_vision_model',
            'hidden_size': vision_hidden,
            'intermediate_size': 4 * vision_hidden,
            'num_attention_heads': vision_heads,
            'num_hidden_layers': vision_layers,
            'image_size': image_size,
            'patch_size': patch_size,
            'num_channels': 3,
            'hidden_act': hidden_act,
            'layer_norm_eps': 1e-5,
            'projection_dim': projection_dim,
        },
    }


def dinov2_config(*, image_size=64, patch_size=8, hidden_size=64, num_layers=4, num_heads=4, mlp_ratio=4,
                  layerscale_value=1.0):
    """config.json of a Dinov2Model. image_size is the PRETRAINING size (518 for the real models): inputs of
    another size get interpolated position embeddings."""
    return {
        'architectures': ['Dinov2Model'],
        'model_type': 'dinov2',
        'hidden_size': hidden_size,
        'num_hidden_layers': num_layers,
        'num_attention_heads': num_heads,
        'mlp_ratio': mlp_ratio,
        'hidden_act': 'gelu',
        'hidden_dropout_prob': 0.0,
        'attention_probs_dropout_prob': 0.0,
        'initializer_range': 0.02,
        'layer_norm_eps': 1e-6,
        'image_size': image_size,
        'patch_size': patch_size,
        'num_channels': 3,
        'qkv_bias': True,
        'layerscale_value': layerscale_value,
        'drop_path_rate': 0.0,
        'use_swiglu_ffn': False,
        'torch_dtype': 'float32',
    }


def clip_preprocessor_config(size, crop):
    """preprocessor_config.json of a CLIPImageProcessor (shortest-edge bicubic resize, center crop)."""
    return {
        'image_processor_type': 'CLIPImageProcessor',
        'feature_extractor_type': 'CLIPFeatureExtractor',
        'do_resize': True, 'size': {'shortest_edge': size}, 'resample': 3,
        'do_center_crop': True, 'crop_size': {'height': crop, 'width': crop},
        'do_rescale': True, 'rescale_factor': 1 / 255,
        'do_normalize': True, 'image_mean': OPENAI_CLIP_MEAN, 'image_std': OPENAI_CLIP_STD,
        'do_convert_rgb': True,
    }


def dinov2_preprocessor_config(size, crop):
    """preprocessor_config.json of DINOv2's BitImageProcessor (ImageNet mean/std)."""
    return {
        'image_processor_type': 'BitImageProcessor',
        'do_resize': True, 'size': {'shortest_edge': size}, 'resample': 3,
        'do_center_crop': True, 'crop_size': {'height': crop, 'width': crop},
        'do_rescale': True, 'rescale_factor': 1 / 255,
        'do_normalize': True, 'image_mean': IMAGENET_MEAN, 'image_std': IMAGENET_STD,
        'do_convert_rgb': True,
    }


# ----------------------------------------------------------------------------- CLIP

def _activation(name):
    if name == 'quick_gelu':
        return lambda x: x * torch.sigmoid(1.702 * x)
    if name == 'gelu':
        return F.gelu
    raise ValueError(f"unknown hidden_act '{name}'; valid choices: 'quick_gelu', 'gelu'")


class CLIPVisionEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['hidden_size']
        self.patch_size = c['patch_size']
        self.class_embedding = nn.Parameter(torch.randn(d))
        self.patch_embedding = nn.Conv2d(c['num_channels'], d, kernel_size=self.patch_size, stride=self.patch_size, bias=False)
        self.num_positions = (c['image_size'] // self.patch_size) ** 2 + 1
        self.position_embedding = nn.Embedding(self.num_positions, d)
        self.register_buffer('position_ids', torch.arange(self.num_positions).expand((1, -1)), persistent=False)

    def forward(self, pixel_values):
        b = pixel_values.shape[0]
        patch = self.patch_embedding(pixel_values)  # [B, D, h, w]
        patch = patch.flatten(2).transpose(1, 2)  # [B, N, D]
        cls = self.class_embedding.expand(b, 1, -1)  # [B, 1, D]
        x = torch.cat([cls, patch], dim=1)  # [B, N+1, D]
        return x + self.position_embedding(self.position_ids)


class CLIPTextEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['hidden_size']
        self.token_embedding = nn.Embedding(c['vocab_size'], d)
        self.position_embedding = nn.Embedding(c['max_position_embeddings'], d)
        self.register_buffer('position_ids', torch.arange(c['max_position_embeddings']).expand((1, -1)), persistent=False)

    def forward(self, input_ids):
        s = input_ids.shape[-1]
        return self.token_embedding(input_ids) + self.position_embedding(self.position_ids[:, :s])


class CLIPAttention(nn.Module):
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

    def forward(self, x, mask=None):
        b, t, d = x.shape
        q = (self.q_proj(x) * self.scale).view(b, t, self.num_heads, self.head_dim).transpose(1, 2)  # [B, h, T, hd]
        k = self.k_proj(x).view(b, t, self.num_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.num_heads, self.head_dim).transpose(1, 2)
        w = q @ k.transpose(-1, -2)  # [B, h, T, T]
        if mask is not None:
            w = w + mask
        w = w.softmax(dim=-1)
        o = (w @ v).transpose(1, 2).reshape(b, t, d)  # [B, T, D]
        return self.out_proj(o)


class CLIPMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.activation_fn = _activation(c['hidden_act'])
        self.fc1 = nn.Linear(c['hidden_size'], c['intermediate_size'])
        self.fc2 = nn.Linear(c['intermediate_size'], c['hidden_size'])

    def forward(self, x):
        return self.fc2(self.activation_fn(self.fc1(x)))


class CLIPEncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = CLIPAttention(c)
        self.layer_norm1 = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])
        self.mlp = CLIPMLP(c)
        self.layer_norm2 = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])

    def forward(self, x, mask=None):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class CLIPEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList([CLIPEncoderLayer(c) for _ in range(c['num_hidden_layers'])])

    def forward(self, x, mask=None):
        hidden_states = [x]
        for layer in self.layers:
            x = layer(x, mask)
            hidden_states.append(x)
        return x, hidden_states


class CLIPVisionTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = CLIPVisionEmbeddings(c)
        self.pre_layrnorm = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])  # sic, HF spelling
        self.encoder = CLIPEncoder(c)
        self.post_layernorm = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])

    def forward(self, pixel_values):
        x = self.pre_layrnorm(self.embeddings(pixel_values))  # [B, T, D]
        last, hidden_states = self.encoder(x)
        pooled = self.post_layernorm(last[:, 0, :])  # [B, D]
        return last, pooled, hidden_states


class CLIPTextTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.eos_token_id = c['eos_token_id']
        self.embeddings = CLIPTextEmbeddings(c)
        self.encoder = CLIPEncoder(c)
        self.final_layer_norm = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])

    def forward(self, input_ids):
        s = input_ids.shape[-1]
        x = self.embeddings(input_ids)  # [B, S, D]
        causal = torch.full((s, s), torch.finfo(x.dtype).min).triu(1)[None, None]  # [1, 1, S, S]
        out, hidden_states = self.encoder(x, causal)
        last = self.final_layer_norm(out)
        # HF: pooled at the (first) EOS token; eos is the largest id, so argmax(input_ids) finds it
        pooled = last[torch.arange(last.shape[0]), input_ids.to(torch.int64).argmax(dim=-1)]  # [B, D]
        return last, pooled, hidden_states


class CLIPModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.text_model = CLIPTextTransformer(config['text_config'])
        self.vision_model = CLIPVisionTransformer(config['vision_config'])
        p = config['projection_dim']
        self.visual_projection = nn.Linear(config['vision_config']['hidden_size'], p, bias=False)
        self.text_projection = nn.Linear(config['text_config']['hidden_size'], p, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(config['logit_scale_init_value']))


class CLIPVisionModelWithProjection(nn.Module):
    """What Optimum exports as vision_model.onnx; shares the CLIPModel's submodules (same scope names)."""

    def __init__(self, clip):
        super().__init__()
        self.vision_model = clip.vision_model
        self.visual_projection = clip.visual_projection

    def forward(self, pixel_values):
        last, pooled, _ = self.vision_model(pixel_values)
        return self.visual_projection(pooled), last


class CLIPTextModelWithProjection(nn.Module):
    def __init__(self, clip):
        super().__init__()
        self.text_model = clip.text_model
        self.text_projection = clip.text_projection

    def forward(self, input_ids):
        last, pooled, _ = self.text_model(input_ids)
        return self.text_projection(pooled), last


def build_clip(config, seed=None):
    """A CLIPModel-shaped module. With `seed`, weights are random but fixed (and not degenerate: LayerNorm
    affine parameters and the class embedding are perturbed too, so every parameter is exercised)."""
    if seed is not None:
        torch.manual_seed(seed)
    model = CLIPModel(config)
    if seed is not None:
        _perturb(model)
    return model.eval()


# ----------------------------------------------------------------------------- DINOv2

class Dinov2PatchEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.projection = nn.Conv2d(c['num_channels'], c['hidden_size'], kernel_size=c['patch_size'], stride=c['patch_size'])

    def forward(self, pixel_values):
        return self.projection(pixel_values).flatten(2).transpose(1, 2)  # [B, N, D]


class Dinov2Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['hidden_size']
        self.config = c
        self.cls_token = nn.Parameter(torch.randn(1, 1, d))
        self.mask_token = nn.Parameter(torch.zeros(1, d))
        self.patch_embeddings = Dinov2PatchEmbeddings(c)
        num_patches = (c['image_size'] // c['patch_size']) ** 2
        self.position_embeddings = nn.Parameter(torch.randn(1, num_patches + 1, d))
        self.patch_size = c['patch_size']

    def interpolate_pos_encoding(self, embeddings, height, width):
        """transformers' Dinov2Embeddings.interpolate_pos_encoding (bicubic, +0.1 offset; skipped in eager
        mode only when the grid already matches, never under tracing)."""
        num_patches = embeddings.shape[1] - 1
        num_positions = self.position_embeddings.shape[1] - 1
        if not torch.jit.is_tracing() and num_patches == num_positions and height == width:
            return self.position_embeddings
        class_pos_embed = self.position_embeddings[:, 0]
        patch_pos_embed = self.position_embeddings[:, 1:]
        dim = embeddings.shape[-1]
        height = height // self.patch_size
        width = width // self.patch_size
        height, width = height + 0.1, width + 0.1
        side = int(math.sqrt(num_positions))
        patch_pos_embed = patch_pos_embed.reshape(1, side, side, dim).permute(0, 3, 1, 2)  # [1, D, s, s]
        patch_pos_embed = F.interpolate(patch_pos_embed, scale_factor=(float(height / math.sqrt(num_positions)), float(width / math.sqrt(num_positions))),
                                        mode='bicubic', align_corners=False)
        patch_pos_embed = patch_pos_embed.permute(0, 2, 3, 1).view(1, -1, dim)  # [1, h*w, D]
        return torch.cat((class_pos_embed.unsqueeze(0), patch_pos_embed), dim=1)

    def forward(self, pixel_values, bool_masked_pos=None):
        """bool_masked_pos [B, N] (transformers' semantics, used by masked-image training): masked patch embeddings
        are replaced by mask_token before the CLS token and position embeddings are added."""
        b, _, h, w = pixel_values.shape
        x = self.patch_embeddings(pixel_values)  # [B, N, D]
        if bool_masked_pos is not None:
            x = torch.where(bool_masked_pos.unsqueeze(-1), self.mask_token.unsqueeze(0).to(x.dtype), x)
        x = torch.cat((self.cls_token.expand(b, -1, -1), x), dim=1)  # [B, N+1, D]
        return x + self.interpolate_pos_encoding(x, h, w)


class Dinov2SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['hidden_size']
        self.num_attention_heads = c['num_attention_heads']
        self.attention_head_size = d // self.num_attention_heads
        self.query = nn.Linear(d, d, bias=c['qkv_bias'])
        self.key = nn.Linear(d, d, bias=c['qkv_bias'])
        self.value = nn.Linear(d, d, bias=c['qkv_bias'])

    def forward(self, x):
        b, t, d = x.shape
        split = lambda y: y.view(b, t, self.num_attention_heads, self.attention_head_size).transpose(1, 2)  # [B, h, T, hd]
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        w = (q @ k.transpose(-1, -2)) / math.sqrt(self.attention_head_size)  # [B, h, T, T]
        return (w.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, t, d)


class Dinov2SelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['hidden_size'], c['hidden_size'])

    def forward(self, x):
        return self.dense(x)


class Dinov2Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Dinov2SelfAttention(c)
        self.output = Dinov2SelfOutput(c)

    def forward(self, x):
        return self.output(self.attention(x))


class Dinov2LayerScale(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.lambda1 = nn.Parameter(c['layerscale_value'] * torch.ones(c['hidden_size']))

    def forward(self, x):
        return x * self.lambda1


class Dinov2MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        hidden = int(c['hidden_size'] * c['mlp_ratio'])
        self.fc1 = nn.Linear(c['hidden_size'], hidden)
        self.fc2 = nn.Linear(hidden, c['hidden_size'])

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Dinov2Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm1 = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])
        self.attention = Dinov2Attention(c)
        self.layer_scale1 = Dinov2LayerScale(c)
        self.norm2 = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])
        self.mlp = Dinov2MLP(c)
        self.layer_scale2 = Dinov2LayerScale(c)

    def forward(self, x):
        x = self.layer_scale1(self.attention(self.norm1(x))) + x
        return self.layer_scale2(self.mlp(self.norm2(x))) + x


class Dinov2Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Dinov2Layer(c) for _ in range(c['num_hidden_layers'])])

    def forward(self, x):
        hidden_states = [x]
        for layer in self.layer:
            x = layer(x)
            hidden_states.append(x)
        return x, hidden_states


class Dinov2Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embeddings = Dinov2Embeddings(config)
        self.encoder = Dinov2Encoder(config)
        self.layernorm = nn.LayerNorm(config['hidden_size'], eps=config['layer_norm_eps'])

    def forward_all(self, pixel_values, bool_masked_pos=None):
        """(last_hidden_state, pooler_output, hidden_states); hidden_states[-1] is x_prenorm."""
        prenorm, hidden_states = self.encoder(self.embeddings(pixel_values, bool_masked_pos))
        last = self.layernorm(prenorm)  # [B, T, D]
        return last, last[:, 0, :], hidden_states

    def forward(self, pixel_values):
        last, pooled, _ = self.forward_all(pixel_values)
        return last, pooled


def build_dinov2(config, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    model = Dinov2Model(config)
    if seed is not None:
        _perturb(model)
    return model.eval()


def _perturb(model):
    """Random LayerNorm affines, layer scales and biases so that no parameter is a no-op in the test."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('norm1.weight') or name.endswith('norm2.weight') or 'layernorm' in name or 'layrnorm' in name \
                    or 'layer_norm' in name or 'lambda1' in name:
                p.add_(0.1 * torch.randn_like(p))
            elif name.endswith('.bias'):
                p.copy_(0.02 * torch.randn_like(p))
            elif name.endswith('.weight') and p.dim() >= 2 and 'embedding' not in name:
                p.copy_(torch.randn_like(p) * (1.0 / math.sqrt(p.shape[1] if p.dim() == 2 else p[0].numel())))


# ----------------------------------------------------------------------------- export

def _write_json(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f, indent=2)
        f.write('\n')


def _export(module, args, path, input_names, output_names, dynamic_axes, external_data, opset=17):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, opset_version=opset, do_constant_folding=True)
    if external_data:
        import onnx
        model = onnx.load(path)
        data_name = os.path.basename(path) + '_data'
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True, location=data_name, size_threshold=0)


def export_clip(model, folder, *, preprocess_size=None, external_data=False, text=True, opset=17):
    """Writes config.json, preprocessor_config.json and onnx/vision_model.onnx (+ onnx/text_model.onnx) for a
    CLIPModel built by build_clip. Tokenizer files are the caller's (make_tiny_encoders writes them).
    opset < 17 decomposes LayerNorm into ReduceMean/Sub/Pow/... as older exports (e.g. Xenova's) do."""
    config = model.config
    vc = config['vision_config']
    size = vc['image_size']
    os.makedirs(os.path.join(folder, 'onnx'), exist_ok=True)
    _write_json(os.path.join(folder, 'config.json'), config)
    _write_json(os.path.join(folder, 'preprocessor_config.json'), clip_preprocessor_config(preprocess_size or size, size))
    vision = CLIPVisionModelWithProjection(model).eval()
    _export(vision, (torch.zeros(1, 3, size, size),), os.path.join(folder, 'onnx', 'vision_model.onnx'), ['pixel_values'],
            ['image_embeds', 'last_hidden_state'], {'pixel_values': {0: 'batch_size'}, 'image_embeds': {0: 'batch_size'},
                                                    'last_hidden_state': {0: 'batch_size'}}, external_data, opset)
    if text:
        s = config['text_config']['max_position_embeddings']
        text_module = CLIPTextModelWithProjection(model).eval()
        ids = torch.zeros(1, s, dtype=torch.int64)
        ids[0, -1] = config['text_config']['eos_token_id']
        _export(text_module, (ids,), os.path.join(folder, 'onnx', 'text_model.onnx'), ['input_ids'], ['text_embeds', 'last_hidden_state'],
                {'input_ids': {0: 'batch_size', 1: 'sequence_length'}, 'text_embeds': {0: 'batch_size'},
                 'last_hidden_state': {0: 'batch_size', 1: 'sequence_length'}}, external_data, opset)


def export_dinov2(model, folder, *, preprocess_size=None, crop_size=None, external_data=False):
    """Writes config.json, preprocessor_config.json (BitImageProcessor) and onnx/model.onnx for a Dinov2Model.
    crop_size is the processor's crop (224 for the real models; position embeddings are interpolated)."""
    config = model.config
    crop = crop_size or config['image_size']
    os.makedirs(os.path.join(folder, 'onnx'), exist_ok=True)
    _write_json(os.path.join(folder, 'config.json'), config)
    _write_json(os.path.join(folder, 'preprocessor_config.json'), dinov2_preprocessor_config(preprocess_size or crop, crop))
    _export(model, (torch.zeros(1, 3, crop, crop),), os.path.join(folder, 'onnx', 'model.onnx'), ['pixel_values'],
            ['last_hidden_state', 'pooler_output'],
            {'pixel_values': {0: 'batch_size', 2: 'height', 3: 'width'}, 'last_hidden_state': {0: 'batch_size', 1: 'sequence_length'},
             'pooler_output': {0: 'batch_size'}}, external_data)
