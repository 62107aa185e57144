;; The linked application: wasi:cli/run exits with status add(40, 2) from local:math/calc.
(component
  (import "local:math/calc@1.0.0" (instance $calc
    (export "add" (func (param "a" u32) (param "b" u32) (result u32)))))
  (import "wasi:cli/exit@0.2.12" (instance $exit
    (export "exit-with-code" (func (param "status-code" u8)))))
  (core func $add (canon lower (func $calc "add")))
  (core func $code (canon lower (func $exit "exit-with-code")))
  (core module $m
    (import "calc" "add" (func $add (param i32 i32) (result i32)))
    (import "exit" "code" (func $code (param i32)))
    (func (export "run") (result i32)
      (call $code (call $add (i32.const 40) (i32.const 2)))
      i32.const 0))
  (core instance $calc_imports (export "add" (func $add)))
  (core instance $exit_imports (export "code" (func $code)))
  (core instance $i (instantiate $m (with "calc" (instance $calc_imports)) (with "exit" (instance $exit_imports))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $r))
)
