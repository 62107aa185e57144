;; Operand folding cases (fold_test.cpp): local.get and constants read in place, local.set /
;; local.tee writing the producer's destination, constants as immediates.
(module
  (memory 1)
  (global $g (mut i32) (i32.const 100))

  ;; The old value of local 0 is on the stack when local 0 changes: it must be taken first.
  ;; x - 5
  (func (export "alias_set") (param i32) (result i32)
    local.get 0
    i32.const 5
    local.set 0
    local.get 0
    i32.sub)

  ;; Swap through the stack: (a, b) -> returns a*1000 + b after swapping = b*1000 + a.
  (func (export "swap") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    local.set 0
    local.set 1
    local.get 0
    i32.const 1000
    i32.mul
    local.get 1
    i32.add)

  ;; dst == src: x + x written back to x, then tee: (x + x + 1) * (x + x + 1).
  (func (export "self_ops") (param i32) (result i32)
    local.get 0
    local.get 0
    i32.add
    local.set 0
    local.get 0
    i32.const 1
    i32.add
    local.tee 0
    local.get 0
    i32.mul)

  ;; tee whose old value is still below on the stack: x_old - (x_old * 3).
  (func (export "alias_tee") (param i32) (result i32)
    local.get 0
    local.get 0
    i32.const 3
    i32.mul
    local.tee 0
    i32.sub)

  ;; local.set x (local.get x) is nothing; local.set x (local.get y) a move.
  (func (export "moves") (param i32 i32) (result i32)
    local.get 0
    local.set 0
    local.get 1
    local.set 0
    local.get 0)

  ;; Immediates: wrap-around and constants on either side.
  (func (export "add1") (param i32) (result i32) local.get 0 i32.const 1 i32.add)
  (func (export "add1_left") (param i32) (result i32) i32.const 1 local.get 0 i32.add)
  (func (export "ten_minus") (param i32) (result i32) i32.const 10 local.get 0 i32.sub)
  (func (export "minus_ten") (param i32) (result i32) local.get 0 i32.const 10 i32.sub)
  (func (export "shl31") (param i32) (result i32) local.get 0 i32.const 31 i32.shl)
  (func (export "shr_s33") (param i32) (result i32) local.get 0 i32.const 33 i32.shr_s)
  (func (export "i64_add_big") (param i64) (result i64) local.get 0 i64.const 0x7fffffffffffffff i64.add)
  (func (export "i64_lt_neg") (param i64) (result i32) local.get 0 i64.const -1 i64.lt_s)
  (func (export "f64_half") (param f64) (result f64) local.get 0 f64.const 0.5 f64.mul)
  (func (export "f32_sub") (param f32) (result f32) local.get 0 f32.const 1.5 f32.sub)
  (func (export "const_const") (result i32) i32.const 6 i32.const 7 i32.mul)

  ;; Trap paths with folded operands.
  (func (export "div_by_const0") (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)
  (func (export "div_const_by") (param i32) (result i32) i32.const 100 local.get 0 i32.div_s)
  (func (export "load_at") (param i32) (result i32) local.get 0 i32.load offset=4)
  (func (export "store_const") (param i32) (result i32)
    local.get 0
    i32.const 0x12345678
    i32.store
    local.get 0
    i32.load)

  ;; The producer writes the local, the value also flows on (tee), then a load through it.
  (func (export "tee_load") (param i32) (result i32) (local i32)
    local.get 0
    i32.const 8
    i32.add
    local.tee 1
    i32.const 77
    i32.store
    local.get 1
    i32.load)

  ;; Address arithmetic: u32(a + b) + offset (candidates for a fused access op).
  (func (export "load_sum") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add
    i32.load offset=4)
  (func (export "store_sum") (param i32 i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add
    local.get 2
    i32.store offset=4
    local.get 0
    local.get 1
    i32.add
    i32.load offset=4)
  ;; A constant stored through a computed address; a fused form must not overwrite the add's
  ;; operand in the constant's slot (computed, not a local) with the constant first.
  (func (export "store_const_sum") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add
    i32.const 0x55
    i32.store8
    local.get 0
    local.get 1
    i32.const 1
    i32.add
    i32.add
    i32.const 0x66
    i32.store8
    local.get 0
    local.get 1
    i32.add
    i32.load16_u)
  (func (export "load8_sum_self") (param i32) (result i32)
    local.get 0
    local.get 0
    i32.add
    i32.load8_u
    local.set 0
    local.get 0)

  ;; select with folded operands.
  (func (export "select") (param i32 i32 i32) (result i32)
    local.get 0
    i32.const 42
    local.get 2
    select)

  ;; Globals: the stack-pointer pattern global.get; const; sub; local.tee; global.set.
  (func (export "sp") (result i32) (local i32)
    global.get $g
    i32.const 16
    i32.sub
    local.tee 0
    global.set $g
    global.get $g
    local.get 0
    i32.add)

  ;; A local read before a call and used after it (flushed at the call).
  (func $id (param i32) (result i32) local.get 0)
  (func (export "across_call") (param i32) (result i32)
    local.get 0
    i32.const 1
    call $id
    local.set 0
    local.get 0
    i32.add)

  ;; A value read before an if and changed inside it: the if materializes it first.
  (func (export "across_if") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    if
      i32.const 99
      local.set 0
    end
    local.get 0
    i32.add)

  ;; A loop counting down with a fused compare at the back-edge.
  (func (export "sum_to") (param i32) (result i32) (local i32)
    block
      local.get 0
      i32.eqz
      br_if 0
      loop
        local.get 1
        local.get 0
        i32.add
        local.set 1
        local.get 0
        i32.const 1
        i32.sub
        local.tee 0
        i32.const 0
        i32.gt_s
        br_if 0
      end
    end
    local.get 1)

  ;; The compare result is also used after the branch: no fusion may lose it.
  (func (export "cmp_twice") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.lt_u
    local.tee 0
    if
      i32.const 10
      local.get 0
      i32.add
      return
    end
    local.get 0)
)
