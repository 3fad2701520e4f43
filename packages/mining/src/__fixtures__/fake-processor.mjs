// A test-only pixel processor: nearest-neighbour resize to size x size, values in [0, 1], [3, H, W].
// Plain JavaScript so decode workers load it without a TypeScript loader.
export function createPixelProcessor(options) {
  const size = options?.size ?? 8;
  return {
    process(image) {
      const out = new Float32Array(3 * size * size); // [3, size, size]
      for (let y = 0; y < size; y++) {
        const sy = Math.min(image.height - 1, Math.floor(((y + 0.5) * image.height) / size));
        for (let x = 0; x < size; x++) {
          const sx = Math.min(image.width - 1, Math.floor(((x + 0.5) * image.width) / size));
          for (let c = 0; c < 3; c++) out[c * size * size + y * size + x] = image.data[(sy * image.width + sx) * 3 + c] / 255;
        }
      }
      return out;
    },
  };
}
