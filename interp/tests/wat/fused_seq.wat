;; Superinstruction sequences of 3-5 ops (interp/fused_ops.def, third round): each export is
;; written so that the translator emits the named sequence adjacently (fused_seq_test.cpp
;; checks the disassembly, the results against C++ references, traps in later components,
;; branches into the middle, 32-bit address wrap and interrupts on fused back-edges).
(module
  (import "host" "tick" (func $tick (param i32)))
  (memory (export "mem") 1)

  ;; matmul's inner loop: c[j] += k * b[j], two elements per iteration.
  ;;   f64_load f64_mul f64_load f64_add f64_store | i32_add_imm i32_add_imm f64_load |
  ;;   f64_mul f64_load f64_add f64_store | i32_add_imm x3 br_i32_ne(_back)
  (func (export "mac_loop") (param $c i32) (param $b i32) (param $k f64) (param $n i32)
    (local $j i32) (local $c2 i32)
    (loop $l
      (call $tick (local.get $j))
      (f64.store (local.get $c)
        (f64.add (f64.mul (local.get $k) (f64.load (local.get $b))) (f64.load (local.get $c))))
      (local.set $c2 (i32.add (local.get $c) (i32.const 8)))
      (f64.store (local.get $c2)
        (f64.add (f64.mul (local.get $k) (f64.load (i32.add (local.get $b) (i32.const 8))))
                 (f64.load (local.get $c2))))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (br_if $l (i32.ne (local.get $n) (local.tee $j (i32.add (local.get $j) (i32.const 2)))))))

  ;; nbody: i32_add_imm f64_load f64_sub f64_mul (the address wraps in 32 bits)
  (func (export "dist") (param $p i32) (param $x f64) (param $m f64) (result f64) (local $d f64)
    (local.set $d (f64.sub (local.get $x) (f64.load (i32.add (local.get $p) (i32.const -32)))))
    (f64.mul (local.get $m) (local.get $d)))
  ;; nbody: f64_add f64_add f64_sqrt f64_mul const64 | f64_div f64_mul f64_sub f64_store
  (func (export "mag") (param $p i32) (param $a f64) (param $b f64) (param $c f64) (param $v f64)
    (param $dx f64) (result f64) (local $d2 f64) (local $mag f64)
    (local.get $p)
    (local.get $v)
    (local.get $dx)
    (local.set $d2 (f64.add (local.get $a) (f64.add (local.get $b) (local.get $c))))
    (local.set $mag (f64.div (f64.const 0.01) (f64.mul (local.get $d2) (f64.sqrt (local.get $d2)))))
    (f64.mul (local.get $mag))
    (f64.sub)
    (f64.store)
    (local.get $mag))
  ;; nbody: f64_load f64_mul f64_mul f64_sub f64_store, then f64_mul f64_mul f64_load f64_add f64_store
  (func (export "vel_pos") (param $p i32) (param $q i32) (param $m f64) (param $dx f64) (param $mag f64)
    (f64.store (local.get $p)
      (f64.sub (f64.load (local.get $p)) (f64.mul (f64.mul (local.get $m) (local.get $dx)) (local.get $mag))))
    (f64.store (local.get $q)
      (f64.add (f64.mul (f64.mul (local.get $m) (local.get $dx)) (local.get $mag)) (f64.load (local.get $q)))))
  ;; i32_add_imm i32_add_imm br_if(_back): a countdown loop stepping a pointer.
  (func (export "countdown") (param $n i32) (result i32) (local $p i32)
    (loop $l
      (call $tick (local.get $n))
      (local.set $p (i32.add (local.get $p) (i32.const 56)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1)))))
    (local.get $p))

  ;; sha256: i32_xor i32_and i32_and i32_xor
  (func (export "xor_and") (param i32 i32 i32 i32) (result i32)
    (i32.xor (i32.and (i32.and (i32.xor (local.get 0) (local.get 1)) (local.get 2)) (local.get 3))
             (local.get 1)))
  ;; i32_rotl_imm i32_rotl_imm i32_xor i32_rotl_imm i32_xor (Σ)
  (func (export "big_sigma") (param $x i32) (result i32)
    (i32.xor (i32.xor (i32.rotl (local.get $x) (i32.const 26)) (i32.rotl (local.get $x) (i32.const 21)))
             (i32.rotl (local.get $x) (i32.const 7))))
  ;; i32_rotl_imm i32_rotl_imm i32_xor i32_shr_u_imm i32_xor (σ)
  (func (export "small_sigma") (param $x i32) (result i32)
    (i32.xor (i32.xor (i32.rotl (local.get $x) (i32.const 25)) (i32.rotl (local.get $x) (i32.const 14)))
             (i32.shr_u (local.get $x) (i32.const 3))))
  ;; i32_and i32_add i32_add
  (func (export "and_add_add") (param i32 i32 i32 i32) (result i32)
    (i32.add (i32.add (i32.and (local.get 0) (local.get 1)) (local.get 2)) (local.get 3)))
  ;; i32_xor_imm i32_and i32_add; the br_if lands on the i32_and (the middle of the sequence).
  (func (export "land_mid") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (block
      (br_if 0 (local.get $c))
      (local.set $a (i32.xor (local.get $a) (i32.const -1))))
    (i32.add (i32.and (local.get $a) (local.get $b)) (local.get $c)))
  ;; i32_add_imm i32_load i32_add i32_add i32_add (the load wraps / traps in component 2)
  (func (export "load_add3") (param $p i32) (param i32 i32 i32) (result i32)
    (i32.add (i32.add (i32.add (i32.load (i32.add (local.get $p) (i32.const 4))) (local.get 1))
                      (local.get 2)) (local.get 3)))
  ;; i32_add br_i32_eq_imm
  (func (export "add_eq") (param i32 i32) (result i32)
    (block (br_if 0 (i32.eq (i32.add (local.get 0) (local.get 1)) (i32.const 64))) (return (i32.const 1)))
    (i32.const 2))
  ;; i32_add i32_add_imm i32_load, and i32_add i32_load
  (func (export "add_addi_load") (param i32 i32) (result i32)
    (i32.load (i32.add (i32.add (local.get 0) (local.get 1)) (i32.const 8))))
  (func (export "add_load") (param i32 i32) (result i32)
    (i32.load offset=4 (i32.add (local.get 0) (local.get 1))))
  ;; Rotations of working variables: six copies (copy x5, then copy br_back) and eight copies
  ;; (copy x5, copy x3, br_back).
  (func (export "rotate6") (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32) (local $t i32)
    (local.set $a (i32.const 1))
    (block $exit
      (loop $l
        (br_if $exit (i32.eqz (local.get $n)))
        (call $tick (local.get $n))
        (local.set $n (i32.add (local.get $n) (i32.const -1)))
        (local.set $t (i32.add (local.get $f) (local.get $n)))
        (local.set $f (local.get $e)) (local.set $e (local.get $d)) (local.set $d (local.get $c))
        (local.set $c (local.get $b)) (local.set $b (local.get $a)) (local.set $a (local.get $t))
        (br $l)))
    (i32.xor (i32.xor (i32.xor (local.get $a) (i32.shl (local.get $b) (i32.const 4)))
                      (i32.xor (i32.shl (local.get $c) (i32.const 8)) (i32.shl (local.get $d) (i32.const 12))))
             (i32.xor (i32.shl (local.get $e) (i32.const 16)) (i32.shl (local.get $f) (i32.const 20)))))
  (func (export "rotate8") (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32)
    (local $g i32) (local $h i32) (local $t i32)
    (local.set $a (i32.const 1))
    (block $exit
      (loop $l
        (br_if $exit (i32.eqz (local.get $n)))
        (local.set $n (i32.add (local.get $n) (i32.const -1)))
        (local.set $t (i32.add (local.get $h) (local.get $n)))
        (local.set $h (local.get $g)) (local.set $g (local.get $f))
        (local.set $f (local.get $e)) (local.set $e (local.get $d)) (local.set $d (local.get $c))
        (local.set $c (local.get $b)) (local.set $b (local.get $a)) (local.set $a (local.get $t))
        (br $l)))
    (i32.xor (i32.xor (i32.xor (local.get $a) (i32.shl (local.get $b) (i32.const 4)))
                      (i32.xor (i32.shl (local.get $c) (i32.const 8)) (i32.shl (local.get $d) (i32.const 12))))
             (i32.xor (i32.xor (i32.shl (local.get $e) (i32.const 16)) (i32.shl (local.get $f) (i32.const 20)))
                      (i32.xor (i32.shl (local.get $g) (i32.const 24)) (i32.shl (local.get $h) (i32.const 28))))))
  ;; fib: i32_add ret1 (the return leaves the fused op for the caller's frame)
  (func $add_ret (export "add_ret") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "call_add_ret") (param i32 i32) (result i32)
    (i32.mul (call $add_ret (local.get 0) (local.get 1)) (i32.const 3)))
  ;; simd's f32 kernel (axpy + dot product), two vectors per iteration:
  ;;   i32_add_imm i32_add_imm v128_load | f32x4_mul v128_load v128_const | f32x4_mul f32x4_add
  ;;   v128_store | i32_add_imm i32_add_imm v128_load | f32x4_mul v128_load f32x4_mul f32x4_add
  ;;   v128_store | f32x4_mul f32x4_add f32x4_mul f32x4_add | i32_add_imm i32_add_imm br_i32_lt_u_imm
  (func (export "axpy_dot") (param $s f32) (param $base i32)
    (local $i i32) (local $k i32) (local $a v128) (local $p i32) (local $x0 v128) (local $h v128)
    (local $r0 v128) (local $x1 v128) (local $r1 v128) (local $acc v128)
    (local.set $a (f32x4.splat (local.get $s)))
    (local.set $i (local.get $base))
    (loop $l
      (call $tick (local.get $k))
      (local.tee $p (i32.add (local.get $i) (i32.const 1024)))
      (f32x4.mul (local.get $a) (local.tee $x0 (v128.load (i32.add (local.get $i) (i32.const 512)))))
      (f32x4.mul (v128.load (local.get $p)) (local.tee $h (v128.const f32x4 0.5 0.5 0.5 0.5)))
      (f32x4.add)
      (local.tee $r0)
      (v128.store)
      (local.tee $p (i32.add (local.get $i) (i32.const 1040)))
      (f32x4.mul (local.get $a) (local.tee $x1 (v128.load (i32.add (local.get $i) (i32.const 528)))))
      (f32x4.mul (v128.load (local.get $p)) (local.get $h))
      (f32x4.add)
      (local.tee $r1)
      (v128.store)
      (local.set $acc (f32x4.add (f32x4.add (local.get $acc) (f32x4.mul (local.get $x0) (local.get $r0)))
                                 (f32x4.mul (local.get $x1) (local.get $r1))))
      (local.set $i (i32.add (local.get $i) (i32.const 32)))
      (br_if $l (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 8))) (i32.const 32))))
    (v128.store (i32.const 0) (local.get $acc)))
  ;; sieve: i32_add const64 i32_store8 i32_add br_i32_le_s(_back) (crossing off multiples)
  (func (export "sieve_cross") (param $base i32) (param $j i32) (param $p i32) (param $n i32)
    (loop $l
      (call $tick (local.get $j))
      (i32.store8 (i32.add (local.get $base) (local.get $j)) (i32.const 0))
      (br_if $l (i32.le_s (local.tee $j (i32.add (local.get $j) (local.get $p))) (local.get $n)))))
  ;; sieve: i32_add_imm i32_add_imm i32_load8_u select, and i32_eqz i32_add i32_eqz i32_add
  (func (export "count_sel") (param $p i32) (param $a i32) (param $b i32) (result i32) (local $q i32)
    (local.set $q (i32.add (local.get $p) (i32.const 1)))
    (i32.add (select (local.get $a) (local.get $b) (i32.load8_u (i32.add (local.get $p) (i32.const 2))))
             (local.get $q)))
  (func (export "eqz_add2") (param i32 i32 i32) (result i32)
    (i32.add (i32.add (local.get 2) (i32.eqz (local.get 0))) (i32.eqz (local.get 1))))
  ;; qsort: i32_add_imm i32_add_imm i32_load br_i32_lt_s_back, and
  ;; i32_add_imm i32_load i32_add_imm copy br_i32_gt_s_back
  (func (export "scan_lt") (param $p i32) (param $pivot i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_s (i32.load (local.tee $p (i32.add (local.get $p) (i32.const 4)))) (local.get $pivot))))
    (local.get $i))
  (func (export "scan_gt") (param $p i32) (param $pivot i32) (result i32) (local $v i32) (local $j i32)
    (loop $l
      (local.set $v (i32.load (i32.add (local.get $p) (i32.const -4))))
      (local.set $p (i32.add (local.get $p) (i32.const -4)))
      (local.set $j (local.get $v))
      (br_if $l (i32.gt_s (local.get $j) (local.get $pivot))))
    (local.get $p))
  ;; wordfreq's tokenizer: i32_load8_u i32_add_imm i32_add_imm i32_and_imm i32_lt_u_imm |
  ;; select i32_add_imm i32_and_imm br_i32_gt_u_imm
  (func (export "tok") (param $p i32) (param $lo i32) (result i32) (local $c i32) (local $d i32)
    (block $out
      (local.set $c (i32.load8_u (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $d (i32.add (local.get $c) (i32.const -65)))
      (local.set $c (select (local.get $lo) (local.get $c)
                            (i32.lt_u (i32.and (local.get $d) (i32.const 255)) (i32.const 26))))
      (local.set $d (i32.add (local.get $c) (i32.const -97)))
      (br_if $out (i32.gt_u (i32.and (local.get $d) (i32.const 255)) (i32.const 25)))
      (return (i32.add (local.get $c) (i32.mul (local.get $p) (i32.const 1000)))))
    (i32.sub (i32.const 0) (local.get $c)))
  ;; simd's integer kernel (multiply-xorshift), two vectors per iteration.
  (func (export "mxs") (param $base i32)
    (local $i i32) (local $j i32) (local $k i32) (local $x v128) (local $y v128) (local $y2 v128)
    (local $m1 v128) (local $m2 v128) (local $c v128) (local $acc v128)
    (local.set $i (local.get $base))
    (loop $l
      (local.set $x (v128.load (local.get $i)))
      (local.set $x (v128.xor (i32x4.shr_u (local.get $x) (i32.const 15)) (local.get $x)))
      (local.set $y (v128.xor
        (i32x4.mul (local.get $x) (local.tee $m1 (v128.const i32x4 0x1bbcd7a5 0x1bbcd7a5 0x1bbcd7a5 0x1bbcd7a5)))
        (i32x4.mul (local.get $x) (local.tee $m2 (v128.const i32x4 0x9e3779b1 0x9e3779b1 0x9e3779b1 0x9e3779b1)))))
      (v128.store offset=4096 (local.get $i) (i32x4.add (local.get $y) (local.tee $c (v128.const i32x4 7 7 7 7))))
      (local.set $x (v128.load (local.tee $j (i32.add (local.get $i) (i32.const 16)))))
      (local.set $x (v128.xor (i32x4.shr_u (local.get $x) (i32.const 15)) (local.get $x)))
      (local.set $y2 (v128.xor (i32x4.mul (local.get $x) (local.get $m1)) (i32x4.mul (local.get $x) (local.get $m2))))
      (v128.store offset=4096 (local.get $j) (i32x4.add (local.get $y2) (local.get $c)))
      (local.set $acc (i32x4.add (i32x4.add (local.get $acc) (local.get $y)) (local.get $y2)))
      (local.set $i (i32.add (local.get $i) (i32.const 32)))
      (br_if $l (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 8))) (i32.const 64))))
    (v128.store (i32.const 0) (local.get $acc)))
  ;; fib as clang writes it: i32_add_imm call_local (the argument, then the call)
  (func $fibr (export "fibr") (param $n i32) (result i32) (local $acc i32)
    (block (br_if 0 (i32.lt_u (local.get $n) (i32.const 2)))
      (loop $l
        (local.set $acc (i32.add (call $fibr (i32.add (local.get $n) (i32.const -1))) (local.get $acc)))
        (br_if $l (i32.gt_u (local.tee $n (i32.add (local.get $n) (i32.const -2))) (i32.const 1)))))
    (i32.add (local.get $n) (local.get $acc)))
  (func $down (export "down") (param i32) (result i32)
    (call $down (i32.add (local.get 0) (i32.const 1))))
  ;; seven copies: copy x5, then copy copy br_back
  (func (export "rotate7") (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32)
    (local $g i32) (local $t i32)
    (local.set $a (i32.const 1))
    (block $exit
      (loop $l
        (br_if $exit (i32.eqz (local.get $n)))
        (local.set $n (i32.add (local.get $n) (i32.const -1)))
        (local.set $t (i32.add (local.get $g) (local.get $n)))
        (local.set $g (local.get $f))
        (local.set $f (local.get $e)) (local.set $e (local.get $d)) (local.set $d (local.get $c))
        (local.set $c (local.get $b)) (local.set $b (local.get $a)) (local.set $a (local.get $t))
        (br $l)))
    (i32.xor (i32.xor (i32.xor (local.get $a) (i32.shl (local.get $b) (i32.const 4)))
                      (i32.xor (i32.shl (local.get $c) (i32.const 8)) (i32.shl (local.get $d) (i32.const 12))))
             (i32.xor (i32.xor (i32.shl (local.get $e) (i32.const 16)) (i32.shl (local.get $f) (i32.const 20)))
                      (i32.shl (local.get $g) (i32.const 24)))))
)
