;; Host -> wasm re-entry: the host function calls back into exported wasm functions.
(module
  (import "host" "reenter" (func $reenter (param i32) (result i32)))
  (memory 1)
  (func (export "inner") (param i32) (result i32)
    (if (i32.eq (local.get 0) (i32.const 13)) (then (unreachable)))
    (if (i32.eq (local.get 0) (i32.const 14)) (then (drop (i32.load (i32.const 0x7ffffff0)))))
    (i32.mul (local.get 0) (i32.const 3)))
  (func (export "outer") (param i32) (result i32)
    (i32.add (call $reenter (local.get 0)) (i32.const 1)))
)
