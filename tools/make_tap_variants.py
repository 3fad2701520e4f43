"""Makes the graph-tap variant fixtures (issue #16): small CLIP vision / DINOv2 exports in the shapes real
downloads come in, plus the PyTorch float32 hidden states they must reproduce.

Run from the repository root (CPU, a few seconds):

    /usr/bin/python3 tools/make_tap_variants.py

Writes models/tap-variants/<family>-<variant>/ (a model folder each: config.json, preprocessor_config.json,
onnx/<graph><suffix>.onnx) for family in {clip, dinov2}, and models/tap-variants/reference/<family>/
(pixel_values.npy [2, 3, H, W] and hidden_states.npy [L+1, 2, T, D] from the float32 PyTorch module,
Hugging Face indexing; hidden_states[L] is also the 'prenorm' tap).

Every variant is made from the same freshly initialised modules (nn.LayerNorm weight 1, bias 0, as
Hugging Face's from_config leaves them; DINOv2's layer scales all equal), so torch.onnx.export stores the
identical LayerNorm parameters once and hands them to each LayerNorm through Identity nodes: that is the
export of issue #16, and every variant below is built on it.

Variants (graph file name as in Hugging Face ONNX repos; CLIP: vision_model, DINOv2: model):
- shared-identity: torch.onnx.export at opset 17 (LayerNormalization nodes), Identity-shared weights.
- opset11, opset14: the same at opset 11 / 14 (LayerNorm decomposed into ReduceMean/Sub/Pow/Sqrt/Div;
  opset 11 hoists Constant nodes, Unsqueeze/Squeeze/ReduceMean take attributes).
- fp16 (<graph>_fp16.onnx): to_float16() below, a transform written here after onnxconverter-common's
  convert_float_to_float16(model, keep_io_types=True): float16 initializers and Constant/ConstantOfShape
  tensors, Cast nodes at the float graph inputs ('graph_input_cast{i}') and outputs ('graph_output_cast{i}'),
  float16 activations everywhere else; ops on its default op_block_list (Resize, Range, ...) stay float32
  between '{node}_input_cast{i}' / '{node}_output_cast{i}' Casts, Cast(to=float) becomes Cast(to=float16).
- int8, int8-full-range (<graph>_int8.onnx) and uint8 (<graph>_uint8.onnx): to_int8() below, after
  onnxruntime.quantization.quantize_dynamic(MatMul only): for each MatMul whose B is a 2-D float initializer:
  DynamicQuantizeLinear(A) -> uint8 A, A_scale, A_zero_point (one per activation, shared by its consumers),
  MatMulInteger(A_q, B_q, A_zero_point, B_zero_point) -> int32, Cast(to=float), Mul(A_scale, B_scale) and
  Mul -> the MatMul's output. Conv (the patch embedding) and activation x activation MatMuls stay float.
  The weights (issue #25; INT8_FORMATS below):
  int8: QInt8, per_channel=True, reduce_range=True (symmetric 7-bit, [-64, 64]: transformers.js' `_int8` of
        CLIP / DINOv2), u8s8 exact on every CPU;
  int8-full-range: QInt8 with quantize_dynamic's defaults (per tensor, symmetric [-127, 127]), the u8s8 file
        that saturates on x86 without VNNI (byte for byte the `int8` fixture before issue #25);
  uint8: QUInt8, per tensor (asymmetric [0, 255], zero point per tensor), u8u8, exact on every CPU.
  tools/emulate_int8_kernels.py computes what each gives on CPUs with and without VNNI.
- q4 (<graph>_q4.onnx): to_q4() below, after onnxruntime's MatMul4BitsQuantizer(block_size=32,
  is_symmetric=False): each such MatMul becomes com.microsoft MatMulNBits(A, B_q [N, K/32, 16] uint8,
  scales [N*K/32] float, zero_points [N * ceil(K/32 / 2)] uint8 (two per byte along K, each column padded to whole bytes); K, N, bits=4, block_size=32); per block of 32
  along K: rmin = min(0, min), rmax = max(0, max), scale = (rmax - rmin) / 15, zero_point = round(-rmin / scale)
  clamped to [0, 15], q = clamp(round(w / scale) + zero_point, 0, 15); two 4-bit values per byte, low nibble first.

Torch 1.13 (Debian python3-torch), onnx 1.12 (Debian python3-onnx); onnxruntime is not needed here (the
TypeScript tests run every variant against the references).
"""
import json
import os
import shutil
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_models as tm  # noqa: E402
from make_tiny_encoders import make_images, pil_preprocess  # noqa: E402

torch.set_num_threads(1)

ROOT = os.path.join('models', 'tap-variants')
CLIP_SIZE = 16  # 4 px patches -> a 4x4 grid + CLS = 17 tokens
DINO_SIZE = 32  # 8 px patches -> 4x4 + CLS


# ----------------------------------------------------------------------------- models

def fresh_clip():
    config = tm.clip_config(image_size=CLIP_SIZE, patch_size=4, vision_hidden=16, vision_layers=3, vision_heads=2, text_hidden=16,
                            text_layers=1, text_heads=2, vocab_size=64, max_position_embeddings=8, projection_dim=16)
    config['vision_config']['intermediate_size'] = 16
    torch.manual_seed(11)
    model = tm.CLIPModel(config).eval()
    with torch.no_grad():  # HF initialises position/class embeddings with small normals; LayerNorms stay (1, 0)
        model.vision_model.embeddings.class_embedding.normal_(0, 0.5)
        model.vision_model.embeddings.position_embedding.weight.normal_(0, 0.5)
    return model


def fresh_dinov2():
    config = tm.dinov2_config(image_size=DINO_SIZE, patch_size=8, hidden_size=16, num_layers=3, num_heads=2, mlp_ratio=1,
                              layerscale_value=0.5)
    torch.manual_seed(12)
    return tm.Dinov2Model(config).eval()


def export(family, model, path, opset):
    if family == 'clip':
        module = tm.CLIPVisionModelWithProjection(model).eval()
        size = CLIP_SIZE
        outputs = ['image_embeds', 'last_hidden_state']
        axes = {'pixel_values': {0: 'batch_size'}, 'image_embeds': {0: 'batch_size'}, 'last_hidden_state': {0: 'batch_size'}}
    else:
        module = model
        size = DINO_SIZE
        outputs = ['last_hidden_state', 'pooler_output']
        axes = {'pixel_values': {0: 'batch_size', 2: 'height', 3: 'width'}, 'last_hidden_state': {0: 'batch_size', 1: 'sequence_length'},
                'pooler_output': {0: 'batch_size'}}
    tm._export(module, (torch.zeros(1, 3, size, size),), path, ['pixel_values'], outputs, axes, False, opset)


def write_folder(family, model, folder):
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(os.path.join(folder, 'onnx'))
    tm._write_json(os.path.join(folder, 'config.json'), model.config)
    if family == 'clip':
        pre = tm.clip_preprocessor_config(CLIP_SIZE, CLIP_SIZE)
    else:
        pre = tm.dinov2_preprocessor_config(DINO_SIZE, DINO_SIZE)
    tm._write_json(os.path.join(folder, 'preprocessor_config.json'), pre)
    return pre


# ----------------------------------------------------------------------------- float16

# onnxconverter-common's DEFAULT_OP_BLOCK_LIST (ops kept in float32), the ones that can occur in a ViT export.
FP16_BLOCK = {'Resize', 'Upsample', 'Range', 'Max', 'Min', 'TopK', 'RoiAlign', 'NonMaxSuppression', 'RandomUniformLike',
              'RandomNormalLike', 'RandomUniform', 'RandomNormal', 'Multinomial', 'CumSum'}


def _to_fp16_tensor(t):
    a = numpy_helper.to_array(t).astype(np.float16)
    out = numpy_helper.from_array(a, t.name)
    return out


def to_float16(model):
    """convert_float_to_float16(model, keep_io_types=True), as described in the module docstring."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    for i, t in enumerate(g.initializer):
        if t.data_type == TensorProto.FLOAT:
            g.initializer[i].CopyFrom(_to_fp16_tensor(t))
    rename = {}
    head, tail = [], []
    for i, v in enumerate(g.input):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            rename[v.name] = f'graph_input_cast_{i}'
            head.append(helper.make_node('Cast', [v.name], [f'graph_input_cast_{i}'], name=f'graph_input_cast{i}', to=TensorProto.FLOAT16))
    out_rename = {}
    for i, v in enumerate(g.output):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            out_rename[v.name] = f'graph_output_cast_{i}'
            tail.append(helper.make_node('Cast', [f'graph_output_cast_{i}'], [v.name], name=f'graph_output_cast{i}', to=TensorProto.FLOAT))
    nodes = []
    for n in g.node:
        n = onnx.NodeProto.FromString(n.SerializeToString())
        for j, name in enumerate(n.input):
            if name in rename:
                n.input[j] = rename[name]
            elif name in out_rename:
                n.input[j] = out_rename[name]
        for j, name in enumerate(n.output):
            if name in out_rename:
                n.output[j] = out_rename[name]
        if n.op_type in FP16_BLOCK:
            pre, post = [], []
            for j, name in enumerate(n.input):
                if not name:
                    continue
                # only float tensors are cast; Resize's roi/scales are float constants, sizes int64
                if j == 0 or (n.op_type == 'Resize' and j in (1, 2)):
                    cast_out = f'{n.name}_input_cast_{j}'
                    pre.append(helper.make_node('Cast', [name], [cast_out], name=f'{n.name}_input_cast{j}', to=TensorProto.FLOAT))
                    n.input[j] = cast_out
            for j, name in enumerate(n.output):
                cast_in = f'{n.name}_output_cast_{j}'
                post.append(helper.make_node('Cast', [cast_in], [name], name=f'{n.name}_output_cast{j}', to=TensorProto.FLOAT16))
                n.output[j] = cast_in
            nodes += pre + [n] + post
            continue
        for a in n.attribute:
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == TensorProto.FLOAT:
                a.t.CopyFrom(_to_fp16_tensor(a.t))
            if n.op_type == 'Cast' and a.name == 'to' and a.i == TensorProto.FLOAT:
                a.i = TensorProto.FLOAT16
        nodes.append(n)
    del g.node[:]
    g.node.extend(head + nodes + tail)
    del g.value_info[:]  # float32 shapes inferred by the exporter no longer hold
    return m


# ----------------------------------------------------------------------------- int8 / q4

def _matmul_weights(model):
    inits = {t.name: t for t in model.graph.initializer}
    for i, n in enumerate(model.graph.node):
        if n.op_type == 'MatMul' and n.input[1] in inits:
            t = inits[n.input[1]]
            if t.data_type == TensorProto.FLOAT and len(t.dims) == 2:
                yield i, numpy_helper.to_array(t)


def _drop_unused_initializers(g):
    used = {name for n in g.node for name in n.input}
    keep = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)


def _rewrite_weight_matmuls(model, replace):
    """A copy of `model` where every MatMul with a 2-D float weight initializer is replaced by what
    `replace(node, weight)` returns (its nodes and new initializers); unused initializers and the
    stale value_info are dropped. The skeleton both weight-quantizing transforms share."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    targets = dict(_matmul_weights(m))
    nodes, inits = [], []
    for i, n in enumerate(g.node):
        n = onnx.NodeProto.FromString(n.SerializeToString())
        if i not in targets:
            nodes.append(n)
            continue
        new_nodes, new_inits = replace(n, targets[i])
        nodes += new_nodes
        inits += new_inits
    del g.node[:]
    g.node.extend(nodes)
    g.initializer.extend(inits)
    _drop_unused_initializers(g)
    del g.value_info[:]
    return m


# The 8-bit weight formats of the fixtures (issue #25). quantize_dynamic(weight_type=QInt8) with its defaults
# (per_channel=False, reduce_range=False) stores symmetric weights in [-127, 127]: on x86 CPUs without VNNI
# onnxruntime runs that u8s8 MatMulInteger with vpmaddubsw, whose int16 sums of two uint8 x int8 products
# saturate (255 * 127 * 2 = 64770 > 32767). reduce_range=True stores 7-bit weights, [-64, 64] (onnxruntime's
# get_qmin_qmax_for_qType), whose pair sums fit (255 * 64 * 2 = 32640); QUInt8 weights (u8u8) run on a kernel
# that widens to int16 first and never saturates. transformers.js' convert.py quantizes CLIP and DINOv2 with
# per_channel=True, reduce_range=True (its `_int8`: QInt8; `_quantized`: QUInt8, as the graph has a Conv).
INT8_FORMATS = {
    # name: (weight type, per channel, reduce range)
    'u8s8-reduce-range-per-channel': ('int8', True, True),  # transformers.js `_int8` for CLIP / DINOv2
    'u8s8-full-range-per-tensor': ('int8', False, False),  # quantize_dynamic's defaults
    'u8u8-per-tensor': ('uint8', False, False),  # quantize_dynamic(weight_type=QUInt8)
}


def quantize_weight(w, weight_type, per_channel, reduce_range):
    """onnxruntime.quantization's weight quantization of a MatMul weight w [K, N]: (q, scale, zero_point);
    per channel = per output column N. int8: symmetric, [-127, 127] or [-64, 64] with reduce_range,
    zero point 0; uint8: asymmetric over [min(0, w), max(0, w)], [0, 255] or [0, 127] with reduce_range."""
    lo = w.min(axis=0) if per_channel else np.array(w.min())
    hi = w.max(axis=0) if per_channel else np.array(w.max())
    lo, hi = np.minimum(lo, 0).astype(np.float32), np.maximum(hi, 0).astype(np.float32)
    if weight_type == 'int8':
        qmax = 64 if reduce_range else 127
        absmax = np.maximum(np.abs(lo), np.abs(hi))
        scale = np.atleast_1d(absmax.astype(np.float64) / qmax).astype(np.float32)  # = 2 * absmax / (qmax - qmin)
        scale[scale == 0] = 1
        zero_point = np.zeros(scale.shape, np.int8)
        q = np.clip(np.round(w / scale), -qmax, qmax).astype(np.int8)
    else:
        qmax = 127 if reduce_range else 255
        scale = np.atleast_1d((hi.astype(np.float64) - lo) / qmax).astype(np.float32)
        scale[scale == 0] = 1
        zero_point = np.clip(np.round(-lo / scale), 0, qmax).astype(np.uint8)
        q = np.clip(np.round(w / scale) + zero_point, 0, qmax).astype(np.uint8)
    return q, scale, zero_point


def dynamic_quantize_linear(x):
    """ONNX DynamicQuantizeLinear (uint8, per tensor): the activations' quantization in every format."""
    lo, hi = min(0.0, float(x.min())), max(0.0, float(x.max()))
    scale = np.float32((hi - lo) / 255) or np.float32(1)
    zero_point = np.float32(np.clip(np.round(-lo / scale), 0, 255))
    return np.clip(np.round(x / scale) + zero_point, 0, 255).astype(np.uint8), scale, zero_point


def to_int8(model, fmt='u8s8-reduce-range-per-channel'):
    """quantize_dynamic(MatMul, ...) in one of INT8_FORMATS, as described in the module docstring."""
    weight_type, per_channel, reduce_range = INT8_FORMATS[fmt]
    quantized_inputs = {}  # one DynamicQuantizeLinear per activation, shared by the MatMuls that read it

    def replace(n, w):
        nodes = []
        a, b, y = n.input[0], n.input[1], n.output[0]
        if a not in quantized_inputs:
            quantized_inputs[a] = (f'{a}_quantized', f'{a}_scale', f'{a}_zero_point')
            nodes.append(helper.make_node('DynamicQuantizeLinear', [a], list(quantized_inputs[a]), name=f'{a}_QuantizeLinear'))
        aq, ascale, azp = quantized_inputs[a]
        wq, scale, zero_point = quantize_weight(w, weight_type, per_channel, reduce_range)
        if not per_channel:
            scale, zero_point = scale.reshape(()), zero_point.reshape(())
        inits = [numpy_helper.from_array(wq, f'{b}_quantized'), numpy_helper.from_array(scale, f'{b}_scale'),
                 numpy_helper.from_array(zero_point, f'{b}_zero_point')]
        nodes += [
            helper.make_node('MatMulInteger', [aq, f'{b}_quantized', azp, f'{b}_zero_point'], [f'{y}_output_quantized'], name=f'{n.name}_quant'),
            helper.make_node('Cast', [f'{y}_output_quantized'], [f'{y}_output_quantized_cast_output'], name=f'{n.name}_quant_output_quantized_cast',
                             to=TensorProto.FLOAT),
            helper.make_node('Mul', [ascale, f'{b}_scale'], [f'{n.name}_quant_scales_mul:0'], name=f'{n.name}_quant_scales_mul'),
            helper.make_node('Mul', [f'{y}_output_quantized_cast_output', f'{n.name}_quant_scales_mul:0'], [y], name=f'{n.name}_quant_output_scale_mul'),
        ]
        return nodes, inits

    return _rewrite_weight_matmuls(model, replace)


def to_q4(model, block=32):
    """MatMul4BitsQuantizer(block_size=32, is_symmetric=False), as described in the module docstring."""

    def replace(n, w):  # w: [K, N]
        k, ncols = w.shape
        blocks = (k + block - 1) // block
        padded = np.zeros((blocks * block, ncols), np.float32)
        padded[:k] = w
        wt = padded.T.reshape(ncols, blocks, block)  # [N, blocks, 32]
        rmin = np.minimum(wt.min(axis=2), 0)
        rmax = np.maximum(wt.max(axis=2), 0)
        scale = ((rmax - rmin) / 15).astype(np.float32)
        scale[scale == 0] = 1
        zp = np.clip(np.round(-rmin / scale), 0, 15).astype(np.uint8)
        q = np.clip(np.round(wt / scale[..., None]) + zp[..., None], 0, 15).astype(np.uint8)
        packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)  # [N, blocks, 16]
        if blocks % 2:  # zero points: two per byte along K for each column n, rows padded to whole bytes
            zp_even = np.concatenate([zp, np.zeros((ncols, 1), np.uint8)], axis=1)
        else:
            zp_even = zp
        zpacked = (zp_even[:, 0::2] | (zp_even[:, 1::2] << 4)).astype(np.uint8).reshape(-1)  # [N * ceil(blocks / 2)]
        b = n.input[1]
        inits = [numpy_helper.from_array(packed, f'{b}_Q4'), numpy_helper.from_array(scale.reshape(-1), f'{b}_scales'),
                 numpy_helper.from_array(zpacked, f'{b}_zero_points')]
        node = helper.make_node('MatMulNBits', [n.input[0], f'{b}_Q4', f'{b}_scales', f'{b}_zero_points'], list(n.output),
                                name=f'{n.name}_Q4', domain='com.microsoft', K=k, N=ncols, bits=4, block_size=block)
        return [node], inits

    m = _rewrite_weight_matmuls(model, replace)
    if not any(o.domain == 'com.microsoft' for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid('com.microsoft', 1))
    return m


# ----------------------------------------------------------------------------- main

def reference(family, model, pre, out):
    os.makedirs(out, exist_ok=True)
    paths = make_images(os.path.join('/tmp', f'mmvp-tap-variant-images-{family}'))[:2]
    pixel_values = np.stack([pil_preprocess(p, pre) for p in paths])
    with torch.no_grad():
        if family == 'clip':
            _, _, hidden = model.vision_model(torch.from_numpy(pixel_values))
        else:
            _, _, hidden = model.forward_all(torch.from_numpy(pixel_values))
    np.save(os.path.join(out, 'pixel_values.npy'), pixel_values)
    np.save(os.path.join(out, 'hidden_states.npy'), torch.stack(hidden).numpy())  # [L+1, B, T, D]


def main():
    os.makedirs(ROOT, exist_ok=True)
    made = []
    for family, build, graph in [('clip', fresh_clip, 'vision_model'), ('dinov2', fresh_dinov2, 'model')]:
        model = build()
        base = None
        for variant, opset in [('shared-identity', 17), ('opset14', 14), ('opset11', 11)]:
            folder = os.path.join(ROOT, f'{family}-{variant}')
            pre = write_folder(family, model, folder)
            path = os.path.join(folder, 'onnx', f'{graph}.onnx')
            export(family, model, path, opset)
            made.append(path)
            if variant == 'shared-identity':
                base = onnx.load(path)
                reference(family, model, pre, os.path.join(ROOT, 'reference', family))
        for variant, suffix, transform in [('fp16', '_fp16', to_float16), ('int8', '_int8', to_int8),
                                           ('int8-full-range', '_int8', lambda m: to_int8(m, 'u8s8-full-range-per-tensor')),
                                           ('uint8', '_uint8', lambda m: to_int8(m, 'u8u8-per-tensor')), ('q4', '_q4', to_q4)]:
            folder = os.path.join(ROOT, f'{family}-{variant}')
            write_folder(family, model, folder)
            path = os.path.join(folder, 'onnx', f'{graph}{suffix}.onnx')
            out = transform(base)
            onnx.checker.check_model(out)
            onnx.save(out, path)
            made.append(path)
    for path in made:
        print(f'{os.path.getsize(path):8d} {path}')


def convert(source, variant, destination):
    """One dtype variant of an existing export (used by `pnpm bench encoders` on a ViT-B/16-sized CLIP)."""
    transform = {'fp16': to_float16, 'int8': to_int8, 'int8-full-range': lambda m: to_int8(m, 'u8s8-full-range-per-tensor'),
                 'uint8': lambda m: to_int8(m, 'u8u8-per-tensor'), 'q4': to_q4}[variant]
    out = transform(onnx.load(source))
    onnx.checker.check_model(out)
    onnx.save(out, destination)
    print(f'{os.path.getsize(destination):10d} {destination}')


if __name__ == '__main__':
    import argparse
    parser = argparse.ArgumentParser(description='tap-variant fixtures (no arguments), or --convert one export to a dtype variant')
    parser.add_argument('--convert', metavar='SRC.onnx', help='an ONNX file to convert instead of writing the fixtures')
    parser.add_argument('--variant', choices=['fp16', 'int8', 'int8-full-range', 'uint8', 'q4'], help='with --convert: the transform (same as the fixtures use)')
    parser.add_argument('--out', metavar='DST.onnx', help='with --convert: where to write the variant')
    args = parser.parse_args()
    if args.convert:
        if not (args.variant and args.out):
            parser.error('--convert needs --variant and --out')
        convert(args.convert, args.variant, args.out)
    else:
        main()
