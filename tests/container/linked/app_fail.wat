;; Calls local:math/calc's fail(), which traps inside the linked component.
(component
  (import "local:math/calc@1.0.0" (instance $calc
    (export "fail" (func (result u32)))))
  (core func $fail (canon lower (func $calc "fail")))
  (core module $m
    (import "calc" "fail" (func $fail (result i32)))
    (func (export "run") (result i32) (drop (call $fail)) i32.const 0))
  (core instance $calc_imports (export "fail" (func $fail)))
  (core instance $i (instantiate $m (with "calc" (instance $calc_imports))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $r))
)
