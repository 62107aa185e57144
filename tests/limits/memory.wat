;; One page of memory that may grow to the wasm32 maximum; --max-memory decides.
(module
  (memory (export "memory") 1)
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0)))
  (func (export "size") (result i32)
    (memory.size)))
