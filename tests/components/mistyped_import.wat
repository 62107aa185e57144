;; Imports wasi:cli/environment with get-arguments of the wrong type (u32, not list<string>),
;; and calls it from its run: a clear trap, never a crash.
(component
  (import "wasi:cli/environment@0.2.3" (instance $env (export "get-arguments" (func (result u32)))))
  (alias export $env "get-arguments" (func $get))
  (core func $get_lowered (canon lower (func $get)))
  (core module $M
    (import "host" "get-arguments" (func $get (result i32)))
    (func (export "run") (result i32) (drop (call $get)) (i32.const 0)))
  (core instance $hostbag (export "get-arguments" (func $get_lowered)))
  (core instance $m (instantiate $M (with "host" (instance $hostbag))))
  (func $run (result (result)) (canon lift (core func $m "run")))
  (instance $run_inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.3" (instance $run_inst))
)
