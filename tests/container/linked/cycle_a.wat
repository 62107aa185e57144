;; Half of a cycle: local:cycle/a@1.0.0 exports f(), which calls local:cycle/b's f().
(component
  (import "local:cycle/b@1.0.0" (instance $other (export "f" (func (result u32)))))
  (core func $f (canon lower (func $other "f")))
  (core module $m
    (import "other" "f" (func $f (result i32)))
    (func (export "f") (result i32) (call $f)))
  (core instance $other_imports (export "f" (func $f)))
  (core instance $i (instantiate $m (with "other" (instance $other_imports))))
  (func $g (result u32) (canon lift (core func $i "f")))
  (instance $e (export "f" (func $g)))
  (export "local:cycle/a@1.0.0" (instance $e))
)
