"""Pillow reference fixtures for @mmvp/image (and the sample image of the README).

Run from the repository root with Debian's Python (Pillow 9.4, numpy):

    /usr/bin/python3 tools/make_image_fixtures.py

It writes
  packages/image/src/__fixtures__/pillow/inputs/*      the input images (PNG, plus one EXIF-rotated JPEG)
  packages/image/src/__fixtures__/pillow/*.png         Pillow's uint8 outputs (lossless PNG, written by Pillow)
  packages/image/src/__fixtures__/pillow/*.npy.gz      float32 pixel_values (gzip-compressed NumPy .npy)
  packages/image/src/__fixtures__/pillow/manifest.json what each case is and which files hold it
  assets/samples/photo.jpg                             a procedural photo-like sample image

Two kinds of cases:
  * "resize": Pillow's `Image.resize((w, h), resample)` on an RGB image, for the nearest (0),
    bilinear (2) and bicubic (3) filters (some also lanczos 1, box 4, hamming 5) and scale factors
    from 1/8 to x7, in each axis separately.
  * "process": what Hugging Face's CLIPImageProcessor / BitImageProcessor produce for the committed
    configs/preprocessors/*/preprocessor_config.json (transformers is not installed here, so the
    processor's steps are written out below with the same arithmetic): convert('RGB'), shortest-edge
    resize (`get_resize_output_image_size`), center crop (HF floor offset, or torchvision's round
    offset), rescale (float64 multiply, cast to float32), normalize in float32, HWC -> CHW. Some
    cases first pad to a square with the mean colour as LLaVA-1.5's `expand2square` does.
    Each stores the resized uint8 image [H, W, 3] and the pixel_values float32 [3, H, W] (losslessly
    as crop offsets + a per-channel table of the 256 levels; a few cases also as the whole tensor).

EXIF orientation: the JPEG case is transposed with ImageOps.exif_transpose before processing, because
@mmvp/image applies the orientation when it decodes (plain Image.open would not).
"""

import gzip
import io
import json
import math
import os

import numpy as np
from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'packages', 'image', 'src', '__fixtures__', 'pillow')
INPUTS = os.path.join(OUT, 'inputs')
CONFIGS = {
    'clip-224': os.path.join('configs', 'preprocessors', 'clip-vit-large-patch14', 'preprocessor_config.json'),
    'clip-336': os.path.join('configs', 'preprocessors', 'clip-vit-large-patch14-336', 'preprocessor_config.json'),
    'dinov2': os.path.join('configs', 'preprocessors', 'dinov2-large', 'preprocessor_config.json'),
}


# ----------------------------------------------------------------------------------------------
# procedural images


def photo_like(width, height, seed):
    """Smooth gradients (sky, ground), a soft sun, textured regions, hard-edged shapes and grain."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    u, v = x / max(width - 1, 1), y / max(height - 1, 1)
    horizon = 0.55 + 0.08 * np.sin(u * 7.0 + seed)
    sky = np.stack([0.35 + 0.4 * v, 0.55 + 0.3 * v, 0.95 - 0.2 * v], axis=-1)
    ground = np.stack([0.25 + 0.2 * u, 0.45 - 0.15 * v, 0.15 + 0.1 * u], axis=-1)
    grass = 0.08 * np.sin(x * 1.7 + np.sin(y * 0.9) * 3.0)[..., None] * np.array([0.5, 1.0, 0.3])
    image = np.where((v < horizon)[..., None], sky, ground + grass)
    sun = np.exp(-(((u - 0.75) ** 2 + (v - 0.2) ** 2) / 0.004))
    image += sun[..., None] * np.array([1.0, 0.85, 0.4])
    # a house: a rectangle with a darker roof triangle and a window
    house = (u > 0.15) & (u < 0.42) & (v > 0.45) & (v < 0.85)
    roof = (v > 0.3) & (v <= 0.45) & (np.abs(u - 0.285) < (v - 0.3) * 1.0)
    window = (u > 0.22) & (u < 0.3) & (v > 0.55) & (v < 0.66)
    image[house] = [0.75, 0.35, 0.25]
    image[roof] = [0.3, 0.15, 0.12]
    image[window] = [0.95, 0.95, 0.6]
    # a textured round bush with fine detail
    bush = ((u - 0.62) ** 2 + ((v - 0.72) * 1.4) ** 2) < 0.012
    image[bush] = (np.array([0.1, 0.45, 0.12]) + 0.15 * np.sin(x * 2.3)[..., None] * np.sin(y * 2.9)[..., None])[bush]
    return Image.fromarray(np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8), 'RGB')


def noise(width, height, seed, band=None):
    """Uniform random pixels; with `band` only rows [band[0], band[1]) are random (the rest flat grey)."""
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    if band is not None:
        image[: band[0]] = 128
        image[band[1]:] = 128
    return Image.fromarray(image, 'RGB')


def checker(width, height, cell, colors):
    y, x = np.mgrid[0:height, 0:width]
    index = ((x // cell) + (y // cell)) % len(colors)
    return Image.fromarray(np.array(colors, dtype=np.uint8)[index], 'RGB')


def stripes(width, height):
    y, x = np.mgrid[0:height, 0:width]
    r = ((x % 7) < 3) * 255
    g = ((y % 5) < 2) * 200 + 30
    b = (((x + y) % 11) < 5) * 180 + 40
    return Image.fromarray(np.stack([r, g, b], axis=-1).astype(np.uint8), 'RGB')


def edges(width, height):
    """Black and white hard edges: bicubic overshoots and Pillow clips, which the port must copy."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.zeros((height, width, 3), np.uint8)
    image[(x // 10) % 2 == 0] = 255
    image[(y > height // 3) & (y < 2 * height // 3)] = [255, 0, 0]
    image[(x - y) ** 2 < 16] = [0, 0, 255]
    return Image.fromarray(image, 'RGB')


def gray(width, height, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    value = 128 + 90 * np.sin(x / 9.0) * np.cos(y / 13.0) + rng.normal(0, 4, (height, width))
    return Image.fromarray(np.clip(value, 0, 255).astype(np.uint8), 'L')


def rgba(width, height):
    base = np.asarray(photo_like(width, height, 5))
    y, x = np.mgrid[0:height, 0:width]
    alpha = ((x * 255) // max(width - 1, 1)).astype(np.uint8)
    alpha[(y // 20) % 2 == 0] = 0  # fully transparent bands keep their colour in Pillow's convert('RGB')
    return Image.fromarray(np.dstack([base, alpha]), 'RGBA')


def gray_alpha(width, height):
    g = np.asarray(gray(width, height, 9))
    alpha = np.full_like(g, 90)
    return Image.fromarray(np.dstack([g, alpha]), 'LA')


def palette(width, height):
    return photo_like(width, height, 11).quantize(colors=32)


# ----------------------------------------------------------------------------------------------
# Hugging Face processor logic (CLIPImageProcessor / BitImageProcessor), written out


def load_config(name):
    with open(os.path.join(ROOT, CONFIGS[name])) as f:
        raw = json.load(f)
    size = raw.get('size', {'shortest_edge': 224})
    if isinstance(size, int):
        size = {'shortest_edge': size}  # get_size_dict(size, default_to_square=False)
    crop = raw.get('crop_size', 224)
    if isinstance(crop, int):
        crop = {'height': crop, 'width': crop}  # get_size_dict(crop_size, default_to_square=True)
    return {
        'size': size,
        'crop': crop,
        'resample': raw.get('resample', 3),
        'do_center_crop': raw.get('do_center_crop', True),
        'rescale_factor': raw.get('rescale_factor', 1 / 255),
        'mean': raw['image_mean'],
        'std': raw['image_std'],
    }


def resize_output_size(width, height, size):
    """transformers.image_transforms.get_resize_output_image_size (default_to_square=False)."""
    if 'height' in size:
        return size['height'], size['width']
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = size['shortest_edge'], int(size['shortest_edge'] * long / short)
    return (new_long, new_short) if width <= height else (new_short, new_long)  # (height, width)


def crop_offset(full, crop, rounding):
    """Top/left offset of the crop; negative when the image is smaller (it is padded with zeros)."""
    if full >= crop:
        # HF: (full - crop) // 2; torchvision: int(round((full - crop) / 2.0)), Python rounds half to even
        return (full - crop) // 2 if rounding == 'floor' else int(round((full - crop) / 2.0))
    # HF pads ceil((crop - full) / 2) before; torchvision pads floor((crop - full) / 2) before
    pad = math.ceil((crop - full) / 2) if rounding == 'floor' else (crop - full) // 2
    return -pad


def center_crop(array, crop, rounding):
    height, width = array.shape[:2]
    top = crop_offset(height, crop['height'], rounding)
    left = crop_offset(width, crop['width'], rounding)
    out = np.zeros((crop['height'], crop['width'], 3), np.uint8)
    for yy in range(crop['height']):
        y = yy + top
        if 0 <= y < height:
            x0, x1 = max(0, left), min(width, left + crop['width'])
            out[yy, x0 - left:x1 - left] = array[y, x0:x1]
    return out, top, left


def expand_to_square(image, mean):
    """LLaVA-1.5 expand2square with background tuple(int(x * 255) for x in image_mean)."""
    background = tuple(int(x * 255) for x in mean)
    width, height = image.size
    if width == height:
        return image
    side = max(width, height)
    result = Image.new(image.mode, (side, side), background)
    result.paste(image, (0, (side - height) // 2) if width > height else ((side - width) // 2, 0))
    return result


def hf_process(image, config, rounding, pad_square):
    image = image.convert('RGB')  # do_convert_rgb (transformers' convert_to_rgb: drops alpha)
    if pad_square:
        image = expand_to_square(image, config['mean'])
    height, width = resize_output_size(image.width, image.height, config['size'])
    resized = np.asarray(image.resize((width, height), resample=config['resample']))
    cropped, top, left = center_crop(resized, config['crop'], rounding) if config['do_center_crop'] else (resized, 0, 0)
    scaled = (cropped.astype(np.float64) * config['rescale_factor']).astype(np.float32)
    mean = np.array(config['mean'], dtype=np.float32)
    std = np.array(config['std'], dtype=np.float32)
    normalized = (scaled - mean) / std
    assert normalized.dtype == np.float32
    return resized, np.ascontiguousarray(normalized.transpose(2, 0, 1)), (top, left)


# ----------------------------------------------------------------------------------------------


def save_png(name, array):
    """uint8 references go out as PNG: lossless, and 2-3x smaller than a gzipped .npy of the same pixels."""
    assert array.dtype == np.uint8 and array.ndim == 3 and array.shape[2] == 3
    Image.fromarray(array, 'RGB').save(os.path.join(OUT, name), optimize=True)
    return name


def save_npy_gz(name, array):
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array))
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(gzip.compress(buffer.getvalue(), compresslevel=9, mtime=0))
    return name


def main():
    os.makedirs(INPUTS, exist_ok=True)
    inputs = {
        'photo-300x225.png': photo_like(300, 225, 1),
        'photo-portrait-181x263.png': photo_like(181, 263, 2),
        'gray-240x180.png': gray(240, 180, 3),
        'rgba-200x200.png': rgba(200, 200),
        'gray-alpha-101x130.png': gray_alpha(101, 130),
        'palette-120x90.png': palette(120, 90),
        'noise-band-300x300.png': noise(300, 300, 4, band=(120, 180)),
        'checker-97x61.png': checker(97, 61, 6, [[255, 255, 255], [20, 40, 200], [230, 30, 30]]),
        'stripes-225x229.png': stripes(225, 229),
        'wide-280x100.png': photo_like(280, 100, 6),
        'tall-90x250.png': photo_like(90, 250, 7),
        'edges-150x150.png': edges(150, 150),
        'tiny-16x12.png': checker(16, 12, 3, [[250, 250, 240], [10, 10, 10], [200, 120, 40], [40, 160, 220]]),
    }
    for name, image in inputs.items():
        image.save(os.path.join(INPUTS, name), optimize=True)

    # A large JPEG whose pixels are stored sideways with EXIF orientation 6 (rotate 90 clockwise to view).
    upright = photo_like(600, 800, 12)  # what the viewer should see: portrait 600x800
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # 800x600 on disk
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(os.path.join(INPUTS, 'photo-exif6-800x600.jpg'), quality=90, exif=exif.tobytes())

    def open_input(name):
        image = Image.open(os.path.join(INPUTS, name))
        image.load()
        return ImageOps.exif_transpose(image) if name.endswith('.jpg') else image

    manifest = {'pillow': Image.__version__, 'numpy': np.__version__, 'resize': [], 'process': [], 'decode': [], 'levels': {}}

    # decode reference of the JPEG (after exif_transpose), so decode differences are visible on their own
    decoded = np.asarray(open_input('photo-exif6-800x600.jpg').convert('RGB'))
    manifest['decode'].append({'input': 'photo-exif6-800x600.jpg', 'rgb': save_png('decode-photo-exif6.png', decoded)})

    # resize-only cases: (input, (width, height) target)
    resize_cases = [
        ('photo-300x225.png', (37, 28)),  # down x8
        ('photo-300x225.png', (290, 220)),  # down slightly
        ('photo-300x225.png', (150, 300)),  # down in x, up in y
        ('noise-band-300x300.png', (61, 59)),  # down ~x5, odd
        ('photo-portrait-181x263.png', (180, 264)),  # tiny down / tiny up
        ('checker-97x61.png', (211, 139)),  # up ~x2.2
        ('tiny-16x12.png', (113, 37)),  # up x7 / x3
        ('edges-150x150.png', (64, 64)),  # down x2.3 with clipping overshoot
        ('stripes-225x229.png', (224, 224)),  # tiny down
        ('wide-280x100.png', (40, 200)),
    ]
    for index, (input_name, (width, height)) in enumerate(resize_cases):
        source = open_input(input_name).convert('RGB')
        # every case with nearest, bilinear, bicubic; the first four also with lanczos, box and hamming
        for resample in (0, 2, 3) + ((1, 4, 5) if index < 4 else ()):
            out = np.asarray(source.resize((width, height), resample=resample))
            stem = f"resize-{input_name.rsplit('.', 1)[0]}-{width}x{height}-r{resample}"
            manifest['resize'].append({
                'input': input_name, 'width': width, 'height': height, 'resample': resample,
                'expected': save_png(stem + '.png', out),
            })

    # processor cases
    process_cases = [(name, config, 'floor', False) for name in list(inputs) + ['photo-exif6-800x600.jpg'] for config in CONFIGS]
    process_cases += [
        ('photo-300x225.png', 'clip-336', 'floor', True),  # LLaVA-1.5 pad + CLIP-336
        ('tall-90x250.png', 'clip-336', 'floor', True),
        ('wide-280x100.png', 'clip-224', 'floor', True),
        # torchvision's round offset; the manifest records the offsets (floor and round differ on some)
        ('stripes-225x229.png', 'clip-224', 'round', False),
        ('photo-300x225.png', 'clip-224', 'round', False),
        ('photo-portrait-181x263.png', 'dinov2', 'round', False),
        ('tall-90x250.png', 'clip-224', 'round', False),
    ]
    # The float tensors are large and barely compress, so every case stores them losslessly as the
    # crop offsets plus a [3, 256] table `levels` with pixel_values[c, y, x] == levels[c, crop[y, x, c]]
    # (asserted here, bit for bit); the cases marked in FULL also store the whole tensor.
    full = {('photo-300x225.png', 'clip-224', 'floor', False), ('photo-exif6-800x600.jpg', 'clip-336', 'floor', False),
            ('rgba-200x200.png', 'dinov2', 'floor', False), ('tall-90x250.png', 'clip-336', 'floor', True),
            ('stripes-225x229.png', 'clip-224', 'round', False)}
    for input_name, config_name, rounding, pad_square in process_cases:
        config = load_config(config_name)
        resized, pixel_values, (top, left) = hf_process(open_input(input_name), config, rounding, pad_square)
        stem = f"process-{input_name.rsplit('.', 1)[0]}-{config_name}" + ('-pad' if pad_square else '')
        levels = np.stack([
            ((np.arange(256, dtype=np.float64) * config['rescale_factor']).astype(np.float32) - np.float32(config['mean'][c])) / np.float32(config['std'][c])
            for c in range(3)
        ]).astype(np.float32)
        cropped, _, _ = center_crop(resized, config['crop'], rounding)
        rebuilt = np.stack([levels[c][cropped[..., c]] for c in range(3)])
        assert np.array_equal(rebuilt.view(np.uint32), pixel_values.view(np.uint32)), stem
        case = {
            'input': input_name, 'config': CONFIGS[config_name].replace(os.sep, '/'), 'cropRounding': rounding,
            'padToSquare': pad_square, 'cropTop': top, 'cropLeft': left,
            'cropHeight': config['crop']['height'], 'cropWidth': config['crop']['width'],
            'resized': stem + '-resized.png',
        }
        manifest['levels'][config_name] = levels.tolist()
        case['levels'] = config_name
        if not os.path.exists(os.path.join(OUT, case['resized'])) or rounding == 'floor':
            save_png(case['resized'], resized)
        if (input_name, config_name, rounding, pad_square) in full:
            case['pixelValues'] = save_npy_gz(stem + ('-round' if rounding == 'round' else '') + '-pixel-values.npy.gz', pixel_values)
        manifest['process'].append(case)

    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump(manifest, f)
        f.write('\n')

    samples = os.path.join(ROOT, 'assets', 'samples')
    os.makedirs(samples, exist_ok=True)
    photo_like(320, 240, 21).save(os.path.join(samples, 'photo.jpg'), quality=88)
    print(f"wrote {len(manifest['resize'])} resize and {len(manifest['process'])} process cases to {OUT}")


if __name__ == '__main__':
    main()
