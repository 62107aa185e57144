;; Traps with a backtrace: `wsvm --invoke run trap.wasm` exits 3 and prints
;;   wsvm: trap: integer divide by zero
;;     at divide
;;     at run
(module
  (func $divide (param $a i32) (param $b i32) (result i32)
    (i32.div_s (local.get $a) (local.get $b)))
  (func (export "run") (result i32)
    (call $divide (i32.const 1) (i32.const 0)))
  (func (export "unreachable")
    unreachable)
  (func $deep (export "recurse") (param $n i32) (result i32)
    (i32.add (i32.const 1) (call $deep (local.get $n)))))
