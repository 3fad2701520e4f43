"""Draws the four tiny PNG thumbnails of the report's test fixture (hand-written results folder).

Run from the repository root:  /usr/bin/python3 packages/report/src/__fixtures__/make_fixture_images.py
"""
from pathlib import Path
from PIL import Image, ImageDraw

out = Path(__file__).parent / "results" / "images"
out.mkdir(parents=True, exist_ok=True)


def arrow(direction: str) -> Image.Image:
    image = Image.new("RGB", (48, 48), (235, 235, 235))
    draw = ImageDraw.Draw(image)
    draw.line((10, 24, 38, 24), fill=(30, 60, 160), width=4)
    tip = [(38, 24), (28, 16), (28, 32)] if direction == "right" else [(10, 24), (20, 16), (20, 32)]
    draw.polygon(tip, fill=(30, 60, 160))
    return image


def dots(count: int) -> Image.Image:
    image = Image.new("RGB", (48, 48), (235, 235, 235))
    draw = ImageDraw.Draw(image)
    for index in range(count):
        x = 8 + index * 10
        draw.ellipse((x, 19, x + 8, 27), fill=(200, 40, 40))
    return image


arrow("left").save(out / "0-a.png")
arrow("right").save(out / "0-b.png")
dots(3).save(out / "1-a.png")
dots(4).save(out / "1-b.png")
