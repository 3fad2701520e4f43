"""CMYK JPEG fixtures and Pillow 9.4's RGB pixels for them (decode-image.test.ts).

Run from the repository root with Debian's Python (Pillow 9.4):
    /usr/bin/python3 packages/image/src/__fixtures__/cmyk/make_cmyk_fixtures.py

Writes, next to this script:
- noise-40x30.jpg: a CMYK JPEG (Adobe marker, inverted storage as Photoshop writes it) of random inks;
- noise-40x30-exif6.jpg: the same with EXIF orientation 6 (viewers show it rotated, 30x40);
- *.rgb.npy: uint8 [H, W, 3] = ImageOps.exif_transpose(Image.open(f)).convert('RGB'), i.e. what
  Hugging Face's convert_rgb gives after an upright decode (Pillow's naive CMYK -> RGB, no ICC).
"""
import os

import numpy as np
from PIL import Image, ImageOps

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
inks = rng.integers(0, 256, size=(30, 40, 4), dtype=np.uint8)
inks[:, :, 3] //= 2  # keep black ink moderate so the RGB values spread over the range
image = Image.fromarray(inks, mode='CMYK')
image.save(os.path.join(here, 'noise-40x30.jpg'), quality=95)
exif = Image.Exif()
exif[0x0112] = 6
image.save(os.path.join(here, 'noise-40x30-exif6.jpg'), quality=95, exif=exif.tobytes())

for name in ['noise-40x30.jpg', 'noise-40x30-exif6.jpg']:
    with Image.open(os.path.join(here, name)) as opened:
        assert opened.mode == 'CMYK', opened.mode
        rgb = np.asarray(ImageOps.exif_transpose(opened).convert('RGB'))
    np.save(os.path.join(here, name.replace('.jpg', '.rgb.npy')), rgb)
    print(name, rgb.shape)
