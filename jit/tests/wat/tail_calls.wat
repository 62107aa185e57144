;; Tail calls (Wasm 3.0) in the JIT: the callee's frame replaces the caller's (arguments
;; through JitInstance::tail_args), constant native stack and call depth; imports and
;; callees of another instance are called and their results returned.
(module
  (import "host" "add" (func $add (param i32 i32) (result i32)))
  (type $ii (func (param i64 i64) (result i64)))
  (type $wide (func (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
                           i64 i64 i64 i64 i64 i64 i64 i64 i64 v128) (result i64)))
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $even $odd $rotate $add)

  ;; sum(n): n + (n-1) + ... + 1 by direct self tail calls.
  (func $sum (export "sum") (param $n i64) (param $acc i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $sum (i64.sub (local.get $n) (i64.const 1))
                      (i64.add (local.get $acc) (local.get $n))))

  ;; parity(n) through two functions calling each other indirectly.
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

  ;; 20 parameters (21 slots: more than the unrolled copy handles), the v128 last: rotates
  ;; them n times by tail calls, then mixes them into one number.
  (func $rotate (export "rotate") (type $wide)
    (local $i i32)
    (if (i64.eqz (local.get 0))
      (then (return
        (i64.add
          (i64.add (i64.mul (local.get 1) (i64.const 3)) (i64.mul (local.get 2) (i64.const 5)))
          (i64.add (i64.mul (local.get 18) (i64.const 7))
                   (i64.add (i64x2.extract_lane 0 (local.get 19))
                            (i64x2.extract_lane 1 (local.get 19))))))))
    (return_call $rotate (i64.sub (local.get 0) (i64.const 1))
      (local.get 2) (local.get 3) (local.get 4) (local.get 5) (local.get 6) (local.get 7)
      (local.get 8) (local.get 9) (local.get 10) (local.get 11) (local.get 12) (local.get 13)
      (local.get 14) (local.get 15) (local.get 16) (local.get 17) (local.get 18) (local.get 1)
      (i64x2.add (local.get 19) (i64x2.splat (local.get 1)))))
  (func (export "rotate_indirect") (param $n i64) (result i64)
    (return_call_indirect $t (type $wide)
      (local.get $n) (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5)
      (i64.const 6) (i64.const 7) (i64.const 8) (i64.const 9) (i64.const 10) (i64.const 11)
      (i64.const 12) (i64.const 13) (i64.const 14) (i64.const 15) (i64.const 16) (i64.const 17)
      (i64.const 18) (v128.const i64x2 100 200) (i32.const 2)))

  ;; To an import, directly and through the table: called, its results returned.
  (func (export "to_import") (param i32 i32) (result i32)
    (return_call $add (local.get 0) (local.get 1)))
  (func (export "to_import_indirect") (param i32 i32) (result i32)
    (return_call_indirect $t (param i32 i32) (result i32)
      (local.get 0) (local.get 1) (i32.const 3)))

  ;; A trap after a chain of tail calls: the backtrace has the trapping function and the
  ;; caller of the first tail call, nothing in between.
  (func $div (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
  (func $via (param i32 i32) (result i32) (return_call $div (local.get 0) (local.get 1)))
  (func (export "divide") (param i32 i32) (result i32)
    (i32.add (i32.const 1) (call $via (local.get 0) (local.get 1))))
  (func (export "bad_index") (result i64)
    (return_call_indirect $t (type $ii) (i64.const 1) (i64.const 2) (i32.const 9)))
  (func (export "bad_type") (result i64)
    (return_call_indirect $t (type $ii) (i64.const 1) (i64.const 2) (i32.const 3)))
)
