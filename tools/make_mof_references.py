"""PyTorch references for @mmvp/adapters and @mmvp/mof (and the tiny-model pipeline configs).

Run: /usr/bin/python3 tools/make_mof_references.py
(Debian's torch 1.13 + numpy; one CPU thread; writes only small files.)

Writes
1. packages/adapters/src/__fixtures__/: random features, a `linear` adapter saved as a bare nn.Linear
   under LLaVA's name (`model.mm_projector.weight/.bias`), an `mlp2x_gelu` adapter saved with bare
   names (`0.weight` ... `2.bias`), and their outputs computed by torch (nn.GELU() = exact erf form).
2. packages/mof/src/__fixtures__/: random CLIP and DINOv2 token features [B=2, N=16 (4x4), D=24],
   one safetensors file holding `model.mm_projector.*` and `model.dino_mm_projector.*` (mlp2x_gelu,
   24 -> 40 -> 40), and the visual tokens for clip-only, dino-only, additive r = 0, 0.25, 0.75, 1
   (A-MoF: (1 - r) * clip + r * dino on encoder features, then mm_projector) and interleaved
   (I-MoF: mm_projector(clip), dino_mm_projector(dino), then c0, d0, c1, d1, ... as in
   LLaVA/llava/model/llava_arch.py of tsb0601/MMVP). Also a 3x3 DINOv2 grid resampled to 4x4 with
   F.interpolate(mode='bilinear', align_corners=False) for the token-grid resampling test.
3. models/tiny-mof/ (only when models/tiny-clip and models/tiny-dinov2 and tools/tiny_models.py
   exist): adapters sized for the tiny encoders in LLaVA naming, and the end-to-end reference tokens
   for fixed pixel values (see make_tiny_pipeline_references below).
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def save_safetensors(path, tensors):
    """The safetensors layout: 8-byte little-endian header length, JSON header, raw F32 data."""
    header, blob = {"__metadata__": {"format": "pt"}}, b""
    for name in sorted(tensors):
        raw = np.ascontiguousarray(tensors[name].detach().numpy().astype("<f4")).tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + blob)


def build_projector(kind, input_size, hidden_size):
    """As LLaVA's multimodal_projector/builder.py: nn.Linear, or Linear -> GELU -> Linear."""
    if kind == "linear":
        return nn.Linear(input_size, hidden_size)
    return nn.Sequential(nn.Linear(input_size, hidden_size), nn.GELU(), nn.Linear(hidden_size, hidden_size))


def named(module, prefix):
    return {(f"{prefix}.{k}" if prefix else k): v for k, v in module.state_dict().items()}


def save_npy(path, array):
    np.save(path, np.ascontiguousarray(array.detach().numpy().astype(np.float32) if torch.is_tensor(array) else array.astype(np.float32)))


def mof_references(clip, dino, mm_projector, dino_mm_projector, ratios):
    """clip, dino: [B, N, D] encoder features -> {name: [B, T, H]} visual tokens."""
    out = {}
    with torch.no_grad():
        out["clip"] = mm_projector(clip)  # [B, N, H]
        out["dino"] = dino_mm_projector(dino)  # [B, N, H]
        for r in ratios:
            out[f"additive_{r}"] = mm_projector((1 - r) * clip + r * dino)  # [B, N, H]
        c = mm_projector(clip)  # [B, N, H]
        d = dino_mm_projector(dino)  # [B, N, H]
        b, n, h = c.shape
        merged = torch.zeros(b, 2 * n, h)
        merged[:, 0::2] = c  # c0, c1, ... at even positions
        merged[:, 1::2] = d  # d0, d1, ... at odd positions
        out["interleaved"] = merged  # [B, 2N, H]
    return out


RATIOS = [0.0, 0.25, 0.75, 1.0]


def ratio_name(r):
    return str(r).replace(".", "_")


def make_adapter_fixtures():
    out = os.path.join(ROOT, "packages", "adapters", "src", "__fixtures__")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(1)
    features = torch.randn(2, 5, 24)  # [B, N, Din]
    linear = build_projector("linear", 24, 40)
    mlp = build_projector("mlp2x_gelu", 24, 40)
    save_safetensors(os.path.join(out, "linear_llava.safetensors"), named(linear, "model.mm_projector"))
    save_safetensors(os.path.join(out, "mlp2x_gelu_bare.safetensors"), named(mlp, ""))
    with torch.no_grad():
        save_npy(os.path.join(out, "features.npy"), features)
        save_npy(os.path.join(out, "linear_out.npy"), linear(features))  # [B, N, H]
        save_npy(os.path.join(out, "mlp2x_gelu_out.npy"), mlp(features))  # [B, N, H]
        # GELU alone on a wide range, for the erf accuracy test.
        xs = torch.linspace(-8, 8, 801)
        save_npy(os.path.join(out, "gelu_x.npy"), xs)
        save_npy(os.path.join(out, "gelu_y.npy"), nn.GELU()(xs))


def make_mof_fixtures():
    out = os.path.join(ROOT, "packages", "mof", "src", "__fixtures__")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(2)
    clip = torch.randn(2, 16, 24) * 2  # [B, N, D], a 4x4 grid
    dino = torch.randn(2, 16, 24) * 3  # [B, N, D]
    mm_projector = build_projector("mlp2x_gelu", 24, 40)
    dino_mm_projector = build_projector("mlp2x_gelu", 24, 40)
    weights = {**named(mm_projector, "model.mm_projector"), **named(dino_mm_projector, "model.dino_mm_projector")}
    save_safetensors(os.path.join(out, "projectors.safetensors"), weights)
    save_npy(os.path.join(out, "clip_features.npy"), clip)
    save_npy(os.path.join(out, "dino_features.npy"), dino)
    for name, tokens in mof_references(clip, dino, mm_projector, dino_mm_projector, RATIOS).items():
        name = name if not name.startswith("additive_") else "additive_" + ratio_name(float(name.split("_")[1]))
        save_npy(os.path.join(out, f"tokens_{name}.npy"), tokens)
    # Token-grid resampling: a 3x3 DINOv2 grid bilinearly resized to 4x4 (align_corners=False).
    small = torch.randn(2, 9, 24)  # [B, 9, D]
    grid = small.reshape(2, 3, 3, 24).permute(0, 3, 1, 2)  # [B, D, 3, 3]
    resized = F.interpolate(grid, size=(4, 4), mode="bilinear", align_corners=False)  # [B, D, 4, 4]
    save_npy(os.path.join(out, "grid3_features.npy"), small)
    save_npy(os.path.join(out, "grid3_to_4.npy"), resized.permute(0, 2, 3, 1).reshape(2, 16, 24))  # [B, 16, D]
    # Non-square, downsampling too: 5x7 -> 3x4.
    odd = torch.randn(1, 35, 6)  # [1, 5*7, D]
    resized = F.interpolate(odd.reshape(1, 5, 7, 6).permute(0, 3, 1, 2), size=(3, 4), mode="bilinear", align_corners=False)
    save_npy(os.path.join(out, "grid5x7_features.npy"), odd)
    save_npy(os.path.join(out, "grid5x7_to_3x4.npy"), resized.permute(0, 2, 3, 1).reshape(1, 12, 6))


def make_tiny_pipeline_references():
    """models/tiny-mof/: adapters for the tiny encoders (LLM hidden size 64 = models/tiny-llama) and the
    visual tokens of the tiny pipelines (configs/pipelines/tiny-*.json) on models/tiny-clip/reference/images.

    CLIP features: hidden_states[-2] patch tokens from models/tiny-clip/reference/hidden_states.npy (PyTorch).
    DINOv2 features: x_prenorm patch tokens on the CLIP-preprocessed images (MMVP), from
    models/tiny-dinov2/reference/prenorm_clip.npy (width 48) for I-MoF, and from a width-64 tiny DINOv2
    exported here (models/tiny-mof/tiny-dinov2-64) for A-MoF, which needs equal widths.
    """
    import tiny_models as tm

    out = os.path.join(ROOT, "models", "tiny-mof")
    ref = os.path.join(out, "reference")
    os.makedirs(ref, exist_ok=True)
    clip_ref = os.path.join(ROOT, "models", "tiny-clip", "reference")
    dino_ref = os.path.join(ROOT, "models", "tiny-dinov2", "reference")
    pixel_values = torch.from_numpy(np.load(os.path.join(clip_ref, "pixel_values.npy")))  # [3, 3, 32, 32]
    assert np.array_equal(pixel_values.numpy(), np.load(os.path.join(dino_ref, "pixel_values_clip.npy"))), "CLIP pixel values differ"
    clip = torch.from_numpy(np.load(os.path.join(clip_ref, "hidden_states.npy"))[-2][:, 1:])  # [3, 16, 64]
    dino48 = torch.from_numpy(np.load(os.path.join(dino_ref, "prenorm_clip.npy"))[:, 1:])  # [3, 16, 48]

    dino64_model = tm.build_dinov2(tm.dinov2_config(image_size=64, patch_size=8, hidden_size=64, num_layers=2, num_heads=4, layerscale_value=0.5), seed=777)
    tm.export_dinov2(dino64_model, os.path.join(out, "tiny-dinov2-64"), preprocess_size=36, crop_size=32)
    with torch.no_grad():
        _, _, hidden = dino64_model.forward_all(pixel_values)
    dino64 = hidden[-1][:, 1:]  # x_prenorm patch tokens [3, 16, 64]

    llm_hidden = 64  # models/tiny-llama hidden_size
    torch.manual_seed(3)
    llava_projector = build_projector("mlp2x_gelu", 64, llm_hidden)  # a CLIP-only LLaVA-1.5
    imof_clip = build_projector("mlp2x_gelu", 64, llm_hidden)  # I-MoF mm_projector
    imof_dino = build_projector("mlp2x_gelu", 48, llm_hidden)  # I-MoF dino_mm_projector
    amof_projector = build_projector("mlp2x_gelu", 64, llm_hidden)  # A-MoF: one adapter after mixing
    for module in (llava_projector, imof_clip, imof_dino, amof_projector):  # larger weights than nn.Linear's init
        with torch.no_grad():
            for p in module.parameters():
                p.mul_(3.0)
    save_safetensors(os.path.join(out, "llava-mm_projector.safetensors"), named(llava_projector, "model.mm_projector"))
    save_safetensors(os.path.join(out, "imof-projectors.safetensors"), {**named(imof_clip, "model.mm_projector"), **named(imof_dino, "model.dino_mm_projector")})
    save_safetensors(os.path.join(out, "amof-mm_projector.safetensors"), named(amof_projector, "model.mm_projector"))

    with torch.no_grad():
        save_npy(os.path.join(ref, "tokens_clip.npy"), llava_projector(clip))  # [3, 16, 64]
        interleaved = mof_references(clip, dino48, imof_clip, imof_dino, [])["interleaved"]
        save_npy(os.path.join(ref, "tokens_interleaved.npy"), interleaved)  # [3, 32, 64]
        for r in RATIOS:
            save_npy(os.path.join(ref, f"tokens_additive_{ratio_name(r)}.npy"), amof_projector((1 - r) * clip + r * dino64))  # [3, 16, 64]
        save_npy(os.path.join(ref, "dino64_prenorm_patch.npy"), dino64)


if __name__ == "__main__":
    make_adapter_fixtures()
    make_mof_fixtures()
    tiny = [os.path.join(ROOT, "models", "tiny-clip"), os.path.join(ROOT, "models", "tiny-dinov2"), os.path.join(ROOT, "tools", "tiny_models.py")]
    if all(os.path.exists(p) for p in tiny):
        sys.path.insert(0, os.path.join(ROOT, "tools"))
        make_tiny_pipeline_references()
    else:
        print("tiny encoders not found; skipped models/tiny-mof", file=sys.stderr)
    print("done")
