;; Superinstructions of the fourth round (interp/fused_ops.def: nbody's advance loop):
;; fused4_test.cpp checks that each is emitted, the results against C++ references, traps
;; in a later component, 32-bit wrap of the address arithmetic, the interrupt on the fused
;; back-edge and the plain branch form.
(module
  (import "host" "tick" (func $tick (param i32)))
  (memory (export "mem") 1)
  ;; i32_sub_imm f64_load f64_sub f64_mul f64_mul: dx = x - [p - 48], dx * dx + dy * dy
  (func (export "dist_sq") (param $p i32) (param $x f64) (param $dy f64) (result f64) (local $dx f64)
    (local.set $dx (f64.sub (local.get $x) (f64.load (i32.sub (local.get $p) (i32.const 48)))))
    (f64.add (f64.mul (local.get $dx) (local.get $dx)) (f64.mul (local.get $dy) (local.get $dy))))
  ;; i32_sub_imm f64_load f64_sub f64_mul: m * (x - [p - 48])
  (func (export "dist_m") (param $p i32) (param $x f64) (param $m f64) (result f64) (local $dx f64)
    (local.set $dx (f64.sub (local.get $x) (f64.load (i32.sub (local.get $p) (i32.const 48)))))
    (f64.mul (local.get $m) (local.get $dx)))
  ;; i32_add_imm i32_sub_imm br_if(_back)
  (func (export "count2") (param $n i32) (result i32) (local $p i32)
    (loop $l
      (call $tick (local.get $n))
      (local.set $p (i32.add (local.get $p) (i32.const 56)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $p))
  ;; f64_load f64_mul_imm f64_add f64_store: x = [p] * 0.01 + x; [p + 8] = x
  ;; (specialised: spec_test.cpp), and with the add's operands the other way round (generic).
  (func (export "pos") (param $p i32) (param $x f64) (result f64)
    (local.set $x (f64.add (f64.mul (f64.load (local.get $p)) (f64.const 0.01)) (local.get $x)))
    (f64.store offset=8 (local.get $p) (local.get $x))
    (local.get $x))
  (func (export "pos_swapped") (param $p i32) (param $x f64) (result f64)
    (local.set $x (f64.add (local.get $x) (f64.mul (f64.load (local.get $p)) (f64.const 0.01))))
    (f64.store offset=8 (local.get $p) (local.get $x))
    (local.get $x))
;; wordfreq's tokenizer step: i32_load8_u i32_add_imm i32_sub_imm i32_and_imm i32_lt_u_imm |
  ;; select i32_sub_imm i32_and_imm br_i32_gt_u_imm | br_i32_gt_u_imm i32_sub_imm i32_add
  ;; i32_store8 i32_add_imm. Returns the new length, -1 for a non-letter, -2 for a full word.
  (func (export "tok2") (param $p i32) (param $w i32) (param $n i32) (result i32) (local $c i32) (local $l i32)
    (local.set $c (i32.load8_u (local.get $p)))
    (local.set $l (select (i32.add (local.get $c) (i32.const 32)) (local.get $c)
                          (i32.lt_u (i32.and (i32.sub (local.get $c) (i32.const 65)) (i32.const 255)) (i32.const 26))))
    (block $nonletter
      (br_if $nonletter (i32.gt_u (i32.and (i32.sub (local.get $l) (i32.const 97)) (i32.const 255)) (i32.const 25)))
      (block $full
        (br_if $full (i32.gt_u (local.get $n) (i32.const 31)))
        (i32.store8 (i32.add (i32.sub (local.get $w) (i32.const -64)) (local.get $n)) (local.get $l))
        (return (i32.add (local.get $n) (i32.const 1))))
      (return (i32.const -2)))
    (i32.const -1))
)
