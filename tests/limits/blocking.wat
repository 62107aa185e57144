;; WASI calls that block where the interrupt flag cannot reach: a 10 s poll_oneoff sleep
;; (_start) and an fd_read from stdin ("read_stdin"; the test leaves the pipe idle).
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; subscription at 0 (48 bytes): userdata 0, tag 0 = clock, clock id 1 (monotonic),
    ;; timeout 10 s relative, precision 0, flags 0. Event written at 64, nevents at 128.
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 10000000000))
    (drop (call $poll_oneoff (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128))))
  (func (export "read_stdin") (result i32)
    ;; one iovec at 0: buffer 256, length 64; bytes read at 16
    (i32.store (i32.const 0) (i32.const 256))
    (i32.store (i32.const 4) (i32.const 64))
    (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16))))
