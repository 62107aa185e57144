;; Specialised superinstructions (interp/spec_ops.def): spec_test.cpp checks which functions
;; get the specialised form and which keep the generic fused one, and that both compute the
;; same: against C++ references, at the memory bound, with offsets past 4 GiB, NaNs.
(module
  (memory (export "mem") 1)
  ;; c[0] += k * b[0]; c[1] += k * b[1]: both matmul forms (temporaries only; the second
  ;; element's address arithmetic ends the fused op before its multiply).
  (func (export "mac2") (param $c i32) (param $b i32) (param $k f64)
    (f64.store (local.get $c)
      (f64.add (f64.mul (local.get $k) (f64.load (local.get $b))) (f64.load (local.get $c))))
    (f64.store offset=8 (local.get $c)
      (f64.add (f64.mul (local.get $k) (f64.load (i32.add (local.get $b) (i32.const 8))))
               (f64.load offset=8 (local.get $c)))))
  ;; The same with the product tee'd into a local: the value between the components is a
  ;; local, so the generic fused ops stay (and the local must hold the product).
  (func (export "mac2_tee") (param $c i32) (param $b i32) (param $k f64) (result f64) (local $t f64)
    (f64.store (local.get $c)
      (f64.add (local.tee $t (f64.mul (local.get $k) (f64.load (local.get $b)))) (f64.load (local.get $c))))
    (f64.store offset=8 (local.get $c)
      (f64.add (local.tee $t (f64.mul (local.get $k) (f64.load (i32.add (local.get $b) (i32.const 8)))))
               (f64.load offset=8 (local.get $c))))
    (local.get $t))
  ;; Large static offsets: the effective address is index + offset without 32-bit wrap.
  (func (export "mac_off") (param $c i32) (param $b i32) (param $k f64)
    (f64.store offset=4294967288 (local.get $c)
      (f64.add (f64.mul (local.get $k) (f64.load offset=65528 (local.get $b)))
               (f64.load (local.get $c)))))
  ;; The product is the add's second operand: not the handler's pattern (the generic op
  ;; stays) and the sum's operand order is kept.
  (func (export "mac_swapped") (param $c i32) (param $b i32) (param $k f64)
    (f64.store (local.get $c)
      (f64.add (f64.load (local.get $c)) (f64.mul (f64.load (local.get $b)) (local.get $k)))))
;; nbody's forms: each specialised one next to a copy with an inner value tee'd into a
  ;; local (the plan fails, the generic fused op stays, and the local must hold the value).
  (func (export "dist_m_tee") (param $p i32) (param $x f64) (param $m f64) (result f64)
    (local $dx f64) (local $t f64)
    (local.set $dx (f64.sub (local.get $x) (local.tee $t (f64.load (i32.sub (local.get $p) (i32.const 48))))))
    (f64.add (f64.mul (local.get $m) (local.get $dx)) (local.get $t)))
  (func (export "dist_sq_tee") (param $p i32) (param $x f64) (param $dy f64) (result f64)
    (local $dx f64) (local $t f64)
    (local.set $dx (f64.sub (local.get $x) (local.tee $t (f64.load (i32.sub (local.get $p) (i32.const 48))))))
    (f64.add (f64.add (f64.mul (local.get $dx) (local.get $dx)) (f64.mul (local.get $dy) (local.get $dy)))
             (local.get $t)))
  (func (export "mag2") (param $p i32) (param $a f64) (param $b f64) (param $c f64) (param $v f64)
    (result f64) (local $q f64)
    (f64.store (local.get $p)
      (f64.sub (local.get $v) (f64.mul (local.get $c) (local.tee $q (f64.div (local.get $a) (local.get $b))))))
    (local.get $q))
  (func (export "mag2_tee") (param $p i32) (param $a f64) (param $b f64) (param $c f64) (param $v f64)
    (result f64) (local $q f64) (local $t f64)
    (f64.store (local.get $p)
      (f64.sub (local.get $v) (local.tee $t (f64.mul (local.get $c) (local.tee $q (f64.div (local.get $a) (local.get $b)))))))
    (f64.add (local.get $q) (local.get $t)))
  (func (export "vel_tee") (param $p i32) (param $m f64) (param $dx f64) (param $mag f64) (result f64)
    (local $t f64)
    (f64.store (local.get $p)
      (f64.sub (f64.load (local.get $p)) (local.tee $t (f64.mul (f64.mul (local.get $m) (local.get $dx)) (local.get $mag)))))
    (local.get $t))
  (func (export "pos_tee") (param $q i32) (param $m f64) (param $dx f64) (param $mag f64) (result f64)
    (local $t f64)
    (f64.store (local.get $q)
      (f64.add (local.tee $t (f64.mul (f64.mul (local.get $m) (local.get $dx)) (local.get $mag))) (f64.load (local.get $q))))
    (local.get $t))
  (func (export "step_tee") (param $p i32) (param $x f64) (result f64) (local $t f64)
    (local.set $x (f64.add (local.tee $t (f64.mul (f64.load (local.get $p)) (f64.const 0.01))) (local.get $x)))
    (f64.store offset=8 (local.get $p) (local.get $x))
    (f64.add (local.get $x) (local.get $t)))
)
