;; memory64 and table64 as a program uses them (tests/wasm3/memories_test.py). The memory may
;; grow to 65537 pages (4 GiB + 64 KiB) by its type; the test grows it only as far as an
;; access needs (pages are committed, never touched but for the bytes written).
(module
  (memory $m i64 1 65537)
  (table $t i64 1 4 funcref)
  (func $seven (result i32) (i32.const 7))
  (elem declare func $seven)

  ;; Grows the memory to hold [at, at+8), stores `v` there and reads it back; returns the
  ;; value read, or -1 if the memory cannot grow that far.
  (func (export "poke") (param $at i64) (param $v i64) (result i64)
    (local $need i64)
    (local.set $need (i64.sub (i64.div_u (i64.add (local.get $at) (i64.const 65543))
                                         (i64.const 65536))
                              (memory.size)))
    (if (i64.gt_s (local.get $need) (i64.const 0))
      (then (if (i64.eq (memory.grow (local.get $need)) (i64.const -1))
              (then (return (i64.const -1))))))
    (i64.store (local.get $at) (local.get $v))
    (i64.load (local.get $at)))

  ;; A load at an i64 address (out of bounds: traps, whatever the upper bits).
  (func (export "peek") (param $at i64) (result i64)
    (i64.load offset=4 (local.get $at)))

  (func (export "pages") (result i64) (memory.size))

  ;; table.grow past the table's maximum (4) returns -1 (an i64); within it the old size.
  (func (export "grow_table") (param $n i64) (result i64)
    (table.grow $t (ref.func $seven) (local.get $n)))

  ;; call_indirect through the 64-bit table: element `i` (an i64).
  (func (export "call") (param $i i64) (result i32)
    (table.set $t (i64.const 0) (ref.func $seven))
    (call_indirect $t (result i32) (local.get $i)))
)
