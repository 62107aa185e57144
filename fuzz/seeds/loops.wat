(module
  (memory 1)
  (func $fac (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
  (func (export "fac") (result i64) (call $fac (i64.const 20)))
  (func (export "spin") (loop $l (br $l)))
  (func $rec (call $rec))
  (func (export "rec") (call $rec))
  (func (export "sum") (result i32) (local i32 i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get 0) (i32.const 1000)))
        (local.set 1 (i32.add (local.get 1) (i32.load8_u (local.get 0))))
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (br $l)))
    (local.get 1))
  (func (export "div") (result i32) (i32.div_s (i32.const 1) (i32.const 0))))
