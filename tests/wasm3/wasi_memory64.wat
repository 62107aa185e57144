;; A WASI preview 1 command whose memory 0 is 64-bit (tests/wasm3/memories_test.py): preview 1
;; passes i32 pointers into memory 0, so wsvm refuses it with one line (exit 126).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") i64 1)
  (func (export "_start") (call $exit (i32.const 3))))
