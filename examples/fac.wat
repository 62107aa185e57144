;; Factorial in i64, two ways. `wsvm --invoke fac fac.wasm 20` prints 2432902008176640000.
(module
  ;; Recursive: n * fac_rec(n - 1), 1 for n <= 1.
  (func $fac_rec (export "fac_rec") (param $n i64) (result i64)
    (if (result i64) (i64.le_s (local.get $n) (i64.const 1))
      (then (i64.const 1))
      (else (i64.mul (local.get $n)
                     (call $fac_rec (i64.sub (local.get $n) (i64.const 1)))))))

  ;; Iterative: a loop multiplying an accumulator.
  (func $fac_iter (export "fac_iter") (param $n i64) (result i64)
    (local $acc i64)
    (local.set $acc (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i64.le_s (local.get $n) (i64.const 1)))
        (local.set $acc (i64.mul (local.get $acc) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $next)))
    (local.get $acc))

  (func (export "fac") (param $n i64) (result i64)
    (call $fac_rec (local.get $n))))
