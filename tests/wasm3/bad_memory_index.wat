;; Hostile input (tests/wasm3/memories_test.py): a load from memory 5 in a module with two
;; memories. Validation must refuse it naming the index ("unknown memory 5").
(module
  (memory 1)
  (memory 1)
  (func (export "f") (result i32)
    (i32.load 5 (i32.const 0))))
