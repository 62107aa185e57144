;; Fuel by hand from the contract above ExecContext (runtime/store.hpp): regions start at the
;; function's first instruction and after block/loop/if/else/end/br/br_if/br_table/return/
;; call/call_indirect/unreachable; every instruction costs 1 but block/loop/else/end/nop.
;;
;; count(n), n >= 1:
;;   [loop]                                  0  (region of the first instruction)
;;   n x [local.get i32.const i32.add local.set local.get local.get i32.lt_u br_if]
;;                                           8 per iteration (a taken br_if lands on the
;;                                           loop body's first instruction: a region start)
;;   [end]                                   0  (after br_if falls through)
;;   [local.get end]                         1
;; total 8n + 1 (count(10) = 81). With fuel 80 the last region cannot start: out of fuel
;; after 80 units.
(module
  (func (export "count") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      local.get $i
      i32.const 1
      i32.add
      local.set $i
      local.get $i
      local.get $n
      i32.lt_u
      br_if $l)
    local.get $i)
  ;; A longer run for the "same on every run" check (about 4 million units).
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "_start") (drop (call $fib (i32.const 25)))))
