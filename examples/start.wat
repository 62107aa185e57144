;; A command-style module: `wsvm start.wasm` calls _start, which returns normally (exit 0).
(module
  (global $ran (mut i32) (i32.const 0))
  (func (export "_start")
    (global.set $ran (i32.const 1)))
  (func (export "ran") (result i32)
    (global.get $ran)))
