"""Stage B: a tiny self-supervised ViT in the spirit of DINOv2, trained on the training split's images only
(no text, no labels, no pair structure).

Objective: DINOv2's three ingredients, at toy scale:
- image level: two random augmented views of each image (random resized crop, horizontal flip, brightness
  jitter: DINO's view augmentations, flips included) pulled together and pushed away from the other images of
  the batch: InfoNCE on the CLS token through a small projection head (temperature 0.2). DINOv2 uses DINO's
  self-distillation here; InfoNCE is kept because it converges in a few hundred CPU steps at batch 128.
- patch level (what MoF takes from DINOv2): iBOT masked-image self-distillation. A random 10-50% of the
  student's patches are replaced by the mask token; an EMA teacher sees the same view unmasked; on the masked
  patches the student's patch-head distribution must match the teacher's centred and sharpened one
  (cross-entropy over 256 prototypes, teacher temperature 0.05, student 0.1, centre momentum 0.9).
- KoLeo regulariser on the student's CLS features (spreads them in the batch; weight 0.1, as DINOv2).
The architecture is helper B's HF-named Dinov2Model (its mask_token is the one iBOT trains), so the export is a
stock DINOv2 folder. `objective='simmim'` reproduces the previous zoo's patch loss (masked pixel regression).
"""
import copy
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


def forward_masked(model, pixels, mask=None):
    """Dinov2Model with transformers' bool_masked_pos (tiny_models.Dinov2Embeddings): (CLS [B, D], patches [B, N, D])."""
    last = model.forward_all(pixels, mask)[0]  # [B, N+1, D]
    return last[:, 0], last[:, 1:]


def koleo(features, eps=1e-8):
    """KoLeo (Sablayrolles et al.; DINOv2): -mean log distance of each L2-normalised feature to its nearest
    neighbour in the batch. features [B, D]."""
    x = F.normalize(features, dim=-1, eps=eps)
    distances = torch.cdist(x, x)  # [B, B]
    distances = distances + torch.eye(x.shape[0]) * 1e9  # not its own neighbour
    return -torch.log(distances.min(dim=1).values + eps).mean()


def random_masks(b, grid, generator, low=0.1, high=0.5):
    """Per-image mask ratios uniform in [low, high] (iBOT/DINOv2 draw 0.1-0.5): bool [B, N], at least one patch."""
    ratios = torch.empty(b).uniform_(low, high, generator=generator)
    scores = torch.rand(b, grid, generator=generator)
    counts = (ratios * grid).round().clamp(min=1).long()
    ranks = scores.argsort(dim=1).argsort(dim=1)
    return ranks < counts.unsqueeze(1)


def train_ssl(images, *, seed, steps, batch_size, lr=1e-3, objective='ibot', temperature=0.2, patch=8, width=64, layers=4,
              prototypes=256, teacher_temperature=0.05, student_temperature=0.1, koleo_weight=0.1, ema_start=0.99):
    torch.manual_seed(seed)
    size = images.shape[-1]
    # Pretraining grid 9x9 (72 px) and 64 px inputs: position embeddings are always interpolated, in eager
    # training and in the traced ONNX alike (as for the real 518 -> 224 case), so both see the same thing.
    config = tm.dinov2_config(image_size=size + patch, patch_size=patch, hidden_size=width, num_layers=layers, num_heads=4)
    model = tm.build_dinov2(config, seed=seed).train()
    d = config['hidden_size']
    head = nn.Sequential(nn.Linear(d, 128), nn.GELU(), nn.Linear(128, 64))
    if objective == 'ibot':
        patch_head = nn.Sequential(nn.Linear(d, 128), nn.GELU(), nn.Linear(128, prototypes))
        teacher, teacher_head = copy.deepcopy(model).eval(), copy.deepcopy(patch_head)
        for p in list(teacher.parameters()) + list(teacher_head.parameters()):
            p.requires_grad_(False)
        center = torch.zeros(prototypes)
    else:
        patch_head = nn.Linear(d, 3 * patch * patch)
    parameters = list(model.parameters()) + list(head.parameters()) + list(patch_head.parameters())
    optimizer = torch.optim.AdamW(parameters, lr=lr, weight_decay=0.05)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=max(steps, 40), pct_start=0.05)
    generator = torch.Generator().manual_seed(seed)
    grid = (size // patch) ** 2
    side = size // patch
    losses = []
    for step in range(steps):
        index = torch.randperm(images.shape[0], generator=generator)[:batch_size]
        pixels = imagenet_pixels(images[index])  # [B, 3, S, S]
        view_a, view_b = augment(pixels, generator), augment(pixels, generator)
        if objective == 'ibot':
            mask = random_masks(pixels.shape[0], grid, generator)  # [B, N]
            cls_a, patches_a = forward_masked(model, view_a, mask)  # student sees view a masked
            cls_b, _ = forward_masked(model, view_b)
        else:
            cls_a, cls_b = forward_masked(model, view_a)[0], forward_masked(model, view_b)[0]
        za, zb = F.normalize(head(cls_a), dim=-1), F.normalize(head(cls_b), dim=-1)  # [B, 64]
        logits = za @ zb.t() / temperature  # [B, B]
        labels = torch.arange(za.shape[0])
        contrastive = 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels))
        if objective == 'ibot':
            with torch.no_grad():
                teacher_logits = teacher_head(forward_masked(teacher, view_a)[1])[mask]  # [M, K] unmasked view a
                targets = F.softmax((teacher_logits - center) / teacher_temperature, dim=-1)
                center = 0.9 * center + 0.1 * teacher_logits.mean(0)
            student = F.log_softmax(patch_head(patches_a[mask]) / student_temperature, dim=-1)  # [M, K]
            patch_loss = -(targets * student).sum(-1).mean()
            regulariser = koleo_weight * 0.5 * (koleo(cls_a) + koleo(cls_b))
        else:  # the previous zoo: masked pixel regression on an unaugmented view (SimMIM)
            mask = torch.rand(pixels.shape[0], grid, generator=generator) < 0.3  # [B, N]
            pixel_mask = mask.view(-1, 1, side, 1, side, 1).expand(-1, 3, side, patch, side, patch).reshape(pixels.shape)
            tokens = forward_masked(model, pixels.masked_fill(pixel_mask, 0.0))[1]  # [B, N, D]
            patch_loss = ((patch_head(tokens) - patchify(pixels, patch)) ** 2).mean(-1)[mask].mean()
            regulariser = torch.tensor(0.0)
        loss = contrastive + patch_loss + regulariser
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if objective == 'ibot':  # EMA teacher, momentum ema_start -> 1 on a cosine (DINO)
            momentum = 1 - (1 - ema_start) * (math.cos(math.pi * step / max(1, steps)) + 1) / 2
            with torch.no_grad():
                for t, s in zip(list(teacher.parameters()) + list(teacher_head.parameters()), list(model.parameters()) + list(patch_head.parameters())):
                    t.mul_(momentum).add_(s.detach(), alpha=1 - momentum)
        losses.append((loss.item(), contrastive.item(), patch_loss.item(), regulariser.item()))
        if step % 50 == 0 or step == steps - 1:
            log(f'ssl step {step}/{steps} loss {loss.item():.3f} (contrastive {contrastive.item():.3f}, {objective} patch {patch_loss.item():.3f}, koleo {regulariser.item():.3f})')
    model.eval()
    tail = losses[-20:]
    mean = lambda k: sum(l[k] for l in tail) / len(tail)
    curve = [{'step': s, 'loss': round(sum(l[0] for l in losses[s:s + 50]) / len(losses[s:s + 50]), 4),
              'patch': round(sum(l[2] for l in losses[s:s + 50]) / len(losses[s:s + 50]), 4)} for s in range(0, steps, 50)]
    return model, {'objective': objective, 'final_loss': mean(0), 'final_contrastive': mean(1), 'final_patch': mean(2), 'final_koleo': mean(3),
                   'steps': steps, 'batch_size': batch_size, 'lr': lr, 'temperature': temperature, 'curve': curve,
                   **({'prototypes': prototypes, 'teacher_temperature': teacher_temperature, 'student_temperature': student_temperature,
                       'koleo_weight': koleo_weight, 'ema_start': ema_start, 'mask_ratio': '0.1-0.5 per image'} if objective == 'ibot' else {'mask_ratio': 0.3})}


def export_ssl(model, folder, size):
    tm.export_dinov2(model, folder, preprocess_size=size, crop_size=size)
