;; Exception handling in both encodings (tests/wasm3/README.md): run by `wsvm wast` in every
;; engine. Payloads of several types, handlers several frames up, catch_ref + throw_ref,
;; legacy catch/catch_all/rethrow/delegate, tags shared between modules, uncaught exceptions.
(module $thrower
  (tag $e0 (export "e0"))
  (tag $e1 (export "e1") (param i32 i64))
  (func $deep (param $n i32) (param $v i32)
    (if (i32.eqz (local.get $n))
      (then (throw $e1 (local.get $v) (i64.extend_i32_s (local.get $v)))))
    (call $deep (i32.sub (local.get $n) (i32.const 1)) (local.get $v)))
  (func (export "throw_deep") (param i32 i32) (call $deep (local.get 0) (local.get 1)))
  (func (export "throw_e0") (throw $e0))
  ;; try_table: catch $e1 several frames up, payload summed
  (func (export "catch_deep") (param $n i32) (param $v i32) (result i64) (local $x i64)
    (block $h (result i32 i64)
      (try_table (catch $e1 $h) (call $deep (local.get $n) (local.get $v)))
      (return (i64.const -1)))
    (local.set $x)
    (i64.extend_i32_s)
    (i64.add (local.get $x)))
  ;; catch_ref keeps the exception; throw_ref throws it again, to an outer catch_all
  (func (export "rethrow_ref") (result i32)
    (block $outer
      (try_table (catch_all $outer)
        (block $h (result i32 i64 exnref)
          (try_table (catch_ref $e1 $h) (call $deep (i32.const 3) (i32.const 9)))
          (return (i32.const -1)))
        (throw_ref))
      (return (i32.const -2)))
    (i32.const 42))
  ;; legacy try/catch/catch_all with rethrow of the caught exception to an outer try
  (func (export "legacy") (param $which i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do
            (if (local.get $which) (then (throw $e0)))
            (call $deep (i32.const 2) (i32.const 5))
            (i32.const 0))
          (catch $e1 (drop) (drop) (rethrow 0) (i32.const 0))
          (catch_all (i32.const 7))))
      (catch $e1 (i32.wrap_i64) (i32.add))))
  ;; delegate hands the exception to the outer try's catch_all
  (func (export "delegated") (result i32)
    (try (result i32)
      (do
        (try (do (throw $e0)) (delegate 0))
        (i32.const 0))
      (catch_all (i32.const 11))))
)
(register "thrower" $thrower)
(assert_exception (invoke "throw_deep" (i32.const 5) (i32.const 1)))
(assert_exception (invoke "throw_e0"))
(assert_return (invoke "catch_deep" (i32.const 10) (i32.const 21)) (i64.const 42))
(assert_return (invoke "catch_deep" (i32.const 0) (i32.const -4)) (i64.const -8))
(assert_return (invoke "rethrow_ref") (i32.const 42))
(assert_return (invoke "legacy" (i32.const 0)) (i32.const 10))
(assert_return (invoke "legacy" (i32.const 1)) (i32.const 7))
(assert_return (invoke "delegated") (i32.const 11))

;; A tag imported from another module: exceptions thrown there are caught here by identity.
(module
  (import "thrower" "e1" (tag $e1 (param i32 i64)))
  (import "thrower" "e0" (tag $e0))
  (import "thrower" "throw_deep" (func $throw_deep (param i32 i32)))
  (tag $mine (param i32 i64))  ;; same type, another tag: does not catch $e1
  (func (export "across") (result i64) (local $x i64)
    (block $h (result i32 i64)
      (try_table (catch $mine $h) (catch $e1 $h)
        (call $throw_deep (i32.const 4) (i32.const 3)))
      (return (i64.const 0)))
    (local.set $x)
    (i64.extend_i32_s)
    (i64.add (local.get $x)))
  (func (export "not_mine") (result i32)
    (block $h (result i32 i64)
      (try_table (catch $mine $h) (call $throw_deep (i32.const 1) (i32.const 1)))
      (return (i32.const 0)))
    (drop) (drop) (i32.const 1))
)
(assert_return (invoke "across") (i64.const 6))
(assert_exception (invoke "not_mine"))
