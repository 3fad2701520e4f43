"""What the int8 tap-variant fixtures give on each class of x86 CPU, computed without that CPU (issue #25).

Run from the repository root (CPU, a few seconds), after tools/make_tap_variants.py:

    /usr/bin/python3 tools/emulate_int8_kernels.py

onnxruntime runs an int8 MatMulInteger (uint8 activations A, weights B) with one of two arithmetics:
- 'exact': every product summed in int32. x86 with VNNI (vpdpbusd: avx512_vnni, avx_vnni; amx_int8), arm64,
  and u8u8 everywhere (its x86 kernel widens both sides to int16 and sums products with vpmaddwd in int32).
- 'int16-pair-saturating': u8s8 on x86 without VNNI (AVX2, AVX-512 without VNNI): vpmaddubsw multiplies
  uint8 x int8 and adds each two neighbouring products along K (k = 2j, 2j + 1) into an int16, saturating
  at [-32768, 32767]; vpmaddwd then sums those int16s exactly in int32. The zero point of A is handled
  apart (minus zp_A * the column sum of B, exact), so the saturated sums are of the raw uint8 values.
  onnxruntime's quantization docs name this saturation and recommend reduce_range or U8U8 there.

For each int8 fixture (models/tap-variants/<family>-{int8, int8-full-range, uint8}), this runs the same
freshly initialised PyTorch module as tools/make_tap_variants.py with every nn.Linear replaced by what the
fixture's graph computes (DynamicQuantizeLinear of the input as in the ONNX spec, the fixture's quantized
weights, the integer product in one of the two arithmetics, times A_scale * B_scale, plus the bias), and
writes models/tap-variants/reference/int8-emulation.json: per fixture and arithmetic, the max |hidden state
- PyTorch float32| at the taps the tests read (--layer -2, --layer 1, --tap prenorm), the number of
saturated int16 pair sums, and the largest |pair sum|. The TypeScript tests read it; they never run Python.

With --vit-b16 it instead prints the same comparison for the ViT-B/16-sized random CLIP of `pnpm bench encoders`
(tools/make_tiny_encoders.py --preset vit-b16: same seed, so the same weights), hidden_states[-2] of one random
image, computing the saturated pair sums sparsely (only weight pairs with |w0| + |w1| > 128 can overflow).
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tap_variants import INT8_FORMATS, ROOT, dynamic_quantize_linear, fresh_clip, fresh_dinov2, quantize_weight  # noqa: E402

torch.set_num_threads(1)

FIXTURES = {'int8': 'u8s8-reduce-range-per-channel', 'int8-full-range': 'u8s8-full-range-per-tensor', 'uint8': 'u8u8-per-tensor'}
TAPS = {'--layer -2': 2, '--layer 1': 1, '--tap prenorm': 3}  # hidden_states index, L = 3
ARITHMETICS = ('exact', 'int16-pair-saturating')


def integer_matmul(aq, a_zero_point, wq, w_zero_point, arithmetic, stats):
    """sum_k (A[m, k] - zp_A) * (B[k, n] - zp_B) in int64, as MatMulInteger; aq [M, K] uint8, wq [K, N]."""
    a = aq.astype(np.int64)  # [M, K]
    w = wq.astype(np.int64)  # [K, N]
    exact = (a - int(a_zero_point)) @ (w - w_zero_point.astype(np.int64))  # [M, N]
    if arithmetic == 'exact' or wq.dtype != np.int8:
        return exact
    k = a.shape[1]
    if k % 2:
        a = np.concatenate([a, np.zeros((a.shape[0], 1), np.int64)], axis=1)
        w = np.concatenate([w, np.zeros((1, w.shape[1]), np.int64)], axis=0)
    pairs = a[:, 0::2, None] * w[None, 0::2, :] + a[:, 1::2, None] * w[None, 1::2, :]  # [M, K/2, N]
    stats['saturated'] += int(np.count_nonzero((pairs > 32767) | (pairs < -32768)))
    stats['pairs'] += int(pairs.size)
    stats['max_abs_pair_sum'] = max(stats['max_abs_pair_sum'], int(np.abs(pairs).max()))
    raw = np.clip(pairs, -32768, 32767).sum(axis=1)  # [M, N]
    return raw - int(a_zero_point) * w.sum(axis=0)[None, :]  # zp_B is 0 for int8 weights


def sparse_saturating_matmul(aq, a_zero_point, wq):
    """The 'int16-pair-saturating' product for int8 weights, computed as the exact product plus the clamping
    corrections of the few pairs that can overflow (255 * (|w0| + |w1|) > 32767); same result, less memory."""
    a = aq.astype(np.int64)  # [M, K]
    w = wq.astype(np.int64)  # [K, N]
    result = (a.astype(np.float64) @ w.astype(np.float64)).astype(np.int64)  # exact: |sum| < 2^53
    k = a.shape[1]
    if k % 2:
        a = np.concatenate([a, np.zeros((a.shape[0], 1), np.int64)], axis=1)
        w = np.concatenate([w, np.zeros((1, w.shape[1]), np.int64)], axis=0)
    w0, w1 = w[0::2], w[1::2]  # [K/2, N]
    saturated = 0
    for j, n in zip(*np.nonzero(np.maximum(np.maximum(w0, 0) + np.maximum(w1, 0), -(np.minimum(w0, 0) + np.minimum(w1, 0))) * 255 > 32767)):
        pair = a[:, 2 * j] * w0[j, n] + a[:, 2 * j + 1] * w1[j, n]  # [M]
        clamped = np.clip(pair, -32768, 32767)
        saturated += int(np.count_nonzero(clamped != pair))
        result[:, n] += clamped - pair
    return result - int(a_zero_point) * w.sum(axis=0)[None, :], saturated


def vit_b16():
    """Full-range u8s8 vs reduce-range on the bench's ViT-B/16-sized CLIP: max |hidden_states[-2] - float32|."""
    import tiny_models as tm
    config = tm.clip_config(image_size=224, patch_size=16, vision_hidden=768, vision_layers=12, vision_heads=12,
                            text_hidden=64, text_layers=1, text_heads=4, vocab_size=1000, projection_dim=512)
    model = tm.build_clip(config, seed=5)  # tools/make_tiny_encoders.py make_vit_b16
    pixels = np.random.default_rng(0).uniform(-2, 2, (1, 3, 224, 224)).astype(np.float32)
    reference = hidden_states('clip', model, pixels)[-2]
    original = torch.nn.Linear.forward
    for fmt in ('u8s8-full-range-per-tensor', 'u8s8-reduce-range-per-channel'):
        weight_type, per_channel, reduce_range = INT8_FORMATS[fmt]
        for arithmetic in ARITHMETICS:
            count = [0]

            def forward(self, x, arithmetic=arithmetic, count=count):
                wq, w_scale, w_zero_point = quantize_weight(self.weight.detach().numpy().T, weight_type, per_channel, reduce_range)
                xs = x.detach().numpy()
                aq, a_scale, a_zero_point = dynamic_quantize_linear(xs)
                flat = aq.reshape(-1, xs.shape[-1])
                if arithmetic == 'exact':
                    y = ((flat.astype(np.float64) - a_zero_point) @ wq.astype(np.float64)).astype(np.int64)
                else:
                    y, saturated = sparse_saturating_matmul(flat, a_zero_point, wq)
                    count[0] += saturated
                y = y.astype(np.float32) * (np.float32(a_scale) * w_scale.astype(np.float32))
                out = torch.from_numpy(y.reshape(*xs.shape[:-1], -1).astype(np.float32))
                return out + self.bias if self.bias is not None else out

            torch.nn.Linear.forward = forward
            try:
                hidden = hidden_states('clip', model, pixels)[-2]
            finally:
                torch.nn.Linear.forward = original
            print(f'vit-b16 {fmt} {arithmetic}: max |hidden_states[-2] - float32| = {np.abs(hidden - reference).max():.4f}, saturated pair sums {count[0]}')


def quantized_linear(fmt, arithmetic, stats):
    weight_type, per_channel, reduce_range = INT8_FORMATS[fmt]

    def forward(self, x):
        w = self.weight.detach().numpy().T  # [K, N], as the export's MatMul initializer
        wq, w_scale, w_zero_point = quantize_weight(w, weight_type, per_channel, reduce_range)
        xs = x.detach().numpy()
        aq, a_scale, a_zero_point = dynamic_quantize_linear(xs)
        flat = aq.reshape(-1, xs.shape[-1])  # [M, K]
        y = integer_matmul(flat, a_zero_point, wq, w_zero_point, arithmetic, stats).astype(np.float32)  # Cast(to=float)
        y = y * (np.float32(a_scale) * w_scale.astype(np.float32))  # Mul(Mul(A_scale, B_scale))
        out = torch.from_numpy(y.reshape(*xs.shape[:-1], -1).astype(np.float32))
        return out + self.bias if self.bias is not None else out

    return forward


def hidden_states(family, model, pixel_values):
    with torch.no_grad():
        if family == 'clip':
            _, _, hidden = model.vision_model(torch.from_numpy(pixel_values))
        else:
            _, _, hidden = model.forward_all(torch.from_numpy(pixel_values))
    return torch.stack(hidden).numpy()  # [L+1, B, T, D]


def main():
    results = {}
    original = torch.nn.Linear.forward
    for family, build in [('clip', fresh_clip), ('dinov2', fresh_dinov2)]:
        model = build()
        ref = os.path.join(ROOT, 'reference', family)
        pixel_values = np.load(os.path.join(ref, 'pixel_values.npy'))
        reference = np.load(os.path.join(ref, 'hidden_states.npy'))  # [L+1, B, T, D]
        check = hidden_states(family, model, pixel_values)
        assert np.abs(check - reference).max() < 1e-5, 'the module is not the one behind the fixtures'
        for variant, fmt in FIXTURES.items():
            entry = {'format': fmt}
            for arithmetic in ARITHMETICS:
                stats = {'saturated': 0, 'pairs': 0, 'max_abs_pair_sum': 0}
                torch.nn.Linear.forward = quantized_linear(fmt, arithmetic, stats)
                try:
                    hidden = hidden_states(family, model, pixel_values)
                finally:
                    torch.nn.Linear.forward = original
                diffs = {label: float(np.abs(hidden[index] - reference[index]).max()) for label, index in TAPS.items()}
                entry[arithmetic] = {'maxAbsDiff': diffs, 'saturatedPairSums': stats['saturated'], 'pairSums': stats['pairs'],
                                     'maxAbsPairSum': stats['max_abs_pair_sum']}
            results[f'{family}-{variant}'] = entry
            print(family, variant, json.dumps(entry))
    out = os.path.join(ROOT, 'reference', 'int8-emulation.json')
    with open(out, 'w') as f:
        json.dump({'made_by': 'tools/emulate_int8_kernels.py', 'fixtures': results}, f, indent=2)
        f.write('\n')
    print(out)


if __name__ == '__main__':
    if '--vit-b16' in sys.argv[1:]:
        vit_b16()
    else:
        main()
