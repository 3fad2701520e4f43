"""Writes the .npy and safetensors fixtures that @mmvp/core's tests read (numpy + torch from Debian).

Run: /usr/bin/python3 tools/make_core_fixtures.py   (outputs to packages/core/src/__fixtures__)
The safetensors files are written with the format's published layout (8-byte little-endian header
length, JSON header, raw little-endian data); BF16 bytes come from torch's own bfloat16 conversion.
"""
import json
import os
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "packages", "core", "src", "__fixtures__")
os.makedirs(OUT, exist_ok=True)

rng = np.random.default_rng(0)
f32 = rng.standard_normal((2, 3, 4)).astype(np.float32)
np.save(os.path.join(OUT, "float32_2x3x4.npy"), f32)
np.save(os.path.join(OUT, "int64_5.npy"), np.array([0, -1, 2**40, 7, 49406], dtype=np.int64))
np.save(os.path.join(OUT, "float64_3x2.npy"), rng.standard_normal((3, 2)))
np.save(os.path.join(OUT, "uint8_2x2x3.npy"), np.arange(12, dtype=np.uint8).reshape(2, 2, 3))
np.save(os.path.join(OUT, "float32_scalar.npy"), np.float32(3.5))
np.save(os.path.join(OUT, "fortran.npy"), np.asfortranarray(rng.standard_normal((3, 2)).astype(np.float32)))

values = torch.tensor([[0.0, 1.0, -2.5], [3.140625, 65504.0, 1e-3]], dtype=torch.float32)
entries = {
    "weight_f32": ("F32", values.numpy().astype("<f4").tobytes(), values.numpy()),
    "weight_f16": ("F16", values.numpy().astype("<f2").tobytes(), values.numpy().astype(np.float16).astype(np.float32)),
    "weight_bf16": ("BF16", values.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes(), values.to(torch.bfloat16).float().numpy()),
}
header, blob = {"__metadata__": {"format": "pt"}}, b""
for name in sorted(entries):
    dtype, raw, _ = entries[name]
    header[name] = {"dtype": dtype, "shape": list(values.shape), "data_offsets": [len(blob), len(blob) + len(raw)]}
    blob += raw
text = json.dumps(header).encode()
with open(os.path.join(OUT, "mixed.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + blob)
# The float32 values each dtype should decode to, as numpy computed them.
np.save(os.path.join(OUT, "mixed_expected.npy"), np.stack([entries[n][2] for n in sorted(entries)]).astype(np.float32))
print("wrote", sorted(os.listdir(OUT)))
