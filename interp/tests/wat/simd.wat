;; v128 through the interpreter's structure: locals (zeroed), globals, select, block
;; params/results, branches carrying v128 (br, br_if, br_table), calls with v128 arguments
;; and results mixed with scalars, memory bounds of SIMD loads and stores.
(module
  (memory 1)
  (global $g (mut v128) (v128.const i32x4 1 2 3 4))
  (global $c v128 (v128.const i64x2 0x1111 0x2222))

  (func $dirty (local v128 v128)
    (local.set 0 (v128.const i64x2 -1 -1))
    (local.set 1 (v128.const i64x2 -1 -1)))
  (func $zero_check (result i64) (local i32 v128 i64 v128)
    (i64.or
      (i64.or (i64x2.extract_lane 0 (local.get 1)) (i64x2.extract_lane 1 (local.get 1)))
      (i64.or (i64x2.extract_lane 0 (local.get 3)) (i64x2.extract_lane 1 (local.get 3)))))
  ;; $dirty leaves all-ones in the slots $zero_check's locals reuse.
  (func (export "locals_zeroed") (result i64)
    (call $dirty)
    (call $zero_check))

  ;; (i32, v128, i64, v128) -> (v128, i32, v128)
  (func $mix (param i32 v128 i64 v128) (result v128 i32 v128)
    (i32x4.add (local.get 1) (i32x4.splat (local.get 0)))
    (i32.wrap_i64 (local.get 2))
    (local.get 3))
  (func (export "call_mix") (param i32) (result i32)
    (local v128 v128)
    (call $mix (local.get 0) (v128.const i32x4 10 20 30 40) (i64.const 7)
               (v128.const i32x4 100 200 300 400))
    (local.set 2)
    (i32.add (i32x4.extract_lane 3 (local.get 2)))   ;; 7 + 400
    (local.set 0)
    (local.set 1)
    (i32.add (local.get 0) (i32x4.extract_lane 1 (local.get 1))))  ;; + 20 + x

  (func (export "identity") (param v128) (result v128) (local.get 0))

  (func (export "global_rt") (param i32) (result i32)
    (global.set $g (i32x4.add (global.get $g) (i32x4.splat (local.get 0))))
    (i32.add (i32x4.extract_lane 3 (global.get $g))
             (i32.wrap_i64 (i64x2.extract_lane 1 (global.get $c)))))

  (func (export "select_v") (param i32) (result i64)
    (i64x2.extract_lane 1
      (select (v128.const i64x2 1 2) (v128.const i64x2 3 4) (local.get 0))))
  (func (export "select_t_v") (param i32) (result i64)
    (i64x2.extract_lane 0
      (select (result v128) (v128.const i64x2 5 6) (v128.const i64x2 7 8) (local.get 0))))

  ;; Block params/results and br_if with a v128 on top of a scalar.
  (func (export "block_br") (param i32) (result i32)
    (i32.const 1000)
    (v128.const i32x4 1 2 3 4)
    (block (param i32 v128) (result i32 v128)
      (i32x4.mul (v128.const i32x4 2 2 2 2))
      (br_if 0 (local.get 0))
      (i32x4.add (v128.const i32x4 100 100 100 100)))
    (i32x4.extract_lane 2)
    (i32.add))

  ;; br_table choosing a block; each carries a v128 result.
  (func (export "table_br") (param i32) (result i32)
    (i32x4.extract_lane 0
      (block (result v128)
        (block (result v128)
          (block (result v128)
            (v128.const i32x4 5 0 0 0)
            (br_table 0 1 2 (local.get 0)))
          (i32x4.add (v128.const i32x4 10 0 0 0))
          (br 1))
        (i32x4.add (v128.const i32x4 20 0 0 0)))))

  ;; Loop with a v128 accumulator in a local and an i32 counter: sum of 1..n in 4 lanes.
  (func (export "loop_sum") (param i32) (result i32) (local v128)
    (loop $l
      (local.set 1 (i32x4.add (local.get 1) (i32x4.splat (local.get 0))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (i32.add (i32x4.extract_lane 0 (local.get 1)) (i32x4.extract_lane 3 (local.get 1))))

  ;; Memory: loads and stores at the end of memory.
  (func (export "load_at") (param i32) (result i64)
    (i64x2.extract_lane 0 (v128.load (local.get 0))))
  (func (export "load_lane_at") (param i32) (result i64)
    (i64x2.extract_lane 1 (v128.load64_lane 1 (local.get 0) (v128.const i64x2 0 0))))
  (func (export "store_at") (param i32)
    (v128.store offset=1 (local.get 0) (v128.const i64x2 -1 -1)))
  (func (export "store_lane_at") (param i32)
    (v128.store32_lane offset=4 3 (local.get 0) (v128.const i32x4 1 2 3 4)))
  (func (export "splat_at") (param i32) (result i32)
    (i32x4.extract_lane 2 (v128.load32_splat (local.get 0))))
)
