;; local:math/twice@1.0.0: twice(x) = add(x, x), through local:math/calc: a linked component
;; that itself imports another (so calc must be instantiated first).
(component
  (import "local:math/calc@1.0.0" (instance $calc
    (export "add" (func (param "a" u32) (param "b" u32) (result u32)))))
  (core func $add (canon lower (func $calc "add")))
  (core module $m
    (import "calc" "add" (func $add (param i32 i32) (result i32)))
    (func (export "twice") (param i32) (result i32) (call $add (local.get 0) (local.get 0))))
  (core instance $calc_imports (export "add" (func $add)))
  (core instance $i (instantiate $m (with "calc" (instance $calc_imports))))
  (func $twice (param "x" u32) (result u32) (canon lift (core func $i "twice")))
  (instance $t (export "twice" (func $twice)))
  (export "local:math/twice@1.0.0" (instance $t))
)
