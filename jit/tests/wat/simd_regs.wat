;; v128 register allocation edge cases (jit/compiler_simd.cpp): more live v128 values than
;; xmm registers (spills of the oldest), v128 values live across calls, block results and
;; br_if / br_table carrying v128 values, select of v128 (constants, registers, homes), v128
;; locals cached across loop back edges, and constants folded into their consumers. Integer
;; lane ops only on arbitrary bits: NaN payloads of float ops may differ between engines.
(module
  (memory 1)
  (func $twice (param v128) (result v128) (i32x4.add (local.get 0) (local.get 0)))
  (func $pair (param v128 f64 v128) (result v128 v128)
    (i64x2.add (local.get 0) (f64x2.splat (local.get 1))) (i64x2.mul (local.get 2) (local.get 0)))

  ;; 18 live v128 values (14 allocatable xmm registers), summed at the end: the oldest spill.
  (func (export "pressure") (param $a v128) (param $n i32) (result v128)
    (local $b v128)
    (local.set $b (i32x4.splat (local.get $n)))
    (i32x4.add (local.get $a) (local.get $b))
    (i32x4.mul (local.get $a) (local.get $b))
    (i32x4.sub (local.get $a) (local.get $b))
    (v128.xor (local.get $a) (local.get $b))
    (i16x8.add (local.get $a) (local.get $b))
    (i8x16.sub (local.get $a) (local.get $b))
    (i64x2.mul (local.get $a) (local.get $b))
    (i32x4.shl (local.get $a) (local.get $n))
    (i32x4.shr_u (local.get $a) (i32.const 3))
    (i16x8.sub (local.get $a) (local.get $b))
    (i64x2.add (local.get $a) (local.get $b))
    (i8x16.swizzle (local.get $a) (local.get $b))
    (v128.const i32x4 1 2 3 4)
    (i16x8.q15mulr_sat_s (local.get $a) (local.get $b))
    (i32x4.max_u (local.get $a) (local.get $b))
    (i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31 (local.get $a) (local.get $b))
    (i8x16.popcnt (local.get $a))   ;; a helper: everything spills around it
    (v128.not (local.get $b))
    i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add
    i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add)

  ;; v128 values below a call's arguments and a call result used with them.
  (func (export "across_call") (param $a v128) (param $x f64) (result v128)
    (local $l v128)
    (local.set $l (i32x4.mul (local.get $a) (local.get $a)))
    (i32x4.add (local.get $a) (v128.const i64x2 5 -7))
    (call $twice (i8x16.add (local.get $a) (local.get $l)))
    (call $pair (local.get $a) (local.get $x) (local.get $l))
    v128.xor
    (local.get $l)
    i64x2.add i32x4.sub i16x8.add)

  ;; Block results and br_if / br_table with v128 values (values in registers, constants).
  (func (export "blocks") (param $a v128) (param $c i32) (result v128)
    (local $t v128)
    (local.set $t (i8x16.splat (local.get $c)))
    (block $out (result v128)
      (block $b (result v128 v128)
        (i32x4.add (local.get $a) (local.get $t))
        (v128.const i32x4 9 9 9 9)
        (br_if $b (i32.and (local.get $c) (i32.const 1)))
        drop drop
        (f32x4.add (local.get $a) (local.get $a))
        (local.get $t)
        (br_table $b $b (i32.and (local.get $c) (i32.const 2))))
      i8x16.sub
      (br_if $out (i32.gt_s (local.get $c) (i32.const 100)))
      (i32x4.add (local.get $t)))
    (if (param v128) (result v128) (i32.lt_s (local.get $c) (i32.const 0))
      (then (local.get $t) i32x4.sub)
      (else (v128.const i32x4 -1 -1 -1 -1) v128.and)))

  ;; select of v128: compare flags, registers, a constant condition, constants.
  (func (export "selects") (param $a v128) (param $b v128) (param $c i32) (result v128)
    (select (local.get $a) (local.get $b) (i32.lt_s (local.get $c) (i32.const 3)))
    (select (v128.const i32x4 1 2 3 4) (i32x4.add (local.get $a) (local.get $b)) (local.get $c))
    (select (local.get $b) (v128.const i64x2 0 -1) (i32.const 0))
    (select (i16x8.add (local.get $a) (local.get $a)) (local.get $a) (i32.const 1))
    i32x4.add i32x4.add i32x4.add)

  ;; v128 locals live in registers across loop back edges (br_if, br), with a tee'd constant
  ;; and a store/load through memory every iteration.
  (func (export "loop_locals") (param $a v128) (param $n i32) (result v128)
    (local $acc v128) (local $k v128) (local $i i32)
    (local.set $acc (local.get $a))
    (loop $l
      (local.set $acc
        (i32x4.add
          (i32x4.mul (local.get $acc) (local.tee $k (v128.const i32x4 3 5 7 9)))
          (v128.load offset=32 (i32.const 0))))
      (v128.store offset=32 (i32.const 0) (v128.xor (local.get $acc) (local.get $k)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n)))
      (if (i32.lt_u (local.get $i) (i32.add (local.get $n) (i32.const 3)))
        (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))
    (i32x4.add (local.get $acc) (v128.load offset=32 (i32.const 0))))

  ;; Lanes out of registers and constants, into GP and xmm scalars, then back in.
  (func (export "lanes") (param $a v128) (param $f f32) (param $d f64) (result v128)
    (f32x4.replace_lane 2
      (f64x2.replace_lane 1
        (i8x16.replace_lane 15 (local.get $a) (i8x16.extract_lane_s 3 (v128.const i8x16 1 2 3 -4 5 6 7 8 9 10 11 12 13 14 15 16)))
        (select (local.get $d) (f64.neg (f64x2.extract_lane 1 (local.get $a)))
          (f32.lt (local.get $f) (f32.const 1))))
      (f32.neg (f32x4.extract_lane 3 (i32x4.add (local.get $a) (local.get $a))))))
)
