;; Fibonacci numbers: `wsvm --invoke fib fib.wasm 50` prints 12586269025.
(module
  ;; Iterative, i64: fib(0) = 0, fib(1) = 1.
  (func (export "fib") (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $t (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $a))

  ;; Doubly recursive, i32: a call-heavy benchmark (fib_rec 30 = 832040).
  (func $fib_rec (export "fib_rec") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib_rec (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib_rec (i32.sub (local.get $n) (i32.const 2))))))))
