(module
  (import "host" "add" (func $host_add (param i32 i32) (result i32)))
  (import "host" "reenter" (func $host_reenter (param i32) (result i32)))
  (import "host" "many" (func $host_many (result i64 i64 i64)))
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $fac $double $noop)
  (func $fac (export "fac") (param i64) (result i64)
    local.get 0 i64.eqz
    if (result i64) i64.const 1
    else local.get 0 local.get 0 i64.const 1 i64.sub call $fac i64.mul end)
  (func $fib (export "fib") (param i32) (result i32)
    local.get 0 i32.const 2 i32.lt_u
    if (result i32) local.get 0
    else
      local.get 0 i32.const 1 i32.sub call $fib
      local.get 0 i32.const 2 i32.sub call $fib
      i32.add
    end)
  (func $double (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
  (func $noop)
  (func (export "call_double") (param i32) (result i32)
    i32.const 1000 ;; junk below the args
    local.get 0 call $double
    i32.add)
  (func (export "call_indirect") (param i32 i32) (result i32)
    local.get 1 local.get 0 call_indirect (type $ii))
  (func (export "call_indirect_v") (param i32)
    local.get 0 call_indirect (type $v))
  (func (export "call_host") (param i32 i32) (result i32)
    i32.const 1 drop
    local.get 0 local.get 1 call $host_add
    i32.const 1 i32.add)
  (func (export "call_many") (result i64)
    call $host_many i64.add i64.add)
  ;; wasm -> host -> wasm: the host calls "fib" with its argument and adds 1
  (func (export "reenter") (param i32) (result i32)
    (local i32)
    i32.const 5 local.set 1
    local.get 0 call $host_reenter
    local.get 1 i32.add)
  (func $runaway (export "runaway") call $runaway)
  (func $deep (export "deep") (param i32) (result i32)
    local.get 0 i32.eqz if (result i32) i32.const 0
    else local.get 0 i32.const 1 i32.sub call $deep i32.const 1 i32.add end)
  (func $big (export "big_frames") (param i32) (result i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    local.get 0 call $big)
  (func (export "trap_in_callee") (param i32) (result i32)
    local.get 0 call $inner)
  (func $inner (param i32) (result i32)
    local.get 0 i32.const 0 i32.div_u)
  (func (export "locals_zeroed") (param i32) (result i64)
    (local i64 f64)
    local.get 0 if
      i64.const 5 local.set 1
      local.get 0 i32.const 1 i32.sub call $set_and_get drop
      local.get 0 i32.const 1 i32.sub call $set_and_get drop
    end
    local.get 1)
  (func $set_and_get (param i32) (result i64)
    (local i64)
    local.get 1 i64.eqz i32.eqz if unreachable end
    i64.const 9 local.set 1 local.get 1)
  (global $g (mut i32) (i32.const 10))
  (global $h i64 (i64.const -3))
  (func (export "globals") (param i32) (result i32 i64)
    global.get $g local.get 0 i32.add global.set $g
    global.get $g global.get $h)
  ;; call_local (a defined function of the same module): multi-value results, locals zeroed
  ;; at every level, functions without results (ret0) and without locals.
  (func $multi (export "multi") (param i32) (result i32 i64 i32)
    local.get 0 i64.const 7 i32.const 3)
  (func (export "call_multi") (param i32) (result i32)
    local.get 0 call $multi drop i32.wrap_i64 i32.add)
  (func $zero_deep (export "zero_deep") (param i32) (result i32)
    (local i32 i64 i32 f32)
    local.get 1 local.get 3 i32.or local.get 2 i32.wrap_i64 i32.or
    local.get 4 i32.reinterpret_f32 i32.or
    if unreachable end
    i32.const 1 local.set 1 i64.const 2 local.set 2 i32.const 3 local.set 3 f32.const 4 local.set 4
    local.get 0 i32.eqz if (result i32) i32.const 0
    else local.get 0 i32.const 1 i32.sub call $zero_deep local.get 1 i32.add end)
  (func $void_callee (export "void_callee") (param i32)
    global.get $g local.get 0 i32.add global.set $g)
  (func (export "call_void") (param i32) (result i32)
    local.get 0 call $void_callee global.get $g)
  ;; `const 0; local.set` of a declared local before any local write and outside blocks emits
  ;; nothing (locals are zeroed at entry); after a write, for a parameter, or in a loop it stays.
  (func $entry_zero (export "entry_zero") (param i32) (result i32) (local i32 i32)
    i32.const 0 local.set 1
    local.get 0 local.set 2
    i32.const 0 local.set 2
    local.get 0 if
      local.get 0 i32.const 1 i32.sub call $entry_zero drop
    end
    local.get 1 local.get 2 i32.add local.get 0 i32.add)
  (func (export "param_zero") (param i32) (result i32)
    i32.const 0 local.set 0 local.get 0)
  (func (export "loop_zero") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.const 0))
      (local.set 1 (i32.add (local.get 1) (i32.const 5)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
)
