;; Float results: `wsvm --invoke div floats.wasm 5 2` prints 2.5; `... 1 0` prints inf.
(module
  (func (export "div") (param f64 f64) (result f64)
    (f64.div (local.get 0) (local.get 1)))
  (func (export "sqrt32") (param f32) (result f32)
    (f32.sqrt (local.get 0)))
  (func (export "pair") (param i32 i64) (result i64 i32)
    (local.get 1) (local.get 0)))
