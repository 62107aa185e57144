;; Loops over linear memory.
;;   wsvm --invoke sum_squares memory.wasm 1000   prints 332833500
;;   wsvm --invoke grow memory.wasm 2             prints 1 (the old size in pages)
;;   wsvm --invoke load memory.wasm 65536         traps: out of bounds memory access
(module
  (memory (export "memory") 1 4)

  ;; Stores i*i at word i for i in [0, n), then sums the words back (mod 2^32).
  (func (export "sum_squares") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (block $filled
      (loop $fill
        (br_if $filled (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.shl (local.get $i) (i32.const 2))
                   (i32.mul (local.get $i) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fill)))
    (local.set $i (i32.const 0))
    (block $summed
      (loop $sum
        (br_if $summed (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum)
                                 (i32.load (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $sum)))
    (local.get $sum))

  (func (export "grow") (param $pages i32) (result i32)
    (memory.grow (local.get $pages)))

  (func (export "size") (result i32)
    (memory.size))

  (func (export "load") (param $addr i32) (result i32)
    (i32.load (local.get $addr))))
