;; Exits with status twice(21) from local:math/twice (which calls local:math/calc).
(component
  (import "local:math/twice@1.0.0" (instance $twice
    (export "twice" (func (param "x" u32) (result u32)))))
  (import "wasi:cli/exit@0.2.12" (instance $exit
    (export "exit-with-code" (func (param "status-code" u8)))))
  (core func $twice (canon lower (func $twice "twice")))
  (core func $code (canon lower (func $exit "exit-with-code")))
  (core module $m
    (import "twice" "twice" (func $twice (param i32) (result i32)))
    (import "exit" "code" (func $code (param i32)))
    (func (export "run") (result i32)
      (call $code (call $twice (i32.const 21)))
      i32.const 0))
  (core instance $twice_imports (export "twice" (func $twice)))
  (core instance $exit_imports (export "code" (func $code)))
  (core instance $i (instantiate $m (with "twice" (instance $twice_imports)) (with "exit" (instance $exit_imports))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $r))
)
