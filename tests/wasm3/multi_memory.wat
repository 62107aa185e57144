;; Multi-memory as a program uses it (tests/wasm3/memories_test.py): a 32-bit memory 0 and a
;; second memory; memory.copy between them, memory 1 grown, loads and stores on both.
(module
  (memory $a 1)
  (memory $b 1 4)
  (data (memory $a) (i32.const 0) "hello, memory 1!")

  ;; Copies memory 0's 16 bytes at 0 to memory 1 at `at`, growing memory 1 until it holds
  ;; them (past its maximum of 4 pages the grow fails and the copy traps); returns memory 1's
  ;; size in pages.
  (func $copy_to_b (param $at i32) (result i32)
    (block $done
      (loop $grow
        (br_if $done (i32.le_u (i32.add (local.get $at) (i32.const 16))
                               (i32.mul (memory.size $b) (i32.const 65536))))
        (br_if $done (i32.eq (memory.grow $b (i32.const 1)) (i32.const -1)))
        (br $grow)))
    (memory.copy $b $a (local.get $at) (i32.const 0) (i32.const 16))
    (memory.size $b))

  ;; Sum of the 16 bytes in memory 1 at `at` (loads from memory 1), after one store to each
  ;; memory: memory 0's copy must not change.
  (func $sum_b (param $at i32) (result i32)
    (local $i i32) (local $s i32)
    (i32.store8 $b (local.get $at) (i32.const 72))   ;; 'H' in memory 1 only
    (i32.store8 $a (i32.const 1) (i32.const 69))     ;; 'E' in memory 0 only
    (loop $l
      (local.set $s (i32.add (local.get $s)
                             (i32.load8_u $b (i32.add (local.get $at) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 16))))
    (local.get $s))

  ;; copy_to_b(at), then sum_b(at) * 1000 + memory 1's pages; memory 0's byte 0 ('h') and
  ;; byte 1 ('E') and memory 1's byte at+1 ('e') are checked: -1 if any is wrong.
  (func (export "run") (param $at i32) (result i32)
    (local $pages i32) (local $sum i32)
    (local.set $pages (call $copy_to_b (local.get $at)))
    (local.set $sum (call $sum_b (local.get $at)))
    (if (i32.ne (i32.load8_u $a (i32.const 0)) (i32.const 104)) (then (return (i32.const -1))))
    (if (i32.ne (i32.load8_u $a (i32.const 1)) (i32.const 69)) (then (return (i32.const -1))))
    (if (i32.ne (i32.load8_u $b (i32.add (local.get $at) (i32.const 1))) (i32.const 101))
      (then (return (i32.const -1))))
    (i32.add (i32.mul (local.get $sum) (i32.const 1000)) (local.get $pages)))

  ;; Reads memory 1 past its end: traps whatever memory 0's size.
  (func (export "past_b") (param $at i32) (result i32)
    (i32.load $b (local.get $at)))
)
