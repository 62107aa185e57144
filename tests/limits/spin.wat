;; Never ends on its own: an infinite loop as _start and as exports, and
;; a practically endless call tree without a loop.
(module
  (func $spin (export "spin")
    (loop $l (br $l)))
  ;; 2^60 calls, at most 60 deep and no loop: only function entries can notice the interrupt.
  (func $tree (param i32)
    (if (local.get 0)
      (then
        (call $tree (i32.sub (local.get 0) (i32.const 1)))
        (call $tree (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "spin_calls")
    (call $tree (i32.const 60)))
  (func $count (export "count_forever") (result i64)
    (local $n i64)
    (loop $l
      (local.set $n (i64.add (local.get $n) (i64.const 1)))
      (br $l))
    (local.get $n))
  (func (export "_start")
    (call $spin)))
