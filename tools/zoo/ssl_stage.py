"""Stage B: a tiny self-supervised ViT in the spirit of DINOv2, trained on the training split's images only
(no text, no labels, no pair structure).

Objective (two of DINOv2's ingredients, simplified so that it trains in minutes on a CPU):
- image level: two random augmented views of each image (random resized crop, horizontal flip, brightness
  jitter; DINO's standard view augmentations) pulled together and pushed away from the other images of the
  batch (InfoNCE on the CLS token through a small projection head, temperature 0.2), and
- patch level: masked image modelling as in iBOT/SimMIM (DINOv2's patch objective): 30% of the patches of a
  third view are blanked and their pixels are predicted from the output patch tokens (linear head, L2 loss).
The architecture is helper B's HF-named Dinov2Model, so the export is a stock DINOv2 folder.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

from common import imagenet_pixels, log, tm


def augment(pixels, generator):
    """Random resized crop (area 0.5-1), horizontal flip, brightness x[0.8, 1.2]: [B, 3, S, S] -> [B, 3, S, S]."""
    b = pixels.shape[0]
    scale = torch.sqrt(torch.empty(b).uniform_(0.5, 1.0, generator=generator))  # side fraction
    shift_x = (torch.rand(b, generator=generator) * 2 - 1) * (1 - scale)
    shift_y = (torch.rand(b, generator=generator) * 2 - 1) * (1 - scale)
    flip = torch.where(torch.rand(b, generator=generator) < 0.5, -1.0, 1.0)
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0] = scale * flip
    theta[:, 1, 1] = scale
    theta[:, 0, 2] = shift_x
    theta[:, 1, 2] = shift_y
    grid = F.affine_grid(theta, list(pixels.shape), align_corners=False)
    out = F.grid_sample(pixels, grid, mode='bilinear', padding_mode='border', align_corners=False)
    return out * torch.empty(b, 1, 1, 1).uniform_(0.8, 1.2, generator=generator)


def patchify(pixels, patch):
    b, c, h, w = pixels.shape
    x = pixels.reshape(b, c, h // patch, patch, w // patch, patch).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(b, (h // patch) * (w // patch), c * patch * patch)  # [B, N, 3*p*p]


def train_ssl(images, *, seed, steps, batch_size, lr=1e-3, mask_ratio=0.3, temperature=0.2, patch=8, width=64, layers=4):
    torch.manual_seed(seed)
    size = images.shape[-1]
    # Pretraining grid 9x9 (72 px) and 64 px inputs: position embeddings are always interpolated, in eager
    # training and in the traced ONNX alike (as for the real 518 -> 224 case), so both see the same thing.
    config = tm.dinov2_config(image_size=size + patch, patch_size=patch, hidden_size=width, num_layers=layers, num_heads=4)
    model = tm.build_dinov2(config, seed=seed).train()
    d = config['hidden_size']
    head = nn.Sequential(nn.Linear(d, 128), nn.GELU(), nn.Linear(128, 64))
    decoder = nn.Linear(d, 3 * patch * patch)
    parameters = list(model.parameters()) + list(head.parameters()) + list(decoder.parameters())
    optimizer = torch.optim.AdamW(parameters, lr=lr, weight_decay=0.05)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=max(steps, 40), pct_start=0.05)
    generator = torch.Generator().manual_seed(seed)
    grid = (size // patch) ** 2
    losses = []
    for step in range(steps):
        index = torch.randperm(images.shape[0], generator=generator)[:batch_size]
        pixels = imagenet_pixels(images[index])  # [B, 3, S, S]
        view_a, view_b = augment(pixels, generator), augment(pixels, generator)
        cls_a = model(view_a)[1]  # [B, D]
        cls_b = model(view_b)[1]
        za, zb = F.normalize(head(cls_a), dim=-1), F.normalize(head(cls_b), dim=-1)  # [B, 64]
        logits = za @ zb.t() / temperature  # [B, B]
        labels = torch.arange(za.shape[0])
        contrastive = 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels))
        # masked image modelling on an unaugmented view
        mask = torch.rand(pixels.shape[0], grid, generator=generator) < mask_ratio  # [B, N]
        side = size // patch
        pixel_mask = mask.view(-1, 1, side, 1, side, 1).expand(-1, 3, side, patch, side, patch).reshape(pixels.shape)
        masked = pixels.masked_fill(pixel_mask, 0.0)  # blanked patches = the mean colour
        tokens = model(masked)[0][:, 1:]  # [B, N, D]
        prediction = decoder(tokens)  # [B, N, 3*p*p]
        target = patchify(pixels, patch)
        reconstruction = ((prediction - target) ** 2).mean(-1)[mask].mean()
        loss = contrastive + reconstruction
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append((loss.item(), contrastive.item(), reconstruction.item()))
        if step % 50 == 0 or step == steps - 1:
            log(f'ssl step {step}/{steps} loss {loss.item():.3f} (contrastive {contrastive.item():.3f}, masked pixels {reconstruction.item():.3f})')
    model.eval()
    tail = losses[-20:]
    return model, {'final_loss': sum(l[0] for l in tail) / len(tail), 'final_contrastive': sum(l[1] for l in tail) / len(tail),
                   'final_masked_pixels': sum(l[2] for l in tail) / len(tail), 'steps': steps, 'batch_size': batch_size, 'lr': lr,
                   'mask_ratio': mask_ratio, 'temperature': temperature}


def export_ssl(model, folder, size):
    tm.export_dinov2(model, folder, preprocess_size=size, crop_size=size)
