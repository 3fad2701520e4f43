"""A minimal safetensors writer (F32 only): 8-byte little-endian header length, JSON header, raw data.
Debian's python3-torch ships without the `safetensors` package."""
import json
import struct


def save_safetensors(tensors, path, metadata=None):
    import torch
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        tensor = tensors[name].detach().cpu().float().contiguous()
        # torch only (no numpy), so weights trained under another torch/numpy build stay portable; x86 is little-endian
        data = bytes(tensor.view(-1).view(torch.uint8).tolist())
        header[name] = {'dtype': 'F32', 'shape': list(tensor.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header['__metadata__'] = {key: str(value) for key, value in metadata.items()}
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def load_safetensors(path):
    """Reads an F32 safetensors file into {name: torch.Tensor} (and its metadata)."""
    import numpy as np
    import torch
    with open(path, 'rb') as f:
        length = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    metadata = header.pop('__metadata__', {})
    tensors = {}
    for name, entry in header.items():
        start, end = entry['data_offsets']
        tensors[name] = torch.from_numpy(np.frombuffer(data[start:end], dtype='<f4').reshape(entry['shape']).copy())
    return tensors, metadata
