;; Imports an interface the WASI 0.2 host does not have: linking names it.
(component
  (import "wasi:nope/thing@0.2.0" (instance $i (export "f" (func))))
  (alias export $i "f" (func $f))
  (core func $lowered (canon lower (func $f)))
  (core module $M (import "host" "f" (func)))
  (core instance $hostbag (export "f" (func $lowered)))
  (core instance $m (instantiate $M (with "host" (instance $hostbag))))
)
