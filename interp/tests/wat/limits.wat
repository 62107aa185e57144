;; Modules for the limits tests (limits_test.cpp). Each function's comment gives its fuel
;; regions and their costs per the limits contract (runtime/store.hpp): every instruction
;; costs 1 except block, loop, else, end and nop; a region ends after block, loop, if,
;; else, end, br, br_if, br_table, return, call, call_indirect and unreachable.
(module
  (import "host" "reenter" (func $reenter (param i32) (result i32)))
  (import "host" "nothing" (func $nothing))

  ;; [const const add end] = 3
  (func (export "straight") (result i32)
    i32.const 1
    i32.const 2
    i32.add)

  ;; [block] 0, [loop] 0, per iteration [get get ge_u br_if] 4 and [get const add set br] 5,
  ;; after the loop [end] 0 and [get end] 1: 4(n+1) + 5n + 1 = 9n + 5.
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    block
      loop
        local.get $i
        local.get $n
        i32.ge_u
        br_if 1
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br 0
      end
    end
    local.get $i)

  ;; [get if] 2, then [const else] 1, else [const const add end] 3, [const add end] 2:
  ;; true 5, false 7.
  (func (export "ifelse") (param i32) (result i32)
    local.get 0
    if (result i32)
      i32.const 10
    else
      i32.const 20
      i32.const 1
      i32.add
    end
    i32.const 1
    i32.add)

  ;; [get if] 2, then [const set end] 2, [get end] 1: true 5, false 3.
  (func (export "ifnoelse") (param i32) (result i32) (local i32)
    local.get 0
    if
      i32.const 5
      local.set 1
    end
    local.get 1)

  ;; [get const add end] 3
  (func $add1 (param i32) (result i32)
    local.get 0
    i32.const 1
    i32.add)

  ;; [const call] 2 + 3, [call] 1 + 3, [drop nop const end] 2: 11.
  (func (export "calls") (result i32)
    i32.const 1
    call $add1
    call $add1
    drop
    nop
    i32.const 7)

  ;; [call] 1 (the host function itself costs nothing), [const end] 1: 2.
  (func (export "host_call") (result i32)
    call $nothing
    i32.const 4)

  ;; [const const get div_u add end] 5, charged before the division traps.
  (func (export "div") (param i32) (result i32)
    i32.const 1
    i32.const 10
    local.get 0
    i32.div_u
    i32.add)

  ;; [block] 0, [const br] 2, dead [const add end], [const add end] 2: 4.
  (func (export "dead") (result i32)
    block (result i32)
      i32.const 3
      br 0
      i32.const 4
      i32.add
    end
    i32.const 1
    i32.add)

  ;; [block] 0 [block] 0 [get br_table] 2; label 0: [end] 0 [const return] 2;
  ;; label 1: [end] 0 [const end] 1. 0 -> 4, else 3.
  (func (export "table") (param i32) (result i32)
    block
      block
        local.get 0
        br_table 0 1
      end
      i32.const 100
      return
    end
    i32.const 200)

  ;; [nop nop unreachable] 1
  (func (export "unreach")
    nop
    nop
    unreachable)

  ;; [const get br_if] 3 (a br_if to the function's label is a conditional return), then
  ;; [drop const end] 2: 1 -> 3 (it returns 9), 0 -> 5 (it returns 8).
  (func (export "br_if_ret") (param i32) (result i32)
    i32.const 9
    local.get 0
    br_if 0
    drop
    i32.const 8)

  ;; An infinite loop: [loop] 0, [br] 1 per iteration.
  (func (export "spin")
    loop
      br 0
    end)

  ;; Infinite loops whose back-edge is a br_if on a local, and a fused compare + branch
  ;; (called with a non-zero argument).
  (func (export "spin_if") (param i32)
    loop
      local.get 0
      br_if 0
    end)
  (func (export "spin_cmp") (param i32)
    loop
      local.get 0
      i32.const 0
      i32.ne
      br_if 0
    end)

  ;; Infinite recursion through calls only (no loop): [call] 1.
  (func $forever (export "forever")
    call $forever)

  ;; Recursion n deep: [get eqz if] 3, then [const else] 1; else [get const sub call] 4 +
  ;; callee, [const add end] 2, [end] 0: deep(n) = 9n + 4.
  (func $deep (export "deep") (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0
      i32.const 1
      i32.sub
      call $deep
      i32.const 1
      i32.add
    end)

  ;; host -> wasm -> host ... : calls the host, which calls back with n - 1.
  (func (export "down") (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0
      i32.const 1
      i32.sub
      call $reenter
    end)
)
