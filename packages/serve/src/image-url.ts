import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { supportedImageFormats } from '@mmvp/image';
import { imageSignature } from './image-signature';
import { OpenAiHttpError } from './openai-error';

/**
 * The bytes of one `image_url`: a base64 data URL (`data:image/...;base64,...`), or a `file:` URL
 * inside `fileRoot` when the server allows one. http(s) URLs are refused: the server never fetches.
 * Checked to be at most `maxImageBytes` and to start as an image does (see imageSignature); the
 * pipeline decodes it once, so a request is not decoded twice.
 */
export async function imageBytes(url: string, limits: { maxImageBytes: number; fileRoot?: string | undefined }): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (url.startsWith('data:')) {
    const match = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(url);
    if (match === null || match[2] === undefined) throw new OpenAiHttpError(400, "image_url is a data URL without ';base64,'; send data:image/<type>;base64,<bytes>", { param: 'messages', code: 'invalid_image_url' });
    if (!match[1]!.startsWith('image/'))
      throw new OpenAiHttpError(400, `image_url has media type '${match[1]}', not an image; send data:image/jpeg|png|webp|gif;base64,...`, { param: 'messages', code: 'invalid_image_url' });
    if ((match[3]!.length * 3) / 4 > limits.maxImageBytes) throw new OpenAiHttpError(413, `image is larger than the server's limit of ${limits.maxImageBytes} bytes`, { param: 'messages', code: 'image_too_large' });
    bytes = Buffer.from(match[3]!, 'base64');
  } else if (url.startsWith('file:')) {
    if (limits.fileRoot === undefined)
      throw new OpenAiHttpError(400, 'file: image URLs are refused; send the image as a data URL, or start the server with --allow-file-root DIR', { param: 'messages', code: 'invalid_image_url' });
    let path: string;
    try {
      path = fileURLToPath(url);
    } catch {
      throw new OpenAiHttpError(400, `image_url '${url.slice(0, 100)}' is not a valid file: URL`, { param: 'messages', code: 'invalid_image_url' });
    }
    const inside = relative(resolve(limits.fileRoot), resolve(path));
    if (inside.startsWith('..') || isAbsolute(inside)) throw new OpenAiHttpError(400, 'file: image URL is outside the folder the server allows (--allow-file-root)', { param: 'messages', code: 'invalid_image_url' });
    bytes = await readFile(path).catch(() => {
      throw new OpenAiHttpError(400, 'file: image URL names no readable file', { param: 'messages', code: 'invalid_image_url' });
    });
    if (bytes.length > limits.maxImageBytes) throw new OpenAiHttpError(413, `image is larger than the server's limit of ${limits.maxImageBytes} bytes`, { param: 'messages', code: 'image_too_large' });
  } else {
    throw new OpenAiHttpError(400, `image_url scheme '${url.split(':')[0]!.slice(0, 20)}' is refused; send the image as a base64 data URL (the server never fetches URLs)`, {
      param: 'messages',
      code: 'invalid_image_url',
    });
  }
  if (bytes.length === 0) throw new OpenAiHttpError(400, 'image_url holds no bytes', { param: 'messages', code: 'invalid_image_url' });
  if (imageSignature(bytes) === undefined) throw undecodableImage();
  return bytes;
}

/** The 400 of an image_url whose bytes are no image the pipeline decodes. */
export function undecodableImage(): OpenAiHttpError {
  return new OpenAiHttpError(400, `image_url does not hold an image that can be decoded; send ${supportedImageFormats}`, { param: 'messages', code: 'invalid_image_url' });
}
