;; An exception no handler catches ends `wsvm --invoke` with its own message (exit 134).
(module
  (tag $oops (param i32))
  (func $inner (param i32) (throw $oops (local.get 0)))
  (func (export "fail") (param i32) (result i32)
    (call $inner (local.get 0))
    (i32.const 0)))
