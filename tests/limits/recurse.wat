;; depth(n) recurses n frames deep (then returns n); forever() never stops recursing.
(module
  (func $depth (export "depth") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $depth (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  (func $forever (export "forever") (param i64) (result i64)
    (i64.add (call $forever (i64.add (local.get 0) (i64.const 1))) (i64.const 1))))
