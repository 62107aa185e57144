;; Superinstructions (interp/fused_ops.def): each export is written so that the translator
;; emits the named pair adjacently (fused_test.cpp checks the disassembly and the results).
(module
  (import "host" "tick" (func $tick (param i32)))
  (memory (export "mem") 1)

  ;; i32_add_imm ; i32_add_imm: B reads A's result; 32-bit wrap-around.
  (func (export "add_add") (param i32) (result i32) (local i32 i32)
    (local.set 1 (i32.add (local.get 0) (i32.const 5)))
    (local.set 2 (i32.add (local.get 1) (i32.const -3)))
    (i32.xor (local.get 2) (i32.shl (local.get 1) (i32.const 8))))
  ;; B overwrites A's source: A must read it first.
  (func (export "add_add_src") (param i32) (result i32) (local i32)
    (local.set 1 (i32.add (local.get 0) (i32.const 100)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (i32.sub (local.get 1) (local.get 0)))
  ;; A branch that lands on B runs B alone (A is skipped, B's handler is intact).
  (func (export "add_add_target") (param i32 i32) (result i32) (local i32 i32)
    (block
      (br_if 0 (local.get 1))
      (local.set 2 (i32.add (local.get 0) (i32.const 1))))
    (local.set 3 (i32.add (local.get 2) (i32.const 10)))
    (local.get 3))
  ;; copy ; copy: a chain (B reads A's destination).
  (func (export "copy_copy") (param i32 i32) (result i32) (local i32)
    (local.set 2 (local.get 1))
    (local.set 1 (local.get 0))
    (i32.or (i32.shl (local.get 1) (i32.const 16)) (local.get 2)))
  ;; i32_add_imm ; i32_load / i32_load8_u / f64_load: the address wraps in 32 bits before
  ;; the offset is added; out of bounds traps in the second half.
  (func (export "add_load") (param i32) (result i32)
    (i32.load offset=4 (i32.add (local.get 0) (i32.const 8))))
  (func (export "add_load8") (param i32) (result i32)
    (i32.load8_u offset=1 (i32.add (local.get 0) (i32.const 2))))
  (func (export "add_load_f64") (param i32) (result f64)
    (f64.load offset=8 (i32.add (local.get 0) (i32.const 16))))
  ;; i32_add_imm ; i32_and_imm
  (func (export "add_and") (param i32) (result i32)
    (i32.and (i32.add (local.get 0) (i32.const 3)) (i32.const 0xff0)))
  ;; i32_add ; i32_add and i32_add ; i32_add_imm
  (func (export "add3") (param i32 i32 i32) (result i32)
    (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "add2_imm") (param i32 i32) (result i32)
    (i32.add (i32.add (local.get 0) (local.get 1)) (i32.const 0x7fffffff)))
  ;; i32_rotl_imm ; i32_xor
  (func (export "rotl_xor") (param i32 i32) (result i32)
    (i32.xor (i32.rotl (local.get 0) (i32.const 7)) (local.get 1)))
  ;; f64_load ; f64_mul, f64_load ; f64_add, f64_mul ; f64_mul
  (func (export "load_mul") (param i32 f64) (result f64)
    (f64.mul (f64.load (local.get 0)) (local.get 1)))
  (func (export "load_add") (param i32 f64) (result f64)
    (f64.add (f64.load offset=8 (local.get 0)) (local.get 1)))
  (func (export "mul_mul") (param f64 f64 f64) (result f64)
    (f64.mul (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
  ;; f64_add ; f64_store, then f64_store ; i32_add_imm (the store's address local changes)
  (func (export "add_store") (param i32 f64 f64) (result i32)
    (f64.store (local.get 0) (f64.add (local.get 1) (local.get 2)))
    (local.set 0 (i32.add (local.get 0) (i32.const 8)))
    (local.get 0))
  ;; i32_add_imm ; br_i32_ne_back and i32_add_imm ; br_if_back: loop back-edges, which
  ;; also check the interrupt flag ($tick may set it).
  (func (export "count_ne") (param i32) (result i32) (local i32)
    (loop $l
      (call $tick (local.get 1))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $l (i32.ne (local.get 1) (local.get 0))))
    (local.get 1))
  (func (export "count_down") (param i32) (result i32)
    (loop $l
      (call $tick (local.get 0))
      (local.set 0 (i32.add (local.get 0) (i32.const -1)))
      (br_if $l (local.get 0)))
    (local.get 0))

  ;; Second round.
  (func (export "add_copy") (param i32) (result i32) (local i32 i32)
    (local.set 2 (local.tee 1 (i32.add (local.get 0) (i32.const 4))))
    (i32.xor (local.get 1) (i32.shl (local.get 2) (i32.const 1))))
  (func (export "add_store32") (param i32 i32)
    (i32.store offset=2 (i32.add (local.get 0) (i32.const 4)) (local.get 1)))
  (func (export "shl_add") (param i32 i32) (result i32)
    (i32.add (i32.shl (local.get 0) (i32.const 2)) (local.get 1)))
  (func (export "shr_xor") (param i32 i32) (result i32)
    (i32.xor (i32.shr_u (local.get 0) (i32.const 3)) (local.get 1)))
  (func (export "and_unless") (param i32) (result i32)
    (if (i32.and (local.get 0) (i32.const 4)) (then (return (i32.const 1))))
    (i32.const 0))
  (func (export "copy_gt") (param i32) (result i32) (local i32 i32 i32 i32)
    (local.set 3 (i32.const 1))
    (local.set 2 (local.get 0))
    (loop $l
      (call $tick (local.get 2))
      (local.set 2 (i32.sub (local.get 2) (local.get 3)))
      (local.set 1 (local.get 2))
      (br_if $l (i32.gt_s (local.get 1) (local.get 4))))
    (local.get 1))
  (func (export "load_lt") (param i32) (result i32) (local i32 i32 i32)
    (local.set 2 (i32.const -4))
    (loop $l
      (call $tick (local.get 1))
      ;; a sub, not an add: i32_add ; i32_load is a pair of its own
      (local.set 1 (i32.sub (local.get 1) (local.get 2)))
      (local.set 3 (i32.load (local.get 1)))
      (br_if $l (i32.lt_s (local.get 3) (local.get 0))))
    (local.get 1))
  (func (export "add_le") (param i32 i32) (result i32) (local i32)
    (loop $l
      (call $tick (local.get 2))
      (local.set 2 (i32.add (local.get 2) (local.get 1)))
      (br_if $l (i32.le_s (local.get 2) (local.get 0))))
    (local.get 2))
  (func (export "store8_add") (param i32 i32 i32) (result i32)
    (i32.store8 (local.get 0) (local.get 1))
    (local.set 0 (i32.add (local.get 0) (local.get 2)))
    (local.get 0))
  (func (export "const_store8") (param i32)
    (i32.store8 (local.get 0) (i32.const 0x1ff)))
  (func (export "const_lt_u") (param i32) (result i32) (local i32)
    (block
      (local.set 1 (i32.const 7))
      (br_if 0 (i32.lt_u (local.get 0) (i32.const 2)))
      (local.set 1 (i32.const 9)))
    (local.get 1))
  (func (export "mul_sub") (param f64 f64 f64) (result f64)
    (f64.sub (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "sub_mul") (param f64 f64 f64) (result f64)
    (f64.mul (f64.sub (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "sub_store") (param i32 f64 f64)
    (f64.store (local.get 0) (f64.sub (local.get 1) (local.get 2))))
  (func (export "load_load") (param i32) (result f64)
    (f64.div (f64.load (local.get 0)) (f64.load offset=8 (local.get 0))))

  ;; v128 local.get read in place by SIMD ops; writes to the local while an old read is
  ;; still pending (local.set from a local, and from a producer) must keep the old value.
  (func (export "v128_alias") (param i32 i32) (result i32) (local v128 v128)
    (local.set 2 (i32x4.splat (local.get 0)))
    (local.set 3 (i32x4.splat (local.get 1)))
    local.get 2
    local.get 3
    local.set 2
    local.get 2
    i32x4.sub
    i32x4.extract_lane 0)
  (func (export "v128_alias_producer") (param i32 i32) (result i32) (local v128 v128)
    (local.set 2 (i32x4.splat (local.get 0)))
    (local.set 3 (i32x4.splat (local.get 1)))
    local.get 2
    (local.set 2 (i32x4.add (local.get 3) (local.get 3)))
    local.get 2
    i32x4.sub
    i32x4.extract_lane 1)
  (func (export "v128_store_local") (param i32 i32)
    (local v128)
    (local.set 2 (i32x4.splat (local.get 1)))
    (v128.store offset=4 (local.get 0) (local.get 2)))
  ;; local.tee of a v128 producer: the producer writes the local, the value stays a pending
  ;; read of it; a later write of the local must not change the value on the stack.
  (func (export "v128_tee_alias") (param i32 i32) (result i32)
    (local v128)
    (i32x4.splat (local.get 0))
    (local.tee 2)
    (local.set 2 (i32x4.splat (local.get 1)))
    (local.get 2)
    (i32x4.sub)
    (i32x4.extract_lane 3))
  (func (export "v128_tee_keep") (param i32) (result i32)
    (local v128)
    (i32x4.splat (local.get 0))
    (local.tee 1)
    (local.get 1)
    (i32x4.mul)
    (i32x4.extract_lane 1))
  ;; tee then store through a pending address read: nothing is flushed
  (func (export "v128_tee_store") (param i32 i32) (result i32)
    (local v128)
    (local.get 0)
    (i32x4.splat (local.get 1))
    (local.tee 2)
    (v128.store offset=16)
    (i32x4.extract_lane 2 (local.get 2)))
)
