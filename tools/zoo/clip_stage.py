"""Stage A: a tiny CLIP trained contrastively on (image, alt-text caption) pairs of the training split.

The captions are helper F's alt-text: they name objects, colours and background and only rarely (about
1 in 8) state the detail a pair differs in. The loss is the standard symmetric InfoNCE over the batch
with a learned temperature, exactly as CLIP; nothing in it looks at the pairs or the patterns.
"""
import torch
import torch.nn.functional as F

import make_tiny_encoders as mte  # helper B: CLIP BPE tokenizer (train_bpe, clip_vocab, reference ids, tokenizer files)
from common import clip_pixels, log, tm


def build_tokenizer(records, max_length, num_merges):
    corpus = '\n'.join([r['caption'] for r in records] + ['a photo of ' + r['statement'] for r in records])
    merges = mte.train_bpe(corpus, num_merges)
    vocab = mte.clip_vocab(merges)
    return vocab, merges


def encode_texts(texts, vocab, merges, max_length):
    return torch.tensor([mte.reference_ids(t, vocab, merges, max_length) for t in texts], dtype=torch.int64)  # [B, L]


def train_clip(records, images, *, seed, steps, batch_size, max_length=48, num_merges=500, lr=1e-3, patch=8, width=64, layers=4):
    torch.manual_seed(seed)
    vocab, merges = build_tokenizer(records, max_length, num_merges)
    size = images.shape[-1]
    config = tm.clip_config(image_size=size, patch_size=patch, vision_hidden=width, vision_layers=layers, vision_heads=4,
                            text_hidden=width, text_layers=2, text_heads=4, vocab_size=len(vocab),
                            max_position_embeddings=max_length, projection_dim=64,
                            bos_token_id=vocab['<|startoftext|>'], eos_token_id=vocab['<|endoftext|>'])
    model = tm.build_clip(config, seed=seed).train()
    captions = encode_texts([r['caption'] for r in records], vocab, merges, max_length)  # [N, L]
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.05)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=max(steps, 40), pct_start=0.05)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    for step in range(steps):
        index = torch.randperm(len(records), generator=generator)[:batch_size]
        pixels = clip_pixels(images[index])  # [B, 3, S, S]
        _, pooled_image, _ = model.vision_model(pixels)
        _, pooled_text, _ = model.text_model(captions[index])
        image_embeds = F.normalize(model.visual_projection(pooled_image), dim=-1)  # [B, P]
        text_embeds = F.normalize(model.text_projection(pooled_text), dim=-1)  # [B, P]
        logits = model.logit_scale.exp().clamp(max=100) * image_embeds @ text_embeds.t()  # [B, B]
        # Identical captions in one batch are equally right answers (CLIP would call them negatives; with
        # many duplicate alt-texts that only adds noise, so they share the target mass).
        same = (captions[index][:, None, :] == captions[index][None, :, :]).all(-1).float()  # [B, B]
        target = same / same.sum(1, keepdim=True)
        loss = 0.5 * (torch.sum(-target * F.log_softmax(logits, 1), 1).mean() + torch.sum(-target.t() * F.log_softmax(logits.t(), 1), 1).mean())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if step % 50 == 0 or step == steps - 1:
            log(f'clip step {step}/{steps} loss {loss.item():.3f} temperature {1 / model.logit_scale.exp().item():.3f}')
    model.eval()
    return model, vocab, merges, {'final_loss': sum(losses[-20:]) / min(20, len(losses)), 'steps': steps, 'batch_size': batch_size,
                                  'lr': lr, 'max_length': max_length, 'bpe_merges': len(merges)}


def export_clip(model, vocab, merges, max_length, folder):
    tm.export_clip(model, folder)
    mte.write_tokenizer(folder, vocab, merges, max_length)
