;; Tail calls (Wasm 3.0) for tests/wasm3/tail_calls_test.py: unbounded tail recursion must
;; run in constant space, through return_call, return_call_indirect and mutual recursion.
(module
  (type $ii (func (param i64 i64) (result i64)))
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $even $odd)
  ;; count(n): counts n down to 0 by tail calls, summing; returns n*(n+1)/2.
  (func $count (export "count") (param $n i64) (result i64)
    (return_call $loop (local.get $n) (i64.const 0)))
  (func $loop (param $n i64) (param $acc i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $loop (i64.sub (local.get $n) (i64.const 1))
                       (i64.add (local.get $acc) (local.get $n))))
  ;; parity(n): 0 for even, 1 for odd, through two functions calling each other indirectly.
  (func (export "parity") (param $n i64) (result i64)
    (return_call_indirect $t (type $ii) (local.get $n) (i64.const 0) (i32.const 0)))
  (func $even (type $ii)
    (if (i64.eqz (local.get 0)) (then (return (i64.const 0))))
    (return_call_indirect $t (type $ii)
      (i64.sub (local.get 0) (i64.const 1)) (local.get 1) (i32.const 1)))
  (func $odd (type $ii)
    (if (i64.eqz (local.get 0)) (then (return (i64.const 1))))
    (return_call_indirect $t (type $ii)
      (i64.sub (local.get 0) (i64.const 1)) (local.get 1) (i32.const 0)))
  ;; A plain (non-tail) recursion of the same depth exhausts the stack: the control case.
  (func $deep (export "deep") (param $n i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (i64.const 0))))
    (i64.add (i64.const 1) (call $deep (i64.sub (local.get $n) (i64.const 1)))))
)
