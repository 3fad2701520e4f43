;; Token kernels of Mixture-of-Features on float32 data in one linear memory (the arena's).
;; All pointers are byte offsets into the imported memory; counts are in floats.
;; Built into src/wasm/token-kernels-wasm.ts by scripts/build-wasm.mjs (`pnpm build`).
(module
  (import "env" "memory" (memory 1))

  ;; out[i] = f32(keep * a[i]) + f32(take * b[i]) for i < count (keep = f32(1 - r), take = f32(r)).
  ;; f32x4.mul then f32x4.add: two roundings, never fused, as PyTorch's float32 `(1 - r) * a + r * b`.
  ;; The main loop handles 16 floats (4 vectors) per step; the tail goes one float at a time.
  (func (export "additive_mix") (param $a i32) (param $b i32) (param $out i32) (param $count i32) (param $keep f32) (param $take f32)
    (local $k v128) (local $t v128) (local $end i32) (local $blockEnd i32)
    (local.set $k (f32x4.splat (local.get $keep)))
    (local.set $t (f32x4.splat (local.get $take)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $blockEnd (i32.add (local.get $out) (i32.shl (i32.and (local.get $count) (i32.const -16)) (i32.const 2))))
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.ge_u (local.get $out) (local.get $blockEnd)))
        (v128.store offset=0 (local.get $out)
          (f32x4.add (f32x4.mul (local.get $k) (v128.load offset=0 (local.get $a))) (f32x4.mul (local.get $t) (v128.load offset=0 (local.get $b)))))
        (v128.store offset=16 (local.get $out)
          (f32x4.add (f32x4.mul (local.get $k) (v128.load offset=16 (local.get $a))) (f32x4.mul (local.get $t) (v128.load offset=16 (local.get $b)))))
        (v128.store offset=32 (local.get $out)
          (f32x4.add (f32x4.mul (local.get $k) (v128.load offset=32 (local.get $a))) (f32x4.mul (local.get $t) (v128.load offset=32 (local.get $b)))))
        (v128.store offset=48 (local.get $out)
          (f32x4.add (f32x4.mul (local.get $k) (v128.load offset=48 (local.get $a))) (f32x4.mul (local.get $t) (v128.load offset=48 (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 64)))
        (local.set $b (i32.add (local.get $b) (i32.const 64)))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (br $blocks)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $out) (local.get $end)))
        (f32.store (local.get $out)
          (f32.add (f32.mul (local.get $keep) (f32.load (local.get $a))) (f32.mul (local.get $take) (f32.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $tail))))

  ;; I-MoF order: a, b [rows, width] -> out [2 * rows, width] = a0, b0, a1, b1, ...
  ;; Pure data movement: two bulk memory.copy per token row.
  (func (export "interleave") (param $a i32) (param $b i32) (param $out i32) (param $rows i32) (param $width i32)
    (local $rowBytes i32) (local $end i32)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (local.set $end (i32.add (local.get $a) (i32.mul (local.get $rows) (local.get $rowBytes))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (memory.copy (local.get $out) (local.get $a) (local.get $rowBytes))
        (memory.copy (i32.add (local.get $out) (local.get $rowBytes)) (local.get $b) (local.get $rowBytes))
        (local.set $a (i32.add (local.get $a) (local.get $rowBytes)))
        (local.set $b (i32.add (local.get $b) (local.get $rowBytes)))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $rowBytes) (i32.const 1))))
        (br $row)))))
