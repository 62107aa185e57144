;; local:math/calc@1.0.2: add(a, b) and fail() (traps). Exported at 1.0.2: the importers ask for
;; 1.0.0, which it satisfies (semver).
(component
  (core module $m
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    (func (export "fail") (result i32) unreachable))
  (core instance $i (instantiate $m))
  (func $add (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
  (func $fail (result u32) (canon lift (core func $i "fail")))
  (instance $calc (export "add" (func $add)) (export "fail" (func $fail)))
  (export "local:math/calc@1.0.2" (instance $calc))
)
