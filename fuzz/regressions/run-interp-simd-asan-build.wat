(module
  (memory 1)
  (func (export "load") (result v128) (v128.load (i32.const 16)))
  (func (export "lane") (result i64) (i64x2.extract_lane 1 (v128.const i64x2 1 2)))
  (func (export "eq") (result v128) (i16x8.eq (v128.const i16x8 1 2 3 4 5 6 7 8) (v128.const i16x8 1 2 3 4 5 6 7 8))))
